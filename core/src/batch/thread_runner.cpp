// run_batch's thread backend: each chunk is one task on a ThreadPoolExecutor.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <imgpool/core/ops/models.hpp>
#include <imgpool/pool/executor.hpp>

#include "batch/chunk_runner.hpp"
#include "batch/worker_setup.hpp"
#include "job/stages.hpp"

namespace imgpool::core {

namespace {

// The thread backend: each chunk is one task on a ThreadPoolExecutor, pushing its results at its end.
class ThreadRunner final : public ChunkRunner {
 public:
  ThreadRunner(const JobOptions& options, const OutputGuard& guard, int workers, Inbox& inbox, std::stop_token stop)
      : options_(options),
        place_{guard.root, &guard.inputs, false},
        inbox_(inbox),
        stop_(std::move(stop)),
        executor_(detail::thread_worker_options(options.pipeline, workers)) {}

  void submit(std::size_t chunk, std::vector<BatchItem> items) override {
    auto shared = std::make_shared<const std::vector<BatchItem>>(std::move(items));
    try {
      auto future = executor_.submit([this, chunk, shared] {
        const auto& models = pool::this_worker::state<WorkerModels>();
        std::vector<Settled> settled;
        settled.reserve(shared->size());
        for (const BatchItem& item : *shared) {
          if (stop_.stop_requested()) {
            settled.push_back({chunk, std::nullopt});
          } else {
            settled.push_back({chunk, detail::run_file_job(place_, item.input, item.output, options_, &models,
                                                           {item.device, item.inode})});
          }
        }
        inbox_.push(std::move(settled));
      });
      // A task that never ran, or failed as a whole (a broken executor), still owes each item one settlement.
      future.add_done_callback([this, chunk, shared](const pool::Future<void>& f) {
        if (f.cancelled()) {
          fail_all(chunk, *shared, std::nullopt);
        } else if (const std::exception_ptr error = f.exception()) {
          fail_all(chunk, *shared, "worker failed: " + describe(error));
        }
      });
      in_flight_.emplace(chunk, std::move(future));
    } catch (const imgpool::Error& e) {
      fail_all(chunk, *shared, std::string("worker failed: ") + e.what());
    }
  }

  void cancel_pending() override {
    for (auto& [chunk, future] : in_flight_) future.cancel();
  }

  void retire(std::size_t chunk) override { in_flight_.erase(chunk); }

 private:
  static std::string describe(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "unknown error";
    }
  }

  // settles every item of a chunk: cancelled (no reason) or failed with `why`
  void fail_all(std::size_t chunk, const std::vector<BatchItem>& items, const std::optional<std::string>& why) {
    std::vector<Settled> settled;
    settled.reserve(items.size());
    for (const BatchItem& item : items) {
      settled.push_back({chunk, why ? std::optional(failed_result(item, *why)) : std::nullopt});
    }
    inbox_.push(std::move(settled));
  }

  const JobOptions& options_;
  const detail::OutputPlace place_;  // the guard's root and inputs, which outlive the runner
  Inbox& inbox_;
  std::stop_token stop_;
  std::unordered_map<std::size_t, pool::Future<void>> in_flight_;
  pool::ThreadPoolExecutor executor_;  // last: its destructor joins the workers before the rest goes
};

}  // namespace

std::unique_ptr<ChunkRunner> make_thread_runner(const JobOptions& options, const OutputGuard& guard, int workers,
                                                Inbox& inbox, std::stop_token stop) {
  return std::make_unique<ThreadRunner>(options, guard, workers, inbox, std::move(stop));
}

}  // namespace imgpool::core
