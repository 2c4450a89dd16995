#include <imgpool/core/batch/memory_batch.hpp>

#include <algorithm>
#include <new>
#include <utility>

#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/pool/error.hpp>

#include "batch/worker_setup.hpp"
#include "job/stages.hpp"

namespace imgpool::core {

namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned char kNoOutcome = 0xff;

}  // namespace

MemoryItem MemoryItem::from_file(std::filesystem::path path) {
  MemoryItem item;
  item.name = path.string();
  item.path = std::move(path);
  return item;
}

MemoryItem MemoryItem::from_bytes(std::vector<std::uint8_t> bytes, std::string name) {
  MemoryItem item;
  item.name = std::move(name);
  item.bytes = std::move(bytes);
  return item;
}

MemoryBatch::MemoryBatch(std::vector<MemoryItem> items, JobOptions options, MemoryBatchOptions batch,
                         std::stop_token stop, ProgressCallback on_progress)
    : items_(std::move(items)),
      options_(std::move(options)),
      batch_(batch),
      on_progress_(std::move(on_progress)),
      outcome_(std::make_unique<std::atomic<unsigned char>[]>(items_.size())) {
  check_job(options_);  // one start-up error, not one per item
  progress_.total = items_.size();
  for (std::size_t i = 0; i < items_.size(); ++i) outcome_[i].store(kNoOutcome);

  executor_ = std::make_unique<pool::ThreadPoolExecutor>(detail::thread_worker_options(options_.pipeline, batch_.workers));

  {
    std::lock_guard lock(mutex_);
    futures_.reserve(items_.size());
  }
  // Before any submit: a token stopped already (or during the loop) stops every item, as cancel() does;
  // items submitted after the request see it when they start.
  if (stop.stop_possible()) external_stop_.emplace(std::move(stop), std::function<void()>([this] { cancel(); }));
  for (std::size_t i = 0; i < items_.size(); ++i) {
    auto future = executor_->submit([this, i] { return run(i); });
    {
      std::lock_guard lock(mutex_);
      futures_.push_back(future);
    }
    if (stop_.stop_requested()) future.cancel();  // cancel() may have run before this future existed
    future.add_done_callback([this, i](const pool::Future<MemoryResult>& f) {
      const unsigned char outcome = outcome_[i].load();
      if (f.cancelled() || outcome == static_cast<unsigned char>(ItemEvent::Cancelled)) {
        record(i, ItemEvent::Cancelled);
      } else if (outcome == static_cast<unsigned char>(ItemEvent::Succeeded)) {
        record(i, ItemEvent::Succeeded);
      } else {
        record(i, ItemEvent::Failed);  // a Failed result, or the executor broke under the task
      }
    });
  }
}

MemoryBatch::~MemoryBatch() {
  external_stop_.reset();
  cancel();
  executor_->shutdown(true);
}

MemoryResult MemoryBatch::run(std::size_t index) {
  stop_point(index);
  const auto start = Clock::now();
  record(index, ItemEvent::Started);
  MemoryResult result;
  result.index = index;
  result.name = items_[index].name;
  detail::WarningCapture warnings;
  try {
    run_stages(index, result, &pool::this_worker::state<WorkerModels>());
    detail::check_warnings(warnings, options_);
    result.status = Status::Ok;
  } catch (const pool::CancelledError&) {
    throw;
  } catch (...) {
    result.error = detail::current_failure_reason();
  }
  if (result.status != Status::Ok) {
    result.status = Status::Failed;
    result.encoded.clear();
    result.image.release();
    result.width = result.height = 0;
  }
  result.warnings = warnings.take();
  result.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  outcome_[index].store(
      static_cast<unsigned char>(result.status == Status::Ok ? ItemEvent::Succeeded : ItemEvent::Failed));
  return result;
}

// Throws CancelledError once the stop is requested; called before each stage.
void MemoryBatch::stop_point(std::size_t index) const {
  if (!stop_.stop_requested()) return;
  outcome_[index].store(static_cast<unsigned char>(ItemEvent::Cancelled));
  throw pool::CancelledError("stopped before it finished");
}

void MemoryBatch::run_stages(std::size_t index, MemoryResult& result, const WorkerModels* models) {
  const MemoryItem& item = items_[index];
  std::vector<std::uint8_t> read;
  if (item.bytes.empty() && !item.path.empty()) {
    read = read_input_file(item.path, options_.max_file_size);
    stop_point(index);
  }
  const std::span<const std::uint8_t> bytes = item.bytes.empty() ? std::span<const std::uint8_t>(read) : item.bytes;

  DecodedImage decoded = detail::decode_for_pipeline(bytes, options_);
  const Format input_format = decoded.format;
  record(index, ItemEvent::Decoded);
  stop_point(index);

  detail::ProcessedImage processed = detail::apply_pipeline(std::move(decoded), options_, models);
  record(index, ItemEvent::Processed);
  stop_point(index);

  if (batch_.encode) {
    const Format format = detail::choose_format(options_.encode, nullptr, input_format, batch_.fallback);
    result.encoded = detail::encode_output(processed, format, options_);
    result.format = format;
  }
  result.width = processed.image.cols;
  result.height = processed.image.rows;
  if (batch_.keep_image) result.image = std::move(processed.image);
}

void MemoryBatch::record(std::size_t index, ItemEvent event) {
  ProgressEvent e;
  e.index = index;
  e.name = items_[index].name;
  e.event = event;
  const bool final_event = event == ItemEvent::Succeeded || event == ItemEvent::Failed || event == ItemEvent::Cancelled;
  {
    std::lock_guard lock(mutex_);
    switch (event) {
      case ItemEvent::Started: ++progress_.started; break;
      case ItemEvent::Succeeded: ++progress_.succeeded; break;
      case ItemEvent::Failed: ++progress_.failed; break;
      case ItemEvent::Cancelled: ++progress_.cancelled; break;
      case ItemEvent::Decoded:
      case ItemEvent::Processed: break;
    }
    e.progress = progress_;
    events_.push_back(e);
  }
  if (on_progress_) {
    try {
      on_progress_(e);
    } catch (...) {
      keep_callback_error(std::current_exception());
    }
  }
  if (final_event) {
    // under the lock: a wait() that sees the last delivery may return and the batch be destroyed
    std::lock_guard lock(mutex_);
    ++delivered_;
    all_done_.notify_all();
  }
}

void MemoryBatch::keep_callback_error(std::exception_ptr error) noexcept {
  std::lock_guard lock(mutex_);
  if (!callback_error_) callback_error_ = std::move(error);
}

BatchProgress MemoryBatch::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

std::vector<ProgressEvent> MemoryBatch::poll() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

void MemoryBatch::cancel() {
  stop_.request_stop();
  std::vector<pool::Future<MemoryResult>> futures;
  {
    std::lock_guard lock(mutex_);
    futures = futures_;
  }
  // Outside the lock: a cancelled future's done callback records its event, which takes the lock.
  for (const auto& f : futures) f.cancel();
}

bool MemoryBatch::wait(std::optional<std::chrono::milliseconds> timeout) const {
  std::unique_lock lock(mutex_);
  const auto all = [&] { return delivered_ == items_.size(); };
  if (!timeout) {
    all_done_.wait(lock, all);
    return true;
  }
  return all_done_.wait_for(lock, *timeout, all);
}

bool MemoryBatch::done() const {
  std::lock_guard lock(mutex_);
  return delivered_ == items_.size();
}

std::exception_ptr MemoryBatch::callback_error() const {
  std::lock_guard lock(mutex_);
  return callback_error_;
}

}  // namespace imgpool::core
