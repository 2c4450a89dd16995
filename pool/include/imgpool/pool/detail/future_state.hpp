#pragma once
// The shared state behind Future<R>: backend-independent, so the thread pool and a later process
// backend complete futures the same way, and wait()/as_completed() work across both.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include <imgpool/pool/error.hpp>
#include <imgpool/pool/seconds.hpp>

namespace imgpool::pool::detail {

/// the steady-clock deadline `timeout` from now, or none for no timeout
inline std::optional<std::chrono::steady_clock::time_point> deadline_after(std::optional<Seconds> timeout) {
  if (!timeout) return std::nullopt;
  return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(*timeout);
}

/// one completion a Waiter saw: which state, and whether it finished by an exception
struct Completion {
  const void* state;
  bool failed;  // captured under the state's lock, so waiters never lock a state to ask
};

/// receives the states a wait()/as_completed() call is watching as they finish.
/// Thread-safe. Lock order: a state's mutex, then the waiter's; never the other way round, which
/// is why wait predicates only see Completion records and must not call into states.
/// Lifetime: the owner may destroy the waiter as soon as wait_until() has returned, provided it
/// unregisters (remove_waiter) every state whose completion it has not yet seen.
class Waiter {
 public:
  /// records that a state finished and wakes the waiting thread
  void notify(Completion c) {
    // Signal under the lock: once the waiting thread sees `c`, this call has finished with the
    // waiter, so the owner need not unregister states whose completions it has consumed (as_completed
    // drops its range with those; signalling after unlocking was a use-after-free).
    std::lock_guard lock(mutex_);
    finished_.push_back(c);
    ready_.notify_one();
  }

  /// waits until `pred(finished)` holds or the deadline passes; returns pred's last value
  template <class Pred>
  bool wait_until(std::optional<std::chrono::steady_clock::time_point> deadline, Pred pred) {
    std::unique_lock lock(mutex_);
    if (!deadline) {
      ready_.wait(lock, [&] { return pred(std::as_const(finished_)); });
      return true;
    }
    return ready_.wait_until(lock, *deadline, [&] { return pred(std::as_const(finished_)); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Completion> finished_;  // in completion order
};

/// the type-erased part of a future's state: status, exception, waiters and done callbacks.
/// A backend completes it with set_running_or_notify_cancel() then set_result()/set_exception().
/// Thread-safe.
class FutureStateBase : public std::enable_shared_from_this<FutureStateBase> {
 public:
  enum class Status { Pending, Running, Cancelled, Finished };
  using Callback = std::function<void(const std::shared_ptr<FutureStateBase>&)>;
  using ErrorHook = std::function<void(std::exception_ptr)>;

  FutureStateBase() = default;
  explicit FutureStateBase(std::shared_ptr<const ErrorHook> hook) : error_hook_(std::move(hook)) {}
  FutureStateBase(const FutureStateBase&) = delete;
  FutureStateBase& operator=(const FutureStateBase&) = delete;
  virtual ~FutureStateBase() = default;

  /// cancels a pending future; true if it is (now or already) cancelled, false if running/finished
  bool cancel() {
    {
      std::lock_guard lock(mutex_);
      if (status_ == Status::Cancelled) return true;
      if (status_ != Status::Pending) return false;
      status_ = Status::Cancelled;
      notify_locked();
    }
    run_callbacks();
    return true;
  }

  /// marks the future running; false (and the caller must skip the task) if it was cancelled.
  /// Throws InvalidStateError when called on a running or finished future.
  bool set_running_or_notify_cancel() {
    std::lock_guard lock(mutex_);
    if (status_ == Status::Cancelled) return false;
    if (status_ != Status::Pending) throw InvalidStateError("future is already running or finished");
    status_ = Status::Running;
    return true;
  }

  /// finishes the future with an exception; runs done callbacks in this thread
  void set_exception(std::exception_ptr error) {
    complete([&] { error_ = std::move(error); });
  }

  Status status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }
  bool done() const {
    const Status s = status();
    return s == Status::Cancelled || s == Status::Finished;
  }
  /// true when finished by an exception (not cancelled); FIRST_EXCEPTION's test
  bool failed() const {
    std::lock_guard lock(mutex_);
    return status_ == Status::Finished && error_ != nullptr;
  }

  /// waits until done; false on timeout
  bool wait_done(std::optional<Seconds> timeout) const {
    std::unique_lock lock(mutex_);
    const auto is_done = [&] { return status_ == Status::Cancelled || status_ == Status::Finished; };
    if (!timeout) {
      done_cv_.wait(lock, is_done);
      return true;
    }
    return done_cv_.wait_for(lock, *timeout, is_done);
  }

  /// waits until done and returns the exception (nullptr on success); throws Cancelled/TimeoutError
  std::exception_ptr wait_exception(std::optional<Seconds> timeout) const {
    if (!wait_done(timeout)) throw TimeoutError("future did not finish within the timeout");
    std::lock_guard lock(mutex_);
    if (status_ == Status::Cancelled) throw CancelledError();
    return error_;
  }

  /// runs `cb` now in this thread if done, else later in the thread that completes the future
  void add_done_callback(Callback cb) {
    {
      std::lock_guard lock(mutex_);
      if (status_ != Status::Cancelled && status_ != Status::Finished) {
        callbacks_.push_back(std::move(cb));
        return;
      }
    }
    invoke_guarded(cb);
  }

  /// registers `w` to be notified on completion; false (not registered) if already done
  bool add_waiter(Waiter* w) {
    std::lock_guard lock(mutex_);
    if (status_ == Status::Cancelled || status_ == Status::Finished) return false;
    waiters_.push_back(w);
    return true;
  }
  /// unregisters `w`; once this returns, `w` is never touched by this state again
  void remove_waiter(Waiter* w) {
    std::lock_guard lock(mutex_);
    std::erase(waiters_, w);
  }

 protected:
  /// applies `store` (which sets the result) and finishes the future, then runs the callbacks
  template <class Store>
  void complete(Store&& store) {
    {
      std::lock_guard lock(mutex_);
      if (status_ == Status::Cancelled || status_ == Status::Finished)
        throw InvalidStateError("future is already done");
      store();
      status_ = Status::Finished;
      notify_locked();
    }
    run_callbacks();
  }

  mutable std::mutex mutex_;  // guards everything below and the derived state's value

 private:
  void notify_locked() {
    done_cv_.notify_all();
    const Completion completion{this, status_ == Status::Finished && error_ != nullptr};
    for (Waiter* w : waiters_) w->notify(completion);
    waiters_.clear();
  }

  void run_callbacks() {
    std::vector<Callback> callbacks;
    {
      std::lock_guard lock(mutex_);
      callbacks.swap(callbacks_);
    }
    for (auto& cb : callbacks) invoke_guarded(cb);
  }

  // A throwing callback must never unwind into a worker or a cancel() caller: report and go on.
  void invoke_guarded(const Callback& cb) noexcept {
    try {
      cb(shared_from_this());
    } catch (...) {
      if (error_hook_ && *error_hook_) {
        try {
          (*error_hook_)(std::current_exception());
        } catch (...) {  // a throwing hook is dropped for the same reason
        }
      }
    }
  }

  Status status_ = Status::Pending;
  std::exception_ptr error_;
  std::vector<Callback> callbacks_;
  std::vector<Waiter*> waiters_;
  mutable std::condition_variable done_cv_;
  std::shared_ptr<const ErrorHook> error_hook_;  // shared by all states of one executor
};

/// the typed state: adds the value for a non-void R
template <class R>
class FutureState final : public FutureStateBase {
 public:
  using FutureStateBase::FutureStateBase;

  /// finishes the future with a value; runs done callbacks in this thread
  template <class... V>
  void set_result(V&&... value) {
    complete([&] {
      if constexpr (!std::is_void_v<R>) value_.emplace(std::forward<V>(value)...);
    });
  }

  /// waits, then returns a reference to the value (valid while the state lives) or throws
  decltype(auto) get(std::optional<Seconds> timeout) const {
    if (auto error = wait_exception(timeout)) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) return static_cast<const R&>(*value_);
  }

  /// waits, then moves the value out (for a sole owner such as map()) or throws
  R take(std::optional<Seconds> timeout) {
    if (auto error = wait_exception(timeout)) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) return std::move(*value_);
  }

 private:
  // Written once under the base mutex before status_ becomes finished; read only after that.
  std::optional<std::conditional_t<std::is_void_v<R>, std::monostate, R>> value_;
};

}  // namespace imgpool::pool::detail
