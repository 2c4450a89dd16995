#pragma once
// Test helpers: a one-shot Gate tasks block on, and a Slot that hands one value across threads.
// Plain mutex + condition_variable (not std::promise), so ThreadSanitizer sees every edge.
// Declare them BEFORE the executor in a test, so workers are joined before they are destroyed.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace imgpool::pool::test_support {

/// generous bound for waits that are expected to succeed, even on a loaded 2-core machine
inline constexpr std::chrono::seconds kLongWait{30};
/// short bound for waits that are expected to time out
inline constexpr std::chrono::milliseconds kShortWait{50};

/// a value set once by one thread and awaited by others
template <class T>
class Slot {
 public:
  void set(T value) {
    {
      std::lock_guard lock(mutex_);
      value_ = std::move(value);
    }
    cv_.notify_all();
  }
  /// waits up to kLongWait; empty if the value never came
  std::optional<T> get() const {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, kLongWait, [&] { return value_.has_value(); });
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::optional<T> value_;
};

/// a one-shot signal: wait() blocks until open()
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  /// blocks until open(); unbounded on purpose, so a parked task never runs on by itself
  void wait() const {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return open_; });
  }
  /// waits up to kLongWait and reports whether the gate opened
  bool wait_for() const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kLongWait, [&] { return open_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace imgpool::pool::test_support
