#include "process_batch.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include <imgpool/core/error.hpp>
#include <imgpool/core/file_job_codec.hpp>
#include <imgpool/pool/process_executor.hpp>

namespace imgpool::core {

namespace {

FileResult failed(const BatchItem& item, std::string why) {
  FileResult r;
  r.input = item.input;
  r.output = item.output;
  r.status = Status::Failed;
  r.error = std::move(why);
  return r;
}

// Where the executor's supervisor thread (which runs the done callbacks) hands finished items to the
// thread that called run_batch. `settled` counts items that are finished or cancelled.
class Inbox {
 public:
  void push(std::size_t index, std::optional<FileResult> r) {
    {
      std::lock_guard lock(mutex_);
      if (r) results_.emplace_back(index, std::move(*r));
      ++settled_;
    }
    ready_.notify_one();
  }
  // Waits up to `slice` for items settled beyond the caller's `known` count.
  std::pair<std::deque<std::pair<std::size_t, FileResult>>, std::size_t> take(std::chrono::milliseconds slice,
                                                                               std::size_t known) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, slice, [&] { return settled_ != known; });
    return {std::exchange(results_, {}), settled_};
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<std::size_t, FileResult>> results_;
  std::size_t settled_ = 0;
};

}  // namespace

BatchSummary run_chunks_in_processes(const std::vector<BatchItem>& items,
                                     const std::vector<std::vector<std::size_t>>& chunks, const JobOptions& options,
                                     const BatchOptions& batch, int workers, const ResultCallback& on_result,
                                     std::stop_token stop, std::chrono::steady_clock::time_point start) {
  pool::ProcessExecutorOptions exec;
  exec.max_workers = workers;
  exec.worker_path = batch.worker_path;
  exec.initializer = std::string(kFileJobInitKind);
  exec.initializer_argument = encode_job_options(options);
  exec.retries = batch.retries;
  exec.task_timeout = batch.task_timeout;
  exec.worker_memory_mb = batch.worker_memory_mb;
  exec.max_tasks_per_child = batch.max_tasks_per_child;

  // Declared before the executor: its destructor joins the supervisor thread that pushes here.
  Inbox inbox;
  std::optional<pool::ProcessPoolExecutor> executor;
  try {
    executor.emplace(std::move(exec));
  } catch (const imgpool::Error& e) {
    throw ConfigError(std::string("process backend: ") + e.what());
  }

  std::vector<pool::Future<pool::Bytes>> futures;
  futures.reserve(items.size());
  for (const auto& chunk : chunks) {
    std::vector<pool::Bytes> arguments;
    arguments.reserve(chunk.size());
    for (std::size_t index : chunk) {
      FileItem item{items[index].input, items[index].output, false};
      if (options.existing == ExistingOutput::Fail) {
        std::error_code ec;
        item.output_existed = std::filesystem::exists(std::filesystem::symlink_status(item.output, ec));
      }
      arguments.push_back(encode_file_item(item));
    }
    std::vector<pool::Future<pool::Bytes>> submitted;
    try {
      submitted = executor->submit_chunk(std::string(kFileJobKind), std::move(arguments));
    } catch (const imgpool::Error& e) {  // broken (an initializer failed): the chunk's items fail, not the batch
      for (std::size_t index : chunk) inbox.push(index, failed(items[index], std::string("worker failed: ") + e.what()));
      continue;
    }
    for (std::size_t k = 0; k < chunk.size(); ++k) {
      const BatchItem& item = items[chunk[k]];
      submitted[k].add_done_callback([&inbox, &item, index = chunk[k]](const pool::Future<pool::Bytes>& f) {
        if (f.cancelled()) {
          inbox.push(index, std::nullopt);
          return;
        }
        try {
          inbox.push(index, decode_file_result(f.result(), item.input, item.output));
        } catch (const pool::BrokenExecutor& e) {
          inbox.push(index, failed(item, std::string("worker failed: ") + e.what()));
        } catch (const std::exception& e) {  // crashed, timed out, out of memory, or a malformed result
          inbox.push(index, failed(item, e.what()));
        }
      });
      futures.push_back(std::move(submitted[k]));
    }
  }

  BatchSummary summary;
  std::vector<char> delivered(items.size(), 0);
  bool cancelling = false;
  for (std::size_t settled = 0; settled < items.size();) {
    auto [arrived, now_settled] = inbox.take(std::chrono::milliseconds(100), settled);
    settled = now_settled;
    for (auto& [index, result] : arrived) {
      delivered[index] = 1;
      summary.count(result);
      if (on_result) on_result(result);
    }
    if (stop.stop_requested() && !cancelling) {
      cancelling = true;
      for (auto& f : futures) f.cancel();  // pending items only; running ones finish
    }
  }
  executor->shutdown(true);
  for (char d : delivered) summary.cancelled += d ? 0 : 1;
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace imgpool::core
