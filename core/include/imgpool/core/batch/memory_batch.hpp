#pragma once
// Processing images in memory for applications that embed imgpool: one image at a time, or a batch
// whose results arrive as they complete, with progress events and cancellation.
//
// One image, on the calling thread (thread safe; `models` must belong to the calling thread):
//   cv::Mat        → cv::Mat        pipeline.apply(image, &models)
//   cv::Mat        → encoded bytes  encode(pipeline.apply(image, &models), Format::Jpeg, 85)
//   encoded bytes  → cv::Mat        process_to_image(bytes, options, &models)   (job/file_job.hpp)
//   encoded bytes  → encoded bytes  process_encoded(bytes, options, &models)    (job/file_job.hpp)
//
// Many images, on a worker pool: MemoryBatch.
//   MemoryBatch batch(std::move(items), options, {.workers = 4}, stop_token, on_progress);
//   for (const auto& f : batch.as_completed()) show(f.result());  // CancelledError if the stop reached it

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <imgpool/core/job/file_job.hpp>
#include <imgpool/core/codec/format.hpp>
#include <imgpool/pool/executor.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/wait.hpp>

namespace imgpool::core {

/// one input of a MemoryBatch: a file to read, or encoded bytes the item owns
struct MemoryItem {
  std::string name;                   ///< shown in progress events; the path for from_file
  std::filesystem::path path;         ///< read on a worker when `bytes` is empty
  std::vector<std::uint8_t> bytes;    ///< the encoded image; owned by the item (move it in)

  /// an item read from `path` on the worker that processes it
  static MemoryItem from_file(std::filesystem::path path);
  /// an item over encoded bytes, which it takes ownership of
  static MemoryItem from_bytes(std::vector<std::uint8_t> bytes, std::string name);
};

/// what a MemoryBatch makes of each item
struct MemoryBatchOptions {
  int workers = 0;                ///< worker threads; 0 = the CPUs this process may use
  bool encode = true;             ///< produce MemoryResult::encoded
  bool keep_image = false;        ///< keep the processed cv::Mat in MemoryResult::image (e.g. to show it)
  Format fallback = Format::Png;  ///< output format when encode.format is Same and the input's is unknown
};

/// the outcome of one item. Cancellation is not a result: the future raises pool::CancelledError.
struct MemoryResult {
  std::size_t index = 0;              ///< the item's position in the batch
  std::string name;
  Status status = Status::Failed;     ///< Ok or Failed (never Skipped)
  std::string error;                  ///< one line; empty unless Failed
  std::vector<std::uint8_t> encoded;  ///< the output file's bytes (when MemoryBatchOptions::encode)
  Format format = Format::Same;       ///< the format of `encoded`
  cv::Mat image;                      ///< the processed image (when MemoryBatchOptions::keep_image)
  int width = 0, height = 0;          ///< output size
  double ms = 0;                      ///< whole item, on its worker
  std::vector<std::string> warnings;  ///< as FileResult::warnings
};

/// counts of a batch at one moment. done() == total once every item is finished or cancelled.
struct BatchProgress {
  std::size_t total = 0;
  std::size_t started = 0;    ///< items a worker has begun (including those since finished)
  std::size_t succeeded = 0;
  std::size_t failed = 0;
  std::size_t cancelled = 0;  ///< pending items cancelled, and running ones stopped between stages
  std::size_t done() const { return succeeded + failed + cancelled; }
};

/// what happened to an item. Every item ends with exactly one of Succeeded, Failed, Cancelled.
enum class ItemEvent {
  Started,    ///< a worker took it
  Decoded,    ///< read and decoded; the pipeline comes next
  Processed,  ///< the pipeline ran; encoding comes next
  Succeeded,  ///< its future holds an Ok result
  Failed,     ///< its future holds a Failed result (error says why)
  Cancelled,  ///< its future raises pool::CancelledError
};

/// one progress event, with the batch's counts just after it
struct ProgressEvent {
  std::size_t index = 0;  ///< the item's position in the batch
  std::string name;
  ItemEvent event = ItemEvent::Started;
  BatchProgress progress;
};

/// receives progress events; see MemoryBatch for the thread it runs on
using ProgressCallback = std::function<void(const ProgressEvent&)>;

/// runs a pipeline over in-memory items (encoded buffers or files) on its own ThreadPoolExecutor.
/// Work starts in the constructor; each item has a Future<MemoryResult> that completes as soon as
/// that item does, so results arrive in completion order through as_completed() or in item order
/// through futures(). A per-item failure (corrupt data, unreadable file) is a Failed result, never
/// an exception from the future.
///
/// Progress, two ways (use either or both):
/// - poll: a UI thread calls poll() (e.g. from its event loop or a timer) to drain the events since
///   its last call, and progress() for the counts. Never blocks on workers.
/// - callback: `on_progress` is called once per event. Started/Decoded/Processed and the final event
///   of an item that ran run on the worker thread processing that item; the Cancelled event of an item
///   cancelled while pending runs on the thread that requested the stop, inside that request (as
///   pool::Future::add_done_callback does). So it runs on several threads at once: it must be thread
///   safe and quick, must not block on the UI thread, and must not destroy the batch. It may request
///   the stop itself (the pending items' Cancelled events then arrive re-entrantly, before it returns).
///   An exception it throws is caught and kept (callback_error()); the batch goes on. A final event
///   comes just after the item's future is ready, so poll() users can take futures()[e.index].result()
///   without blocking.
///
/// Cancellation: cancel(), or a request on the `stop` token given to the constructor. Pending items are
/// cancelled at once (their futures are cancelled()); running ones stop at the next stage boundary
/// (after read, decode, pipeline; encoding is not interrupted). Either way the item runs no further
/// stage, its future's result() raises pool::CancelledError and its last event is Cancelled. Items
/// already finished keep their results.
///
/// Ownership and lifetimes: the batch owns its items, a copy of the options and its worker threads.
/// The destructor cancels what has not finished and joins the workers; after it returns no callback
/// runs. Futures (and results copied from them) stay valid after the batch is gone. The batch is
/// neither copyable nor movable. All members are thread safe, except that as_completed() ranges are
/// single-pass and belong to one thread.
class MemoryBatch {
 public:
  /// loads the pipeline's models once (throws ConfigError when one is missing, UsageError for a quality
  /// outside 1..100) and submits every item
  MemoryBatch(std::vector<MemoryItem> items, JobOptions options, MemoryBatchOptions batch = {},
              std::stop_token stop = {}, ProgressCallback on_progress = {});
  MemoryBatch(const MemoryBatch&) = delete;
  MemoryBatch& operator=(const MemoryBatch&) = delete;
  /// cancels what has not finished and joins the workers. IMPORTANT: never from one of its callbacks.
  ~MemoryBatch();

  /// one future per item, in item order
  const std::vector<pool::Future<MemoryResult>>& futures() const noexcept { return futures_; }
  /// yields each item's future as it completes (see pool::as_completed)
  pool::AsCompleted<MemoryResult> as_completed(std::optional<pool::Seconds> timeout = std::nullopt) const {
    return pool::as_completed(futures_, timeout);
  }

  /// the counts now. They follow the futures: an item's future is ready a moment before its final event
  /// is counted, so after as_completed() has yielded everything, wait() before reading final counts.
  BatchProgress progress() const;
  /// the events since the last poll(), oldest first. Events are kept until polled (a few per item).
  std::vector<ProgressEvent> poll();

  /// requests the stop: cancels pending items, stops running ones at their next stage boundary
  void cancel();
  /// true once the stop has been requested (by cancel() or the constructor's token)
  bool stop_requested() const noexcept { return stop_.stop_requested(); }
  /// blocks until every item is finished or cancelled and its final event delivered; false on timeout
  bool wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt) const;
  /// true once every item is finished or cancelled and its final event delivered
  bool done() const;

  /// the first exception thrown by the progress callback, or null
  std::exception_ptr callback_error() const;

 private:
  MemoryResult run(std::size_t index);
  void run_stages(std::size_t index, MemoryResult& result, const WorkerModels* models);
  void stop_point(std::size_t index) const;
  void record(std::size_t index, ItemEvent event);
  void keep_callback_error(std::exception_ptr error) noexcept;

  std::vector<MemoryItem> items_;
  JobOptions options_;
  MemoryBatchOptions batch_;
  ProgressCallback on_progress_;
  std::stop_source stop_;

  mutable std::mutex mutex_;  // guards everything below
  mutable std::condition_variable all_done_;
  BatchProgress progress_;
  std::vector<ProgressEvent> events_;
  std::exception_ptr callback_error_;
  std::size_t delivered_ = 0;  // final events whose callback has returned

  std::vector<pool::Future<MemoryResult>> futures_;
  std::unique_ptr<std::atomic<unsigned char>[]> outcome_;  // the ItemEvent that ends each run item
  // Declared last: destroyed first, so no stop request or task outlives what they use.
  std::unique_ptr<pool::ThreadPoolExecutor> executor_;
  std::optional<std::stop_callback<std::function<void()>>> external_stop_;
};

}  // namespace imgpool::core
