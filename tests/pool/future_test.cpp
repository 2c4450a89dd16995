#include <imgpool/pool/future.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gate.hpp"
#include <imgpool/pool/executor.hpp>

using namespace imgpool::pool;
using test_support::Gate;
using test_support::kLongWait;
using test_support::kShortWait;

namespace {

std::shared_ptr<detail::FutureState<int>> make_state() { return std::make_shared<detail::FutureState<int>>(); }

}  // namespace

TEST(future, default_constructed_is_invalid) {
  EXPECT_FALSE(Future<int>().valid());
  EXPECT_TRUE(Future<int>(make_state()).valid());
}

TEST(future, result_returns_value) {
  auto state = make_state();
  Future<int> f(state);
  EXPECT_FALSE(f.done());
  ASSERT_TRUE(state->set_running_or_notify_cancel());
  EXPECT_TRUE(f.running());
  state->set_result(7);
  EXPECT_TRUE(f.done());
  EXPECT_FALSE(f.running());
  EXPECT_EQ(f.result(), 7);
  EXPECT_EQ(f.exception(), nullptr);
}

TEST(future, result_times_out) {
  Future<int> f(make_state());
  EXPECT_THROW(f.result(kShortWait), TimeoutError);
  EXPECT_THROW(f.exception(kShortWait), TimeoutError);
  EXPECT_THROW(f.result(std::chrono::duration<double>(0)), TimeoutError);
}

TEST(future, result_rethrows_task_exception) {
  ThreadPoolExecutor pool({.max_workers = 1});
  auto f = pool.submit([]() -> int { throw std::out_of_range("bad index"); });
  EXPECT_THROW(f.result(kLongWait), std::out_of_range);
  auto error = f.exception(kLongWait);
  ASSERT_NE(error, nullptr);
  EXPECT_THROW(std::rethrow_exception(error), std::out_of_range);
}

TEST(future, void_result) {
  ThreadPoolExecutor pool({.max_workers = 1});
  int side_effect = 0;
  Future<void> f = pool.submit([&] { side_effect = 5; });
  f.result(kLongWait);
  EXPECT_EQ(side_effect, 5);
}

TEST(future, cancel_succeeds_only_while_pending) {
  Gate started, release;
  ThreadPoolExecutor pool({.max_workers = 1});
  auto blocker = pool.submit([&] {
    started.open();
    release.wait();
    return 1;
  });
  auto queued = pool.submit([] { return 2; });
  ASSERT_TRUE(started.wait_for());
  EXPECT_TRUE(blocker.running());
  EXPECT_FALSE(blocker.cancel());  // running
  EXPECT_TRUE(queued.cancel());    // pending
  EXPECT_TRUE(queued.cancel());    // already cancelled still reports true
  EXPECT_TRUE(queued.cancelled());
  EXPECT_TRUE(queued.done());
  release.open();
  EXPECT_EQ(blocker.result(kLongWait), 1);
  EXPECT_FALSE(blocker.cancel());  // finished
  EXPECT_FALSE(blocker.cancelled());
  EXPECT_THROW(queued.result(), CancelledError);
  EXPECT_THROW(queued.exception(), CancelledError);
}

TEST(future, cancelled_task_never_runs) {
  Gate release;
  std::atomic<bool> ran{false};
  ThreadPoolExecutor pool({.max_workers = 1});
  auto blocker = pool.submit([&] { release.wait(); });
  auto queued = pool.submit([&] { ran = true; });
  ASSERT_TRUE(queued.cancel());
  release.open();
  pool.shutdown(true);
  EXPECT_FALSE(ran.load());
}

TEST(future, done_callback_runs_in_caller_when_already_done) {
  ThreadPoolExecutor pool({.max_workers = 1});
  auto f = pool.submit([] { return 3; });
  f.result(kLongWait);
  std::thread::id ran_on;
  int seen = 0;
  f.add_done_callback([&](Future<int> g) {
    ran_on = std::this_thread::get_id();
    seen = g.result();
  });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(seen, 3);
}

TEST(future, done_callback_runs_in_worker_when_pending) {
  Gate release;
  test_support::Slot<std::thread::id> task_thread, callback_thread;
  ThreadPoolExecutor pool({.max_workers = 1});
  auto f = pool.submit([&] {
    task_thread.set(std::this_thread::get_id());
    release.wait();
  });
  f.add_done_callback([&](Future<void>) { callback_thread.set(std::this_thread::get_id()); });
  release.open();
  const auto id = callback_thread.get();
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id, task_thread.get());
  EXPECT_NE(*id, std::this_thread::get_id());
}

TEST(future, done_callbacks_run_in_registration_order) {
  auto state = make_state();
  Future<int> f(state);
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) f.add_done_callback([&order, i](Future<int>) { order.push_back(i); });
  ASSERT_TRUE(state->set_running_or_notify_cancel());
  state->set_result(0);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(future, cancel_runs_done_callbacks) {
  Future<int> f(make_state());
  bool called = false;
  f.add_done_callback([&](Future<int> g) { called = g.cancelled(); });
  ASSERT_TRUE(f.cancel());
  EXPECT_TRUE(called);
}

TEST(future, throwing_callback_is_swallowed_and_reported) {
  Gate release;
  test_support::Slot<std::string> reported;
  ThreadPoolExecutor pool({.max_workers = 1, .on_callback_error = [&](std::exception_ptr e) {
                             try {
                               std::rethrow_exception(e);
                             } catch (const std::exception& ex) {
                               reported.set(ex.what());
                             }
                           }});
  auto f = pool.submit([&] { release.wait(); });
  f.add_done_callback([](Future<void>) { throw std::runtime_error("callback failed"); });
  release.open();
  EXPECT_EQ(reported.get(), "callback failed");
  // The worker survived the callback and keeps running tasks.
  EXPECT_EQ(pool.submit([] { return 9; }).result(kLongWait), 9);
  EXPECT_NO_THROW(f.result());
}

TEST(future, throwing_callback_on_done_future_does_not_reach_caller) {
  auto state = make_state();
  Future<int> f(state);
  ASSERT_TRUE(state->set_running_or_notify_cancel());
  state->set_result(1);
  EXPECT_NO_THROW(f.add_done_callback([](Future<int>) { throw std::runtime_error("x"); }));
}

TEST(future, completing_twice_is_invalid_state) {
  auto state = make_state();
  ASSERT_TRUE(state->set_running_or_notify_cancel());
  state->set_result(1);
  EXPECT_THROW(state->set_result(2), InvalidStateError);
  EXPECT_THROW(state->set_running_or_notify_cancel(), InvalidStateError);
}

TEST(future, copies_share_state) {
  auto state = make_state();
  Future<int> a(state);
  Future<int> b = a;
  EXPECT_EQ(a, b);
  EXPECT_TRUE(b.cancel());
  EXPECT_TRUE(a.cancelled());
}
