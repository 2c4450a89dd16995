#pragma once
// map()'s internals: what a chunk of results is, and how the thread backend computes one
// (CallableMapChunks, the model for every BasicMapRange backend).

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <imgpool/pool/future.hpp>
#include <imgpool/pool/seconds.hpp>

namespace imgpool::pool::detail {

/// what map() yields for a function returning T: T, or std::monostate for void
template <class T>
using MapValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

/// one chunk's outcome: the values computed before the first exception, then that exception
template <class T>
struct MapChunk {
  std::vector<T> values;
  std::exception_ptr error;
};

/// true for a range that map() owns (an rvalue moved into it): its elements may be moved into tasks
template <class V>
inline constexpr bool kOwnedRange = false;
template <class R>
inline constexpr bool kOwnedRange<std::ranges::owning_view<R>> = true;

/// how the thread backend runs map()'s chunks: each chunk is one submit()ted task that calls `fn` on
/// its items in order and stops at the first exception. A BasicMapRange backend provides the same
/// members: argument_type, value_type, Pending, submit(items), take(pending, timeout), cancel(pending).
template <class Executor, class F, class Input>
class CallableMapChunks {
 public:
  using argument_type = Input;
  using value_type = MapValue<std::invoke_result_t<F&, Input&>>;
  /// a submitted chunk
  using Pending = Future<MapChunk<value_type>>;

  CallableMapChunks(Executor& executor, F fn) : executor_(&executor), fn_(std::make_shared<F>(std::move(fn))) {}

  [[nodiscard]] Pending submit(std::vector<Input> items) {
    return executor_->submit([fn = fn_, items = std::move(items)]() mutable {
      MapChunk<value_type> chunk;
      chunk.values.reserve(items.size());
      try {
        for (auto& item : items) {
          if constexpr (std::is_void_v<std::invoke_result_t<F&, Input&>>) {
            std::invoke(*fn, item);
            chunk.values.emplace_back();
          } else {
            chunk.values.push_back(std::invoke(*fn, item));
          }
        }
      } catch (...) {
        chunk.error = std::current_exception();
      }
      return chunk;
    });
  }

  /// waits for the chunk; throws TimeoutError, or CancelledError/BrokenExecutor for the chunk as a whole
  static MapChunk<value_type> take(Pending& pending, std::optional<Seconds> timeout) {
    return pending.state()->take(timeout);
  }

  static void cancel(Pending& pending) noexcept { pending.cancel(); }

 private:
  Executor* executor_;
  std::shared_ptr<F> fn_;  // shared by all chunks and called concurrently
};

}  // namespace imgpool::pool::detail
