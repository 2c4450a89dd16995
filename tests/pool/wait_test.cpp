#include <imgpool/pool/wait.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gate.hpp"
#include <imgpool/pool/executor.hpp>

using namespace imgpool::pool;
using test_support::Gate;
using test_support::kLongWait;
using test_support::kShortWait;

namespace {

// Futures completed by hand, so each test controls exactly what is done and when.
struct Manual {
  std::shared_ptr<detail::FutureState<int>> state = std::make_shared<detail::FutureState<int>>();
  Future<int> future{state};
  void finish(int v) {
    ASSERT_TRUE(state->set_running_or_notify_cancel());
    state->set_result(v);
  }
  void fail() {
    ASSERT_TRUE(state->set_running_or_notify_cancel());
    state->set_exception(std::make_exception_ptr(std::runtime_error("failed")));
  }
};

std::vector<Future<int>> futures_of(std::vector<Manual>& ms) {
  std::vector<Future<int>> fs;
  for (auto& m : ms) fs.push_back(m.future);
  return fs;
}

}  // namespace

TEST(wait, all_completed_waits_for_every_future) {
  ThreadPoolExecutor pool({.max_workers = 2});
  std::vector<Future<int>> fs;
  for (int i = 0; i < 20; ++i) fs.push_back(pool.submit([i] { return i; }));
  auto r = wait(fs, kLongWait);
  EXPECT_EQ(r.done.size(), 20u);
  EXPECT_TRUE(r.not_done.empty());
  for (auto& f : r.done) EXPECT_TRUE(f.done());
}

TEST(wait, all_completed_timeout_reports_not_done) {
  std::vector<Manual> ms(3);
  ms[0].finish(1);
  auto r = wait(futures_of(ms), kShortWait, ReturnWhen::ALL_COMPLETED);
  ASSERT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.done[0], ms[0].future);
  EXPECT_EQ(r.not_done.size(), 2u);
}

TEST(wait, first_completed_returns_when_one_finishes) {
  std::vector<Manual> ms(3);
  std::thread finisher([&] { ms[1].finish(5); });
  auto r = wait(futures_of(ms), kLongWait, ReturnWhen::FIRST_COMPLETED);
  finisher.join();
  ASSERT_GE(r.done.size(), 1u);
  EXPECT_EQ(r.done[0], ms[1].future);
  EXPECT_EQ(r.not_done.size(), 2u);
}

TEST(wait, first_completed_returns_at_once_if_one_is_done) {
  std::vector<Manual> ms(2);
  ms[0].finish(1);
  auto r = wait(futures_of(ms), std::nullopt, ReturnWhen::FIRST_COMPLETED);  // no timeout: must not block
  EXPECT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.not_done.size(), 1u);
}

TEST(wait, first_completed_times_out) {
  std::vector<Manual> ms(2);
  auto r = wait(futures_of(ms), kShortWait, ReturnWhen::FIRST_COMPLETED);
  EXPECT_TRUE(r.done.empty());
  EXPECT_EQ(r.not_done.size(), 2u);
}

TEST(wait, first_exception_returns_on_failure) {
  std::vector<Manual> ms(3);
  ms[0].finish(1);  // a success does not end a FIRST_EXCEPTION wait
  std::thread failer([&] { ms[2].fail(); });
  auto r = wait(futures_of(ms), kLongWait, ReturnWhen::FIRST_EXCEPTION);
  failer.join();
  EXPECT_EQ(r.done.size(), 2u);
  ASSERT_EQ(r.not_done.size(), 1u);
  EXPECT_EQ(r.not_done[0], ms[1].future);
}

TEST(wait, first_exception_without_failure_waits_for_all) {
  std::vector<Manual> ms(2);
  ms[0].finish(1);
  auto r = wait(futures_of(ms), kShortWait, ReturnWhen::FIRST_EXCEPTION);
  EXPECT_EQ(r.done.size(), 1u);  // timed out: the success alone did not end the wait
  std::thread finisher([&] { ms[1].finish(2); });
  r = wait(futures_of(ms), kLongWait, ReturnWhen::FIRST_EXCEPTION);
  finisher.join();
  EXPECT_EQ(r.done.size(), 2u);
}

TEST(wait, first_exception_ignores_cancellation) {
  std::vector<Manual> ms(2);
  ms[0].future.cancel();
  auto r = wait(futures_of(ms), kShortWait, ReturnWhen::FIRST_EXCEPTION);
  EXPECT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.not_done.size(), 1u);
}

TEST(wait, removes_duplicates) {
  std::vector<Manual> ms(1);
  ms[0].finish(1);
  auto r = wait(std::vector<Future<int>>{ms[0].future, ms[0].future});
  EXPECT_EQ(r.done.size(), 1u);
}

TEST(wait, empty_input_returns_at_once) {
  auto r = wait(std::vector<Future<int>>{}, std::nullopt, ReturnWhen::FIRST_COMPLETED);
  EXPECT_TRUE(r.done.empty());
  EXPECT_TRUE(r.not_done.empty());
}

TEST(as_completed, yields_done_futures_first_then_completion_order) {
  std::vector<Manual> ms(4);
  ms[3].finish(3);
  ms[1].finish(1);
  auto range = as_completed(futures_of(ms), kLongWait);
  std::vector<int> order;
  std::thread finisher;
  for (const auto& f : range) {
    order.push_back(f.result());
    if (order.size() == 2) {
      // Only now finish the rest, in the order 2 then 0.
      finisher = std::thread([&] {
        ms[2].finish(2);
        ms[0].finish(0);
      });
    }
  }
  finisher.join();
  EXPECT_EQ(order, (std::vector<int>{1, 3, 2, 0}));
}

TEST(as_completed, yields_duplicates_once) {
  std::vector<Manual> ms(2);
  ms[0].finish(0);
  ms[1].finish(1);
  int count = 0;
  for (const auto& f : as_completed(std::vector<Future<int>>{ms[0].future, ms[1].future, ms[0].future})) {
    (void)f;
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST(as_completed, throws_timeout_error_when_time_runs_out) {
  std::vector<Manual> ms(2);
  ms[0].finish(0);
  auto range = as_completed(futures_of(ms), kShortWait);
  auto it = range.begin();
  ASSERT_NE(it, range.end());
  EXPECT_EQ(it->result(), 0);
  EXPECT_THROW(++it, TimeoutError);
}

TEST(as_completed, waiter_is_removed_when_range_dies) {
  std::vector<Manual> ms(1);
  {
    auto range = as_completed(futures_of(ms), kShortWait);
    EXPECT_THROW(range.begin(), TimeoutError);
  }
  ms[0].finish(1);  // would touch a dead waiter if it were still registered (ASan/TSan catch it)
  EXPECT_EQ(ms[0].future.result(), 1);
}

TEST(as_completed, works_with_executor_futures) {
  ThreadPoolExecutor pool({.max_workers = 4});
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(pool.submit([i] { return i; }));
  std::vector<bool> seen(100);
  for (const auto& f : as_completed(fs, kLongWait)) seen[static_cast<std::size_t>(f.result())] = true;
  for (bool s : seen) EXPECT_TRUE(s);
}

namespace {
class as_completed_lifetime : public ::testing::TestWithParam<int> {};
}  // namespace

// A range dropped right after its first future, while workers are still completing the others: a
// completing thread must be done with the waiter (its condition variable included) before the range
// can destroy it. ThreadSanitizer reported a heap-use-after-free here when notify signalled after
// unlocking: the range had already consumed that completion, so it did not unregister that future.
TEST_P(as_completed_lifetime, dropping_the_range_while_futures_complete_is_safe) {
  constexpr int kRounds = 2000;
  constexpr int kFutures = 4;
  ThreadPoolExecutor pool({.max_workers = GetParam()});
  for (int round = 0; round < kRounds; ++round) {
    auto gate = std::make_shared<Gate>();
    std::vector<Future<int>> fs;
    for (int i = 0; i < kFutures; ++i) fs.push_back(pool.submit([gate, i] {
      gate->wait();
      return i;
    }));
    {
      auto range = as_completed(fs, kLongWait);
      gate->open();
      auto it = range.begin();
      ASSERT_TRUE(it != range.end());
      ASSERT_TRUE(it->done());
    }  // dropped while the other futures are completing
    ASSERT_EQ(wait(fs, kLongWait).done.size(), static_cast<std::size_t>(kFutures));
  }
}

INSTANTIATE_TEST_SUITE_P(workers, as_completed_lifetime, ::testing::Values(1, 2, 4));
