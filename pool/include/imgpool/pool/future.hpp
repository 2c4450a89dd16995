#pragma once
// Future<R>: the result of an asynchronous call, as in Python's concurrent.futures.Future.

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <imgpool/pool/detail/future_state.hpp>
#include <imgpool/pool/error.hpp>
#include <imgpool/pool/seconds.hpp>

namespace imgpool::pool {

/// a copyable handle to the eventual result of a task; copies share one state.
/// All members are thread-safe. A default-constructed Future is not valid(); calling anything
/// but valid() on it is undefined.
///
/// Differences from Python:
/// - result() returns the value by copy (R must be copyable to call it; void for R = void);
///   map() moves values out instead, so move-only results work there.
/// - a throwing done callback is swallowed and passed to the executor's
///   ExecutorOptions::on_callback_error hook (Python logs it); it never reaches a worker.
/// - set_result()/set_running_or_notify_cancel() live on the detail state, for backends only.
///
///   auto fut = pool.submit([](int x) { return x * 2; }, 21);
///   fut.add_done_callback([](Future<int> f) { std::cout << f.result(); });
///   int v = fut.result(std::chrono::seconds(5));  // 42, or throws TimeoutError
template <class R>
class Future {
 public:
  using value_type = R;

  Future() = default;
  /// wraps a state; for backends (executors) that create and complete states
  explicit Future(std::shared_ptr<detail::FutureState<R>> state) : state_(std::move(state)) {}

  /// waits up to `timeout` (forever by default) and returns the value or rethrows the task's
  /// exception; throws TimeoutError on timeout, CancelledError if the future was cancelled
  R result(std::optional<Seconds> timeout = std::nullopt) const {
    if constexpr (std::is_void_v<R>) {
      state_->get(timeout);
    } else {
      return R(state_->get(timeout));
    }
  }

  /// waits like result() and returns the task's exception, or nullptr if it succeeded;
  /// throws TimeoutError on timeout, CancelledError if the future was cancelled
  std::exception_ptr exception(std::optional<Seconds> timeout = std::nullopt) const {
    return state_->wait_exception(timeout);
  }

  /// cancels the task if it has not started: true if pending (now cancelled) or already
  /// cancelled, false if it is running or finished
  bool cancel() const { return state_->cancel(); }

  /// true if the future was cancelled
  bool cancelled() const { return state_->status() == Status::Cancelled; }
  /// true while the task is executing
  bool running() const { return state_->status() == Status::Running; }
  /// true if the future was cancelled or finished
  bool done() const { return state_->done(); }
  /// true if this handle refers to a state (false when default-constructed)
  bool valid() const noexcept { return state_ != nullptr; }

  /// calls `fn(*this)` when the future is done: at once in the calling thread if it already is,
  /// else in the thread that finishes or cancels it (a worker, for a task that runs). Callbacks
  /// run in registration order; an exception from `fn` is swallowed (see the class comment).
  void add_done_callback(std::function<void(Future<R>)> fn) const {
    state_->add_done_callback([fn = std::move(fn)](const std::shared_ptr<detail::FutureStateBase>& s) {
      fn(Future<R>(std::static_pointer_cast<detail::FutureState<R>>(s)));
    });
  }

  /// the shared state; two futures are the same task iff their states are equal
  const std::shared_ptr<detail::FutureState<R>>& state() const noexcept { return state_; }

  friend bool operator==(const Future& a, const Future& b) noexcept { return a.state_ == b.state_; }

 private:
  using Status = detail::FutureStateBase::Status;
  std::shared_ptr<detail::FutureState<R>> state_;
};

}  // namespace imgpool::pool
