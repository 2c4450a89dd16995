#pragma once
// ThreadPoolExecutor: a fixed set of worker threads running submitted callables, as in Python's
// concurrent.futures.ThreadPoolExecutor, on top of a oneTBB arena.

#include <any>
#include <exception>
#include <functional>
#include <memory>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>

#include <imgpool/pool/detail/future_state.hpp>
#include <imgpool/pool/detail/task.hpp>
#include <imgpool/pool/error.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/map.hpp>

namespace imgpool::pool {

/// how a ThreadPoolExecutor is built
struct ExecutorOptions {
  /// worker threads; 0 = available_cpus(); negative throws InvalidArgument
  int max_workers = 0;
  /// optional; runs once on each worker thread before its first task, and what it returns is that
  /// worker's state (this_worker::state<T>()). If it throws, the executor becomes broken.
  std::function<std::any()> initializer{};
  /// optional; receives exceptions thrown by done callbacks (which are otherwise swallowed).
  /// Called in the thread that ran the callback; must be thread-safe; its own exceptions are dropped.
  std::function<void(std::exception_ptr)> on_callback_error{};
};

/// a pool of exactly max_workers threads running submitted callables.
/// Each worker is a dedicated std::thread that occupies a master slot of the executor's own
/// tbb::task_arena, so oneTBB's global worker limit does not cap the pool and oneTBB parallelism
/// inside a task (e.g. from OpenCV) runs in that arena instead of oversubscribing the machine.
/// Executors share no mutable state; several may coexist. All members are thread-safe.
///
///   ThreadPoolExecutor pool({.max_workers = 4});
///   auto fut = pool.submit([](int x) { return x + 1; }, 41);
///   for (int y : pool.map([](int x) { return x * x; }, std::views::iota(0, 100))) use(y);
class ThreadPoolExecutor {
 public:
  /// starts the workers; throws InvalidArgument if options.max_workers < 0
  explicit ThreadPoolExecutor(ExecutorOptions options = {});
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;
  /// shutdown(true): runs the queued tasks and joins the workers. IMPORTANT: never destroy an
  /// executor from one of its own tasks (a worker cannot join itself).
  ~ThreadPoolExecutor();

  /// schedules fn(args...) (both decay-copied) and returns its Future; throws ShutdownError after
  /// shutdown(), BrokenExecutor once an initializer failed
  template <class F, class... Args>
  [[nodiscard]] auto submit(F&& fn, Args&&... args) -> Future<std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>> {
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
    auto state = std::make_shared<detail::FutureState<R>>(callback_error_hook_);
    auto call = [fn = std::forward<F>(fn), args = std::make_tuple(std::forward<Args>(args)...)]() mutable -> R {
      return std::apply([&](auto&... a) -> R { return std::invoke(std::move(fn), std::move(a)...); }, args);
    };
    enqueue(std::make_unique<detail::BoundTask<R, decltype(call)>>(state, std::move(call)));
    return Future<R>(std::move(state));
  }

  /// returns a lazy range of fn(x) for x in inputs, in input order; see MapRange and MapOptions.
  /// An lvalue `inputs` is borrowed (must outlive the range); an rvalue is moved into it.
  template <class F, std::ranges::viewable_range Range>
  [[nodiscard]] auto map(F fn, Range&& inputs, MapOptions options = {}) {
    using V = std::views::all_t<Range>;
    return MapRange<ThreadPoolExecutor, F, V>(*this, std::move(fn), std::views::all(std::forward<Range>(inputs)), options);
  }

  /// stops accepting work; queued tasks still run unless cancel_futures cancels them first.
  /// wait = true blocks until all workers have exited. Idempotent; the destructor calls it.
  void shutdown(bool wait = true, bool cancel_futures = false);

  /// the number of worker threads
  int max_workers() const noexcept { return max_workers_; }

  /// returns an initializer that calls fn(args...) and stores its result as the worker state
  /// (a void fn stores an empty std::any)
  ///
  ///   ExecutorOptions opts{.initializer = ThreadPoolExecutor::bind_initializer(make_codec, quality)};
  template <class F, class... A>
  static std::function<std::any()> bind_initializer(F fn, A... args) {
    return [fn = std::move(fn), args = std::make_tuple(std::move(args)...)]() -> std::any {
      if constexpr (std::is_void_v<std::invoke_result_t<const F&, const A&...>>) {
        std::apply(fn, args);
        return {};
      } else {
        return std::apply(fn, args);
      }
    };
  }

 private:
  struct Impl;
  void enqueue(std::unique_ptr<detail::TaskBase> task);
  void worker_loop(int index);

  int max_workers_;
  // Shared by the executor's states only when a hook is set, so a plain submit touches no shared counter.
  std::shared_ptr<const detail::FutureStateBase::ErrorHook> callback_error_hook_;
  std::unique_ptr<Impl> impl_;
};

/// what a task can ask about the worker running it. Per-thread; no locking.
namespace this_worker {

/// returns this worker's initializer result as T; throws imgpool::Error when not on a worker,
/// when the executor has no initializer, or when the stored type is not T
template <class T>
T& state() {
  T* value = std::any_cast<T>(&detail::current_worker_state());
  if (value == nullptr) throw Error("this_worker::state<T>(): the worker state is not of type T");
  return *value;
}

/// true when called on a ThreadPoolExecutor worker thread
bool on_worker() noexcept;

/// this worker's index in [0, max_workers), or -1 when not on a worker
int index() noexcept;

}  // namespace this_worker

}  // namespace imgpool::pool
