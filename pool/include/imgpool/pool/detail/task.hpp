#pragma once
// ThreadPoolExecutor's internals: the type-erased task its queue holds, and the worker state behind
// this_worker::state().

#include <any>
#include <memory>
#include <type_traits>
#include <utility>

#include <imgpool/pool/detail/future_state.hpp>

namespace imgpool::pool::detail {

/// a type-erased unit of work bound to the state it completes
class TaskBase {
 public:
  virtual ~TaskBase() = default;
  /// runs the work and completes the state (value or exception); never throws
  virtual void run() noexcept = 0;
  virtual FutureStateBase& state() noexcept = 0;
};

template <class R, class Fn>
class BoundTask final : public TaskBase {
 public:
  BoundTask(std::shared_ptr<FutureState<R>> state, Fn fn) : state_(std::move(state)), fn_(std::move(fn)) {}
  void run() noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        fn_();
        state_->set_result();
      } else {
        state_->set_result(fn_());
      }
    } catch (...) {
      state_->set_exception(std::current_exception());
    }
  }
  FutureStateBase& state() noexcept override { return *state_; }

 private:
  std::shared_ptr<FutureState<R>> state_;
  Fn fn_;
};

/// this thread's initializer state; throws imgpool::Error off a worker or without an initializer
std::any& current_worker_state();

}  // namespace imgpool::pool::detail
