#include <imgpool/pool/chunking.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <imgpool/pool/error.hpp>

using imgpool::pool::ChunkOptions;
using imgpool::pool::ChunkPlanner;
using Chunks = std::vector<std::vector<std::size_t>>;

TEST(chunking, groups_items_up_to_target_cost) {
  const std::vector<std::uint64_t> costs{3, 3, 3, 3, 3, 3};
  const Chunks chunks = ChunkPlanner({.target_cost = 6}).plan(costs, 1);
  EXPECT_EQ(chunks, (Chunks{{0, 1}, {2, 3}, {4, 5}}));
}

TEST(chunking, item_above_target_rides_alone) {
  const std::vector<std::uint64_t> costs{1, 100, 1, 1};
  const Chunks chunks = ChunkPlanner({.target_cost = 10}).plan(costs, 1);
  // The big item does not break the small ones' chunk.
  EXPECT_EQ(chunks, (Chunks{{1}, {0, 2, 3}}));
}

TEST(chunking, largest_chunk_first_and_input_order_inside) {
  const std::vector<std::uint64_t> costs{1, 1, 5, 5, 2, 2};
  const Chunks chunks = ChunkPlanner({.target_cost = 10}).plan(costs, 1);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0], (std::vector<std::size_t>{3, 4, 5}));  // 5+2+2 = 9, made second
  EXPECT_EQ(chunks[1], (std::vector<std::size_t>{0, 1, 2}));  // 1+1+5 = 7; +5 would exceed 10
}

TEST(chunking, sorts_chunks_by_total_cost_descending) {
  const std::vector<std::uint64_t> costs{1, 2, 9, 4};
  const Chunks chunks = ChunkPlanner(ChunkOptions::disabled()).plan(costs, 2);
  EXPECT_EQ(chunks, (Chunks{{2}, {3}, {1}, {0}}));
}

TEST(chunking, equal_cost_chunks_keep_input_order) {
  const std::vector<std::uint64_t> costs{4, 4, 4};
  EXPECT_EQ(ChunkPlanner(ChunkOptions::disabled()).plan(costs, 1), (Chunks{{0}, {1}, {2}}));
}

TEST(chunking, max_items_caps_chunk_size) {
  const std::vector<std::uint64_t> costs(10, 1);
  const Chunks chunks = ChunkPlanner({.target_cost = 1000, .max_items = 4}).plan(costs, 1);
  EXPECT_EQ(chunks, (Chunks{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
}

TEST(chunking, disabled_puts_every_item_alone) {
  const std::vector<std::uint64_t> costs{1, 1, 1};
  EXPECT_EQ(ChunkPlanner(ChunkOptions::disabled()).plan(costs, 8).size(), 3u);
}

TEST(chunking, auto_target_gives_four_chunks_per_worker) {
  const std::vector<std::uint64_t> costs(80, 100);  // total 8000
  const ChunkPlanner planner;
  EXPECT_EQ(planner.target_cost(costs, 2), 1000u);  // 8000 / (4 * 2)
  const Chunks chunks = planner.plan(costs, 2);
  EXPECT_EQ(chunks.size(), 8u);
  for (const auto& c : chunks) EXPECT_EQ(c.size(), 10u);
}

TEST(chunking, auto_max_items_is_64) {
  const std::vector<std::uint64_t> costs(1000, 0);  // zero cost: only the item cap splits
  const Chunks chunks = ChunkPlanner().plan(costs, 1);
  ASSERT_EQ(chunks.size(), 16u);  // ceil(1000 / 64)
  EXPECT_EQ(chunks[0].size(), 64u);
}

TEST(chunking, covers_every_index_exactly_once) {
  std::vector<std::uint64_t> costs;
  for (std::uint64_t i = 0; i < 500; ++i) costs.push_back((i * 7919) % 1000);
  const Chunks chunks = ChunkPlanner().plan(costs, 4);
  std::vector<int> seen(costs.size());
  for (const auto& c : chunks)
    for (std::size_t i : c) ++seen[i];
  for (int n : seen) EXPECT_EQ(n, 1);
  EXPECT_GE(chunks.size(), 16u);
}

TEST(chunking, is_deterministic) {
  std::vector<std::uint64_t> costs;
  for (std::uint64_t i = 0; i < 300; ++i) costs.push_back((i * 31) % 97);
  EXPECT_EQ(ChunkPlanner().plan(costs, 3), ChunkPlanner().plan(costs, 3));
}

TEST(chunking, empty_input_gives_no_chunks) {
  EXPECT_TRUE(ChunkPlanner().plan({}, 2).empty());
}

TEST(chunking, rejects_zero_workers) {
  const std::vector<std::uint64_t> costs{1};
  EXPECT_THROW(ChunkPlanner().plan(costs, 0), imgpool::pool::InvalidArgument);
}

TEST(chunking, max_auto_target_caps_the_auto_target_only) {
  const std::vector<std::uint64_t> costs(80, 100);  // auto target would be 8000 / (4 * 2) = 1000
  EXPECT_EQ(ChunkPlanner({.max_auto_target = 300}).target_cost(costs, 2), 300u);
  EXPECT_EQ(ChunkPlanner({.max_auto_target = 300}).plan(costs, 2).size(), 27u);  // 3 items per chunk
  EXPECT_EQ(ChunkPlanner({.max_auto_target = 5000}).target_cost(costs, 2), 1000u);
  EXPECT_EQ(ChunkPlanner({.target_cost = 2000, .max_auto_target = 300}).target_cost(costs, 2), 2000u);
}
