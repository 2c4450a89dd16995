#pragma once
// wait() and as_completed(): waiting on several futures at once, as in concurrent.futures.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <imgpool/pool/detail/future_state.hpp>
#include <imgpool/pool/detail/unique_futures.hpp>
#include <imgpool/pool/error.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/seconds.hpp>

namespace imgpool::pool {

/// when wait() returns
enum class ReturnWhen {
  FIRST_COMPLETED,  ///< any future finishes or is cancelled
  FIRST_EXCEPTION,  ///< any future finishes by raising, or all are done
  ALL_COMPLETED,    ///< all futures are done
};

/// the futures that were done when wait() returned, and the rest; each in input order
template <class R>
struct WaitResult {
  std::vector<Future<R>> done;
  std::vector<Future<R>> not_done;
};

/// waits until `when` holds for `futures` or `timeout` passes (no TimeoutError: the futures
/// still running are in not_done). Duplicates are reported once. Thread-safe.
template <class R>
WaitResult<R> wait(const std::vector<Future<R>>& futures, std::optional<Seconds> timeout = std::nullopt,
                   ReturnWhen when = ReturnWhen::ALL_COMPLETED) {
  const auto deadline = detail::deadline_after(timeout);
  std::vector<Future<R>> all = detail::unique_futures(futures);

  // Register on every pending state; those already done count as finished up front.
  detail::Waiter waiter;
  std::size_t finished_before = 0;
  bool failed_before = false;
  std::vector<const detail::FutureStateBase*> registered;
  for (const auto& f : all) {
    if (f.state()->add_waiter(&waiter)) {
      registered.push_back(f.state().get());
    } else {
      ++finished_before;
      failed_before = failed_before || f.state()->failed();
    }
  }
  const auto satisfied = [&](const std::vector<detail::Completion>& finished) {
    const std::size_t n = finished_before + finished.size();
    switch (when) {
      case ReturnWhen::FIRST_COMPLETED:
        return n > 0 || all.empty();
      case ReturnWhen::FIRST_EXCEPTION:
        if (failed_before || n == all.size()) return true;
        return std::any_of(finished.begin(), finished.end(), [](const detail::Completion& c) { return c.failed; });
      case ReturnWhen::ALL_COMPLETED:
        break;
    }
    return n == all.size();
  };
  waiter.wait_until(deadline, satisfied);
  for (const auto& f : all) f.state()->remove_waiter(&waiter);

  WaitResult<R> result;
  for (auto& f : all) (f.done() ? result.done : result.not_done).push_back(std::move(f));
  return result;
}

/// the range as_completed() returns: yields each distinct future once, as it becomes done.
/// Single-pass; not thread-safe (iterate it from one thread). Destroying it unregisters its waiter.
template <class R>
class AsCompleted {
  struct State {
    std::vector<Future<R>> pending;  // not yet yielded
    std::vector<Future<R>> ready;    // done, not yet yielded; front is yielded next
    std::size_t consumed_events = 0;  // waiter notifications already moved to `ready`
    std::optional<std::chrono::steady_clock::time_point> deadline;
    detail::Waiter waiter;
    std::optional<Future<R>> current;

    // Futures no longer pending have notified the waiter, and Waiter::notify is finished with it
    // by the time their completion was seen; the pending ones may still notify, so unregister them.
    ~State() {
      for (const auto& f : pending) f.state()->remove_waiter(&waiter);
    }

    // Positions `current` on the next finished future, blocking until one is; empty at the end.
    void advance() {
      current.reset();
      if (ready.empty() && !pending.empty()) {
        std::vector<detail::Completion> events;
        const bool ok = waiter.wait_until(deadline, [&](const std::vector<detail::Completion>& finished) {
          if (finished.size() == consumed_events) return false;
          events.assign(finished.begin() + static_cast<std::ptrdiff_t>(consumed_events), finished.end());
          return true;
        });
        if (!ok) throw TimeoutError("as_completed(): " + std::to_string(pending.size()) + " futures unfinished");
        consumed_events += events.size();
        for (const detail::Completion& c : events) {
          auto it = std::find_if(pending.begin(), pending.end(), [&](const Future<R>& f) { return f.state().get() == c.state; });
          if (it == pending.end()) continue;
          ready.push_back(std::move(*it));
          pending.erase(it);
        }
      }
      if (!ready.empty()) {
        current = std::move(ready.front());
        ready.erase(ready.begin());
      }
    }
  };

 public:
  /// input iterator over the finished futures; ++ blocks and may throw TimeoutError
  class iterator {
   public:
    using value_type = Future<R>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(State* s) : s_(s) {}
    const Future<R>& operator*() const { return *s_->current; }
    const Future<R>* operator->() const { return &*s_->current; }
    iterator& operator++() {
      s_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return !it.s_->current; }

   private:
    State* s_ = nullptr;
  };

  AsCompleted(std::vector<Future<R>> futures, std::optional<Seconds> timeout)
      : s_(std::make_unique<State>()) {
    s_->deadline = detail::deadline_after(timeout);
    for (auto& f : detail::unique_futures(std::move(futures))) {
      if (f.state()->add_waiter(&s_->waiter)) {
        s_->pending.push_back(std::move(f));
      } else {
        s_->ready.push_back(std::move(f));  // already finished: yielded first, in input order
      }
    }
  }

  /// starts iteration: blocks until the first future is done (TimeoutError past the deadline)
  iterator begin() {
    s_->advance();
    return iterator(s_.get());
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  std::unique_ptr<State> s_;
};

/// returns a range yielding each of `futures` as it completes (already-done ones first, in input
/// order; duplicates once); iteration throws TimeoutError once `timeout` from this call passes.
///
///   for (const auto& f : as_completed(futures, std::chrono::seconds(30))) use(f.result());
template <class R>
[[nodiscard]] AsCompleted<R> as_completed(std::vector<Future<R>> futures, std::optional<Seconds> timeout = std::nullopt) {
  return AsCompleted<R>(std::move(futures), timeout);
}

}  // namespace imgpool::pool
