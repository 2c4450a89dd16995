#pragma once
// map(): apply a function to every element of a (possibly lazy) range on an executor, yielding
// results in input order. BasicMapRange holds the ordering, chunking, buffering, timeout and
// cancellation logic once for every backend; MapRange runs it on any executor with submit(callable).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <imgpool/pool/detail/future_state.hpp>
#include <imgpool/pool/detail/map_chunks.hpp>
#include <imgpool/pool/error.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/seconds.hpp>

namespace imgpool::pool {

/// how map() splits and paces its work
struct MapOptions {
  /// inputs per submitted task; > 1 amortises task overhead for tiny functions (must be >= 1)
  std::size_t chunksize = 1;
  /// overall limit measured from the map() call; iteration throws TimeoutError past it
  std::optional<Seconds> timeout{};
  /// at most this many chunks in flight (submitted, not yet fully consumed), with inputs pulled
  /// lazily as results are consumed; 0 = submit everything at the map() call, as Python does
  std::size_t buffersize = 0;
};

/// the lazy, single-pass range of results that map() returns, in input order, for any backend
/// `Chunks` (see detail::CallableMapChunks for what it provides).
/// A task's exception is rethrown when its item is reached, after which the range ends and the
/// remaining chunks are cancelled. Destroying the range early cancels chunks not yet started.
/// The executor (and a borrowed input range) must outlive it. Not thread-safe: iterate it from
/// one thread.
template <class Chunks, std::ranges::input_range V>
class BasicMapRange {
 public:
  using value_type = typename Chunks::value_type;

 private:
  using Chunk = detail::MapChunk<value_type>;
  using Pending = typename Chunks::Pending;

  struct State {
    Chunks chunks;
    V inputs;
    std::ranges::iterator_t<V> next;
    MapOptions options;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::deque<Pending> in_flight;  // front: the chunk being consumed once `taken`
    Chunk current;
    std::size_t pos = 0;
    bool taken = false;    // current holds the front chunk's values
    bool started = false;  // begin() has positioned on the first item
    bool finished = false;

    State(Chunks c, V in, MapOptions opts)
        : chunks(std::move(c)), inputs(std::move(in)), next(std::ranges::begin(inputs)), options(opts) {
      if (options.chunksize == 0) throw InvalidArgument("map(): chunksize must be at least 1");
      deadline = detail::deadline_after(options.timeout);
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() { cancel_rest(); }

    void cancel_rest() noexcept {
      for (auto& p : in_flight) Chunks::cancel(p);
      in_flight.clear();
      finished = true;
    }

    bool submit_next_chunk() {
      if (next == std::ranges::end(inputs)) return false;
      std::vector<typename Chunks::argument_type> items;
      items.reserve(options.chunksize);
      for (; items.size() < options.chunksize && next != std::ranges::end(inputs); ++next) {
        if constexpr (detail::kOwnedRange<V>) {
          items.push_back(std::ranges::iter_move(next));
        } else {
          items.push_back(*next);
        }
      }
      in_flight.push_back(chunks.submit(std::move(items)));
      return true;
    }

    void fill() {
      while ((options.buffersize == 0 || in_flight.size() < options.buffersize) && submit_next_chunk()) {
      }
    }

    // Moves to the next item, waiting for its chunk; sets `finished` at the end.
    void advance() {
      if (finished) return;
      if (started) ++pos;
      started = true;
      while (pos >= current.values.size()) {
        if (current.error) {
          const auto error = std::exchange(current.error, nullptr);
          cancel_rest();
          std::rethrow_exception(error);
        }
        if (taken) in_flight.pop_front();  // the consumed chunk leaves the buffer before refilling
        taken = false;
        fill();
        if (in_flight.empty()) {
          finished = true;
          return;
        }
        try {
          std::optional<Seconds> remaining;
          if (deadline) remaining = std::max(Seconds(0), Seconds(*deadline - std::chrono::steady_clock::now()));
          current = Chunks::take(in_flight.front(), remaining);
        } catch (const TimeoutError&) {
          cancel_rest();
          throw TimeoutError("map(): results not ready within the timeout");
        } catch (...) {
          cancel_rest();
          throw;
        }
        taken = true;
        pos = 0;
      }
    }
  };

 public:
  /// input iterator over the results; ++ blocks for the next result and may throw
  class iterator {
   public:
    using value_type = BasicMapRange::value_type;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(State* s) : s_(s) {}
    value_type& operator*() const { return s_->current.values[s_->pos]; }
    iterator& operator++() {
      s_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.s_->finished; }

   private:
    State* s_ = nullptr;
  };

  /// submits the first chunks (all of them when buffersize is 0); see MapOptions
  BasicMapRange(Chunks chunks, V inputs, MapOptions options)
      : s_(std::make_unique<State>(std::move(chunks), std::move(inputs), options)) {
    s_->fill();
  }

  /// blocks for the first result (rethrowing its exception); later calls do not advance
  iterator begin() {
    if (!s_->started) s_->advance();
    return iterator(s_.get());
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  std::unique_ptr<State> s_;
};

/// map() on an executor with submit(callable), such as ThreadPoolExecutor. `fn` is shared by all
/// chunks and called concurrently, so it must be thread-safe.
template <class Executor, class F, std::ranges::input_range V>
class MapRange : public BasicMapRange<detail::CallableMapChunks<Executor, F, std::ranges::range_value_t<V>>, V> {
  using Chunks = detail::CallableMapChunks<Executor, F, std::ranges::range_value_t<V>>;

 public:
  /// submits the first chunks (all of them when buffersize is 0); see MapOptions
  MapRange(Executor& executor, F fn, V inputs, MapOptions options)
      : BasicMapRange<Chunks, V>(Chunks(executor, std::move(fn)), std::move(inputs), options) {}
};

}  // namespace imgpool::pool
