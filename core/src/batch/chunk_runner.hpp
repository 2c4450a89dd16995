#pragma once
// Internal to batch/: run_batch's internals shared by its two backends: the inbox where finished items are handed to the
// thread that called run_batch, and the interface each backend implements to run one chunk.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <imgpool/core/batch/batch.hpp>

#include "job/atomic_write.hpp"

namespace imgpool::core {

/// a failed result for `item`
FileResult failed_result(const BatchItem& item, std::string why);

/// an item that is settled: finished with a result, or cancelled (no result) before it started
struct Settled {
  std::size_t chunk;
  std::optional<FileResult> result;
};

/// Where workers (or the process backend's supervisor) hand settled items to the thread that called
/// run_batch: a whole chunk at a time where the backend can, so that many workers on tiny files do not
/// queue on this lock. push() signals under the lock: once the last item is in, run_batch may return
/// and destroy the inbox as soon as it can take the lock, so a signal after unlocking could reach a
/// destroyed condition variable (the pattern of the as_completed use-after-free, issue 14 item 11).
class Inbox {
 public:
  void push(std::vector<Settled> settled) {
    std::lock_guard lock(mutex_);
    for (auto& s : settled) items_.push_back(std::move(s));
    ready_.notify_one();
  }
  void push(Settled settled) {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(settled));
    ready_.notify_one();
  }
  /// waits up to `slice` for settled items; returns those there are
  std::vector<Settled> take(std::chrono::milliseconds slice) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, slice, [&] { return !items_.empty(); });
    return std::exchange(items_, {});
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Settled> items_;
};

/// where a batch's outputs go: the root they are written below, opened once by run_batch (null for a
/// list of items: each output's own folder), and the inputs no output may replace
struct OutputGuard {
  const detail::OutputRoot* root = nullptr;
  detail::InputIds inputs;
};

/// A backend, as run_batch drives it. run_batch calls every member from its own thread; the backend
/// pushes each submitted item to the inbox exactly once (from any thread), cancelled ones included.
class ChunkRunner {
 public:
  virtual ~ChunkRunner() = default;
  /// hands chunk number `chunk` to the pool
  virtual void submit(std::size_t chunk, std::vector<BatchItem> items) = 0;
  /// cancels every submitted item that has not started; running ones finish
  virtual void cancel_pending() = 0;
  /// forgets chunk `chunk`, all of whose items have been taken from the inbox
  virtual void retire(std::size_t chunk) = 0;
};

/// the thread backend (ThreadPoolExecutor workers in this process), pushing to `inbox`; items of a
/// chunk not yet started when `stop` is requested are settled as cancelled
std::unique_ptr<ChunkRunner> make_thread_runner(const JobOptions& options, const OutputGuard& guard, int workers,
                                                Inbox& inbox, std::stop_token stop);

/// the process backend (worker processes running imgpool-worker), pushing to `inbox`. Each worker
/// opens the guard's root by its path and checks its identity against the one opened here (a worker
/// cannot be handed an fd through the pool, and a swapped folder is detected); the input identities
/// travel in the initializer's argument (16 bytes per input per worker).
/// Throws ConfigError when the worker executable cannot be found.
std::unique_ptr<ChunkRunner> make_process_runner(const JobOptions& options, const OutputGuard& guard,
                                                 const BatchOptions& batch, int workers, Inbox& inbox);

}  // namespace imgpool::core
