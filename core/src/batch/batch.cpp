#include <imgpool/core/batch/batch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <any>
#include <chrono>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <imgpool/core/ops/models.hpp>
#include <imgpool/pool/cpu.hpp>
#include <imgpool/pool/executor.hpp>

#include "batch/batch_runner.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;

namespace {

// A file's identity: device and inode, so that links and different spellings of one path agree.
std::optional<std::pair<std::uint64_t, std::uint64_t>> file_id(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return std::pair{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

}  // namespace

FileResult failed_result(const BatchItem& item, std::string why) {
  FileResult r;
  r.input = item.input;
  r.output = item.output;
  r.status = Status::Failed;
  r.error = std::move(why);
  return r;
}

BatchItem BatchPlan::operator[](std::size_t i) const {
  const InputFile f = inputs_[kept_.at(i)];
  return {f.path, output_path_for(f, out_dir_, format_), f.size};
}

BatchPlan plan_batch(InputTable inputs, const fs::path& out_dir, Format format) {
  // One stat per input and per output, and 16 bytes per input for each check, so that a million files
  // plan in a few seconds and tens of MB. An output that exists and is one of the inputs (same device
  // and inode, through any link or spelling) is refused; outputs all lie under out_dir, so two inputs
  // share an output when its text is equal.
  using FileId = std::pair<std::uint64_t, std::uint64_t>;
  const std::size_t n = inputs.size();
  std::vector<FileId> input_ids;
  input_ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (const auto id = file_id(inputs[i].path)) input_ids.push_back(*id);
  }
  std::sort(input_ids.begin(), input_ids.end());

  auto output_of = [&](std::size_t i) { return output_path_for(inputs[i], out_dir, format); };
  enum : std::uint8_t { kKept, kOverwritesInput, kTaken };
  std::vector<std::uint8_t> verdict(n, kKept);
  std::unordered_map<std::size_t, std::size_t> owner;  // input refused as kTaken -> the input that has its output
  // (hash of the output's text, input index), to find the inputs that share an output
  std::vector<std::pair<std::uint64_t, std::size_t>> outputs;
  outputs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const fs::path out = output_of(i);
    const auto out_id = file_id(out);
    if (out_id && std::binary_search(input_ids.begin(), input_ids.end(), *out_id)) {
      verdict[i] = kOverwritesInput;
    } else {
      outputs.emplace_back(std::hash<std::string>{}(out.lexically_normal().native()), i);
    }
  }
  std::vector<FileId>().swap(input_ids);
  std::sort(outputs.begin(), outputs.end());
  // Within a run of equal hashes, compare the texts: the first input (in scan order) with a text keeps it.
  for (std::size_t a = 0; a < outputs.size();) {
    std::size_t b = a + 1;
    while (b < outputs.size() && outputs[b].first == outputs[a].first) ++b;
    for (std::size_t k = a + 1; k < b; ++k) {
      const std::string text = output_of(outputs[k].second).lexically_normal().native();
      for (std::size_t j = a; j < k; ++j) {
        const std::size_t first = outputs[j].second;
        if (verdict[first] == kKept && output_of(first).lexically_normal().native() == text) {
          verdict[outputs[k].second] = kTaken;
          owner.emplace(outputs[k].second, first);
          break;
        }
      }
    }
    a = b;
  }
  std::vector<std::pair<std::uint64_t, std::size_t>>().swap(outputs);

  BatchPlan plan;
  for (std::size_t i = 0; i < n; ++i) {
    if (verdict[i] == kKept) {
      plan.kept_.push_back(i);
      continue;
    }
    const BatchItem item{inputs[i].path, output_of(i), inputs.file_size(i)};
    plan.refused.push_back(failed_result(
        item, verdict[i] == kOverwritesInput
                  ? "output would overwrite an input file (choose another -o)"
                  : "output " + item.output.string() + " is already the output of " + inputs[owner.at(i)].path.string()));
  }
  plan.inputs_ = std::move(inputs);
  plan.out_dir_ = out_dir;
  plan.format_ = format;
  return plan;
}

BatchPlan plan_batch(const std::vector<InputFile>& inputs, const fs::path& out_dir, Format format) {
  return plan_batch(InputTable(inputs), out_dir, format);
}

namespace {

// The thread backend: each chunk is one task on a ThreadPoolExecutor, pushing its results at its end.
class ThreadRunner final : public ChunkRunner {
 public:
  ThreadRunner(const JobOptions& options, int workers, Inbox& inbox, std::stop_token stop)
      : options_(options), inbox_(inbox), stop_(std::move(stop)), executor_(executor_options(options, workers)) {}

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
            settled.push_back({chunk, run_file_job(item.input, item.output, options_, &models)});
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
  static pool::ExecutorOptions executor_options(const JobOptions& options, int workers) {
    pool::ExecutorOptions exec;
    exec.max_workers = workers;
    exec.initializer = [pipeline = options.pipeline] { return std::any(WorkerModels::load(pipeline)); };
    return exec;
  }

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
  Inbox& inbox_;
  std::stop_token stop_;
  std::unordered_map<std::size_t, pool::Future<void>> in_flight_;
  pool::ThreadPoolExecutor executor_;  // last: its destructor joins the workers before the rest goes
};

// Chunks are handed to the pool a window at a time and built from the plan only then, so that memory
// holds a window of items, not the batch.
BatchSummary run_planned(std::size_t count, const std::function<std::uint64_t(std::size_t)>& cost_of,
                         const std::function<BatchItem(std::size_t)>& item_at, const JobOptions& options,
                         const BatchOptions& batch, const ResultCallback& on_result, std::stop_token stop) {
  const auto start = std::chrono::steady_clock::now();
  // Load the models once here so that a missing model is one start-up error, not one per file.
  (void)WorkerModels::load(options.pipeline);

  const int workers = batch.workers > 0 ? batch.workers : pool::available_cpus();
  std::vector<std::vector<std::size_t>> chunks;
  {
    std::vector<std::uint64_t> costs(count);
    for (std::size_t i = 0; i < count; ++i) costs[i] = cost_of(i);
    if (batch.chunking) {
      chunks = pool::ChunkPlanner(batch.chunks).plan(costs, workers);
    } else {
      // One item per task, still largest first so that a big file never starts last.
      std::vector<std::size_t> order(count);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
      chunks.reserve(count);
      for (std::size_t i : order) chunks.push_back({i});
    }
  }

  Inbox inbox;  // before the runner, whose destructor waits for the threads that push here
  const std::unique_ptr<ChunkRunner> runner =
      batch.backend == Backend::Process ? make_process_runner(options, batch, workers, inbox)
                                        : std::make_unique<ThreadRunner>(options, workers, inbox, stop);
  const std::size_t window = 4 * static_cast<std::size_t>(workers);
  std::unordered_map<std::size_t, std::size_t> unsettled;  // submitted chunk -> its items not yet taken
  std::size_t next = 0;
  bool stopping = false;
  auto fill = [&] {
    for (; !stopping && next < chunks.size() && unsettled.size() < window; ++next) {
      std::vector<BatchItem> items;
      items.reserve(chunks[next].size());
      for (std::size_t index : chunks[next]) items.push_back(item_at(index));
      unsettled.emplace(next, items.size());
      runner->submit(next, std::move(items));
      std::vector<std::size_t>().swap(chunks[next]);  // only its size is needed from here on
    }
  };

  BatchSummary summary;
  stopping = stop.stop_requested();
  fill();
  while (!unsettled.empty()) {
    for (auto& [chunk, result] : inbox.take(std::chrono::milliseconds(100))) {
      if (result) {
        summary.count(*result);
        if (on_result) on_result(*result);
      } else {
        ++summary.cancelled;
      }
      if (const auto it = unsettled.find(chunk); --it->second == 0) {
        unsettled.erase(it);
        runner->retire(chunk);
      }
    }
    if (stop.stop_requested() && !stopping) {
      stopping = true;
      runner->cancel_pending();
    }
    fill();
  }
  for (; next < chunks.size(); ++next) summary.cancelled += chunks[next].size();  // never submitted
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace

BatchSummary run_batch(const BatchPlan& plan, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop) {
  return run_planned(
      plan.size(), [&](std::size_t i) { return plan.cost(i); }, [&](std::size_t i) { return plan[i]; }, options,
      batch, on_result, std::move(stop));
}

BatchSummary run_batch(const std::vector<BatchItem>& items, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop) {
  return run_planned(
      items.size(), [&](std::size_t i) { return items[i].cost; }, [&](std::size_t i) { return items[i]; }, options,
      batch, on_result, std::move(stop));
}

}  // namespace imgpool::core
