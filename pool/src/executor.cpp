#include <imgpool/pool/executor.hpp>

#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <imgpool/pool/cpu.hpp>

namespace imgpool::pool {
namespace {

// What a worker thread knows about itself; set for the life of worker_loop.
struct WorkerContext {
  int index = -1;
  std::any* state = nullptr;  // null when the executor has no initializer
};
thread_local WorkerContext* current_worker = nullptr;

int resolve_max_workers(int requested) {
  if (requested < 0) throw InvalidArgument("max_workers must be >= 0 (0 = available CPUs), got " + std::to_string(requested));
  return requested == 0 ? available_cpus() : requested;
}

}  // namespace

// A null task is the stop sentinel: shutdown queues one per worker behind the real work.
struct ThreadPoolExecutor::Impl {
  explicit Impl(int workers) : arena(workers, static_cast<unsigned>(workers)) {}

  tbb::task_arena arena;
  // std::allocator rather than TBB's cache-aligned one: its pages then come from plain new/delete,
  // which ThreadSanitizer tracks, so page reuse is not misreported as a race.
  tbb::concurrent_bounded_queue<std::unique_ptr<detail::TaskBase>, std::allocator<std::unique_ptr<detail::TaskBase>>> queue;
  std::vector<std::thread> threads;
  std::function<std::any()> initializer;

  // Held shared by submit around its check-and-push, exclusively by shutdown, so no task can land
  // behind the stop sentinels and never run.
  std::shared_mutex submit_mutex;
  bool shut_down = false;

  std::atomic<bool> broken{false};
  std::mutex broken_mutex;
  std::string broken_message;  // written once, before `broken` becomes true

  std::mutex join_mutex;

  void mark_broken(const std::string& message) {
    {
      std::lock_guard lock(broken_mutex);
      if (broken.load(std::memory_order_relaxed)) return;
      broken_message = message;
    }
    broken.store(true, std::memory_order_release);
  }

  std::exception_ptr broken_error() {
    std::lock_guard lock(broken_mutex);
    return std::make_exception_ptr(BrokenExecutor(broken_message));
  }

  // Fails a task the broken executor will never run (unless someone cancelled it first).
  void fail(detail::TaskBase& task) {
    if (task.state().set_running_or_notify_cancel()) task.state().set_exception(broken_error());
  }
};

ThreadPoolExecutor::ThreadPoolExecutor(ExecutorOptions options)
    : max_workers_(resolve_max_workers(options.max_workers)),
      impl_(std::make_unique<Impl>(max_workers_)) {
  if (options.on_callback_error)
    callback_error_hook_ = std::make_shared<const detail::FutureStateBase::ErrorHook>(std::move(options.on_callback_error));
  impl_->initializer = std::move(options.initializer);
  impl_->arena.initialize();
  impl_->threads.reserve(static_cast<std::size_t>(max_workers_));
  try {
    for (int i = 0; i < max_workers_; ++i)
      impl_->threads.emplace_back([this, i] { impl_->arena.execute([this, i] { worker_loop(i); }); });
  } catch (...) {
    shutdown(true);  // a failed thread start must not leave running workers behind
    throw;
  }
}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

void ThreadPoolExecutor::enqueue(std::unique_ptr<detail::TaskBase> task) {
  std::shared_lock lock(impl_->submit_mutex);
  if (impl_->shut_down) throw ShutdownError("cannot submit after shutdown()");
  if (impl_->broken.load(std::memory_order_acquire)) std::rethrow_exception(impl_->broken_error());
  impl_->queue.push(std::move(task));
}

void ThreadPoolExecutor::worker_loop(int index) {
  WorkerContext context{index, nullptr};
  std::any state;
  current_worker = &context;
  if (impl_->initializer) {
    try {
      state = impl_->initializer();
      context.state = &state;
    } catch (const std::exception& e) {
      impl_->mark_broken(std::string("a worker initializer failed: ") + e.what());
    } catch (...) {
      impl_->mark_broken("a worker initializer failed with a non-standard exception");
    }
  }
  // A broken executor's workers stay until their sentinel, failing whatever is queued meanwhile.
  for (;;) {
    std::unique_ptr<detail::TaskBase> task;
    impl_->queue.pop(task);
    if (!task) break;
    if (impl_->broken.load(std::memory_order_acquire)) {
      impl_->fail(*task);
      continue;
    }
    if (task->state().set_running_or_notify_cancel()) task->run();
  }
  current_worker = nullptr;
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::vector<std::unique_ptr<detail::TaskBase>> to_cancel;
  {
    std::unique_lock lock(impl_->submit_mutex);
    if (cancel_futures) {
      // Pull out what no worker has taken yet; sentinels go back so every worker still stops.
      int sentinels = 0;
      std::unique_ptr<detail::TaskBase> task;
      while (impl_->queue.try_pop(task)) {
        if (task) {
          to_cancel.push_back(std::move(task));
        } else {
          ++sentinels;
        }
      }
      for (int i = 0; i < sentinels; ++i) impl_->queue.push(nullptr);
    }
    if (!impl_->shut_down) {
      impl_->shut_down = true;
      for (int i = 0; i < max_workers_; ++i) impl_->queue.push(nullptr);
    }
  }
  // Outside the lock: cancel() runs done callbacks, which may call back into this executor.
  for (auto& task : to_cancel) task->state().cancel();
  if (!wait) return;
  std::lock_guard lock(impl_->join_mutex);
  for (auto& thread : impl_->threads) {
    // A task that shuts down its own executor cannot join itself; its thread is joined later.
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
}

namespace detail {

std::any& current_worker_state() {
  if (current_worker == nullptr) throw Error("this_worker::state(): not called on a pool worker thread");
  if (current_worker->state == nullptr) throw Error("this_worker::state(): the executor has no worker initializer");
  return *current_worker->state;
}

}  // namespace detail

namespace this_worker {

bool on_worker() noexcept { return current_worker != nullptr; }
int index() noexcept { return current_worker != nullptr ? current_worker->index : -1; }

}  // namespace this_worker

}  // namespace imgpool::pool
