#include <imgpool/pool/chunking.hpp>

#include <algorithm>
#include <numeric>
#include <string>

#include <imgpool/pool/error.hpp>

namespace imgpool::pool {
namespace {

void check_workers(int workers) {
  if (workers < 1) throw InvalidArgument("ChunkPlanner: workers must be >= 1, got " + std::to_string(workers));
}

}  // namespace

std::uint64_t ChunkPlanner::target_cost(std::span<const std::uint64_t> costs, int workers) const {
  check_workers(workers);
  if (options_.target_cost != 0) return options_.target_cost;
  const std::uint64_t total = std::accumulate(costs.begin(), costs.end(), std::uint64_t{0});
  const std::uint64_t parts = chunks_per_worker * static_cast<std::uint64_t>(workers);
  const std::uint64_t target = std::max<std::uint64_t>(1, (total + parts - 1) / parts);
  return options_.max_auto_target != 0 ? std::min(target, options_.max_auto_target) : target;
}

std::vector<std::vector<std::size_t>> ChunkPlanner::plan(std::span<const std::uint64_t> costs, int workers) const {
  const std::uint64_t target = target_cost(costs, workers);
  const std::size_t max_items = options_.max_items != 0 ? options_.max_items : default_max_items;

  struct Chunk {
    std::vector<std::size_t> items;
    std::uint64_t cost = 0;
  };
  std::vector<Chunk> chunks;
  Chunk open;
  const auto close = [&] {
    if (!open.items.empty()) chunks.push_back(std::move(open));
    open = Chunk{};
  };
  for (std::size_t i = 0; i < costs.size(); ++i) {
    if (costs[i] > target) {  // too big to share: alone, and the open chunk stays open
      chunks.push_back(Chunk{{i}, costs[i]});
      continue;
    }
    if (open.items.size() == max_items || (!open.items.empty() && open.cost + costs[i] > target)) close();
    open.items.push_back(i);
    open.cost += costs[i];
  }
  close();

  // Largest first, so the most expensive work never starts last and sets the tail latency.
  // Ties go by first item, i.e. input order.
  std::sort(chunks.begin(), chunks.end(), [](const Chunk& a, const Chunk& b) {
    return a.cost != b.cost ? a.cost > b.cost : a.items.front() < b.items.front();
  });
  std::vector<std::vector<std::size_t>> result;
  result.reserve(chunks.size());
  for (auto& c : chunks) result.push_back(std::move(c.items));
  return result;
}

}  // namespace imgpool::pool
