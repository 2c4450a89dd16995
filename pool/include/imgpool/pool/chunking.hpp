#pragma once
// ChunkPlanner: groups work items by cost into chunks, largest first, so that a batch of very
// different items (small and huge files) spreads evenly over the workers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace imgpool::pool {

/// how ChunkPlanner sizes chunks
struct ChunkOptions {
  /// a chunk closes before its total cost would exceed this; 0 = auto (see ChunkPlanner)
  std::uint64_t target_cost = 0;
  /// a chunk holds at most this many items; 0 = auto (64)
  std::size_t max_items = 0;
  /// an upper bound for the auto target, 0 = none. Chunking exists to amortise per-task overhead;
  /// once a chunk costs far more than that overhead, bigger chunks only make balancing coarser.
  /// (The batch runner caps it at 1 MiB of input files.)
  std::uint64_t max_auto_target = 0;

  /// chunking off: every item in a chunk of its own
  static constexpr ChunkOptions disabled() noexcept { return ChunkOptions{0, 1, 0}; }
};

/// plans chunks of item indices from per-item costs (for files: their size in bytes).
/// Rules: items are taken in input order and a chunk closes when the next item would push its
/// total above the target or it holds max_items; an item costing more than the target rides
/// alone; chunks come out by total cost descending (ties keep input order), indices inside a
/// chunk in input order. The auto target is ceil(total / (4 * workers)), at least 1, so there are
/// about 4 chunks per worker to balance with, capped by max_auto_target when that is set. Deterministic; const members are thread-safe.
///
///   auto chunks = ChunkPlanner().plan(file_sizes, pool.max_workers());
class ChunkPlanner {
 public:
  /// the default auto max_items
  static constexpr std::size_t default_max_items = 64;
  /// auto target_cost aims for this many chunks per worker
  static constexpr std::uint64_t chunks_per_worker = 4;

  explicit ChunkPlanner(ChunkOptions options = {}) noexcept : options_(options) {}

  /// returns the chunks for `costs` on `workers` workers (>= 1, else InvalidArgument)
  std::vector<std::vector<std::size_t>> plan(std::span<const std::uint64_t> costs, int workers) const;

  /// the target cost plan() uses for these costs and workers
  std::uint64_t target_cost(std::span<const std::uint64_t> costs, int workers) const;

 private:
  ChunkOptions options_;
};

}  // namespace imgpool::pool
