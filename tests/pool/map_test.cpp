#include <imgpool/pool/map.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

#include "gate.hpp"
#include <imgpool/pool/executor.hpp>

using namespace imgpool::pool;
using test_support::Gate;
using test_support::kLongWait;

class map_workers : public ::testing::TestWithParam<int> {};

TEST_P(map_workers, yields_results_in_input_order) {
  ThreadPoolExecutor pool({.max_workers = GetParam()});
  std::vector<int> inputs(500);
  for (int i = 0; i < 500; ++i) inputs[static_cast<std::size_t>(i)] = i;
  std::vector<int> out;
  // Early items are slowest, so completion order differs from input order.
  for (int v : pool.map([](int x) {
         if (x < 4) std::this_thread::sleep_for(std::chrono::milliseconds(5 * (4 - x)));
         return x * 3;
       }, inputs))
    out.push_back(v);
  ASSERT_EQ(out.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], 3 * i);
}

TEST_P(map_workers, chunked_results_in_input_order) {
  ThreadPoolExecutor pool({.max_workers = GetParam()});
  std::vector<long> out;
  for (long v : pool.map([](int x) { return long{x} * x; }, std::views::iota(0, 1000), {.chunksize = 7})) out.push_back(v);
  ASSERT_EQ(out.size(), 1000u);
  for (long i = 0; i < 1000; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], i * i);
}

TEST_P(map_workers, buffersize_bounds_items_in_flight) {
  ThreadPoolExecutor pool({.max_workers = GetParam()});
  constexpr std::size_t kBuffer = 3;
  constexpr std::size_t kChunk = 4;
  std::atomic<long> pulled{0}, consumed{0}, high_water{0};
  // Pulling happens in this thread as the range refills, so pulled - consumed is what is in flight.
  auto inputs = std::views::iota(0, 1'000'000) | std::views::transform([&](int x) {
                  const long in_flight = ++pulled - consumed.load();
                  long seen = high_water.load();
                  while (in_flight > seen && !high_water.compare_exchange_weak(seen, in_flight)) {
                  }
                  return x;
                });
  long expected = 0;
  for (int v : pool.map([](int x) { return x; }, inputs, {.chunksize = kChunk, .buffersize = kBuffer})) {
    EXPECT_EQ(v, expected++);
    ++consumed;
    if (consumed == 200) break;
  }
  EXPECT_LE(high_water.load(), static_cast<long>(kBuffer * kChunk));
  EXPECT_GE(high_water.load(), static_cast<long>(kChunk));
  EXPECT_LE(pulled.load(), 200 + static_cast<long>(kBuffer * kChunk));  // the million were never materialised
}

INSTANTIATE_TEST_SUITE_P(map, map_workers, ::testing::Values(1, 2, 4, 8));

TEST(map, rethrows_task_exception_at_its_item) {
  ThreadPoolExecutor pool({.max_workers = 2});
  auto range = pool.map([](int x) {
    if (x == 5) throw std::domain_error("five");
    return x;
  }, std::views::iota(0, 10), {.chunksize = 3});
  std::vector<int> got;
  try {
    for (int v : range) got.push_back(v);
    FAIL() << "expected the task's exception";
  } catch (const std::domain_error& e) {
    EXPECT_STREQ(e.what(), "five");
  }
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));  // everything before the failing item
}

TEST(map, timeout_from_call_throws_timeout_error) {
  Gate release;
  ThreadPoolExecutor pool({.max_workers = 1});
  auto range = pool.map([&](int x) {
    release.wait();
    return x;
  }, std::vector<int>{1, 2}, {.timeout = std::chrono::milliseconds(50)});
  EXPECT_THROW(range.begin(), TimeoutError);
  release.open();
}

TEST(map, destroying_range_early_cancels_pending_chunks) {
  Gate started, release;
  std::atomic<int> ran{0};
  ThreadPoolExecutor pool({.max_workers = 1});
  {
    auto range = pool.map([&](int x) {
      if (x == 0) {
        started.open();
        release.wait();
      }
      ++ran;
      return x;
    }, std::views::iota(0, 50));
    ASSERT_TRUE(started.wait_for());
  }  // only item 0 is running; the other 49 are pending and get cancelled
  release.open();
  pool.shutdown(true);
  EXPECT_EQ(ran.load(), 1);
}

TEST(map, accepts_void_functions) {
  std::atomic<int> sum{0};
  ThreadPoolExecutor pool({.max_workers = 2});
  std::size_t n = 0;
  for (auto v : pool.map([&](int x) { sum += x; }, std::views::iota(1, 11))) {
    static_assert(std::is_same_v<decltype(v), std::monostate>);
    ++n;
  }
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(sum.load(), 55);
}

TEST(map, empty_input_yields_nothing) {
  ThreadPoolExecutor pool({.max_workers = 1});
  auto range = pool.map([](int x) { return x; }, std::vector<int>{});
  EXPECT_EQ(range.begin(), range.end());
}

TEST(map, rejects_zero_chunksize) {
  ThreadPoolExecutor pool({.max_workers = 1});
  EXPECT_THROW(pool.map([](int x) { return x; }, std::vector<int>{1}, {.chunksize = 0}), InvalidArgument);
}

TEST(map, moves_results_out_for_move_only_types) {
  ThreadPoolExecutor pool({.max_workers = 2});
  int total = 0;
  for (auto& p : pool.map([](int x) { return std::make_unique<int>(x); }, std::views::iota(0, 5))) {
    std::unique_ptr<int> mine = std::move(p);
    total += *mine;
  }
  EXPECT_EQ(total, 10);
}
