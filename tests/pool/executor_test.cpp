#include <imgpool/pool/executor.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gate.hpp"
#include <imgpool/pool/cpu.hpp>
#include <imgpool/pool/wait.hpp>

using namespace imgpool::pool;
using test_support::Gate;
using test_support::kLongWait;

TEST(executor, runs_submitted_task_with_arguments) {
  ThreadPoolExecutor pool({.max_workers = 2});
  auto f = pool.submit([](int a, const std::string& b) { return b + std::to_string(a); }, 42, std::string("x"));
  EXPECT_EQ(f.result(kLongWait), "x42");
}

TEST(executor, propagates_exception) {
  ThreadPoolExecutor pool({.max_workers = 2});
  auto f = pool.submit([] {
    throw std::invalid_argument("nope");
    return 0;
  });
  try {
    f.result(kLongWait);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "nope");
  }
}

TEST(executor, accepts_move_only_arguments) {
  ThreadPoolExecutor pool({.max_workers = 1});
  auto f = pool.submit([](std::unique_ptr<int> p) { return *p; }, std::make_unique<int>(5));
  EXPECT_EQ(f.result(kLongWait), 5);
}

TEST(executor, zero_max_workers_means_available_cpus) {
  ThreadPoolExecutor pool;
  EXPECT_EQ(pool.max_workers(), available_cpus());
}

TEST(executor, negative_max_workers_is_invalid) {
  EXPECT_THROW(ThreadPoolExecutor({.max_workers = -1}), InvalidArgument);
  EXPECT_THROW(ThreadPoolExecutor({.max_workers = -1}), imgpool::Error);
}

TEST(executor, submit_after_shutdown_throws) {
  ThreadPoolExecutor pool({.max_workers = 1});
  pool.shutdown();
  EXPECT_THROW(pool.submit([] {}), ShutdownError);
}

TEST(executor, shutdown_is_idempotent) {
  ThreadPoolExecutor pool({.max_workers = 2});
  auto f = pool.submit([] { return 1; });
  pool.shutdown(false);
  pool.shutdown(true);
  pool.shutdown(true);
  EXPECT_EQ(f.result(), 1);
}

TEST(executor, shutdown_wait_runs_queued_tasks) {
  Gate release;
  std::atomic<int> ran{0};
  ThreadPoolExecutor pool({.max_workers = 1});
  (void)pool.submit([&] { release.wait(); });
  std::vector<Future<void>> queued;
  for (int i = 0; i < 10; ++i) queued.push_back(pool.submit([&] { ++ran; }));
  std::thread opener([&] { release.open(); });
  pool.shutdown(true);  // returns only once the blocker and all queued tasks ran
  opener.join();
  EXPECT_EQ(ran.load(), 10);
  for (auto& f : queued) EXPECT_TRUE(f.done());
}

TEST(executor, shutdown_cancel_futures_cancels_pending) {
  Gate started, release;
  ThreadPoolExecutor pool({.max_workers = 1});
  auto running = pool.submit([&] {
    started.open();
    release.wait();
    return 1;
  });
  std::vector<Future<int>> pending;
  for (int i = 0; i < 5; ++i) pending.push_back(pool.submit([] { return 2; }));
  ASSERT_TRUE(started.wait_for());
  pool.shutdown(false, true);
  for (auto& f : pending) EXPECT_TRUE(f.cancelled());
  release.open();
  pool.shutdown(true);
  EXPECT_EQ(running.result(), 1);  // the running task is not interrupted
}

TEST(executor, destructor_waits_for_tasks) {
  std::atomic<int> ran{0};
  {
    ThreadPoolExecutor pool({.max_workers = 2});
    for (int i = 0; i < 50; ++i) (void)pool.submit([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(executor, initializer_state_is_per_worker) {
  std::atomic<int> next{0};
  std::latch both(2);
  ThreadPoolExecutor pool({.max_workers = 2, .initializer = [&]() -> std::any { return next++; }});
  std::vector<Future<std::pair<int, int>>> fs;
  for (int i = 0; i < 2; ++i) {
    fs.push_back(pool.submit([&] {
      both.arrive_and_wait();  // forces the two tasks onto different workers
      return std::pair{this_worker::state<int>(), this_worker::index()};
    }));
  }
  std::set<int> states, indices;
  for (auto& f : fs) {
    auto [s, i] = f.result(kLongWait);
    states.insert(s);
    indices.insert(i);
  }
  EXPECT_EQ(states, (std::set<int>{0, 1}));
  EXPECT_EQ(indices, (std::set<int>{0, 1}));
}

TEST(executor, bind_initializer_passes_arguments) {
  ThreadPoolExecutor pool({.max_workers = 1,
                           .initializer = ThreadPoolExecutor::bind_initializer(
                               [](const std::string& s, int n) { return s + std::to_string(n); }, std::string("w"), 3)});
  EXPECT_EQ(pool.submit([] { return this_worker::state<std::string>(); }).result(kLongWait), "w3");
}

TEST(executor, worker_state_errors) {
  EXPECT_FALSE(this_worker::on_worker());
  EXPECT_EQ(this_worker::index(), -1);
  EXPECT_THROW(this_worker::state<int>(), imgpool::Error);
  ThreadPoolExecutor plain({.max_workers = 1});
  EXPECT_TRUE(plain.submit([] { return this_worker::on_worker(); }).result(kLongWait));
  EXPECT_THROW(plain.submit([] { return this_worker::state<int>(); }).result(kLongWait), imgpool::Error);
  ThreadPoolExecutor typed({.max_workers = 1, .initializer = [] { return std::any(1); }});
  EXPECT_THROW(typed.submit([] { return this_worker::state<std::string>(); }).result(kLongWait), imgpool::Error);
}

TEST(executor, broken_by_initializer) {
  Gate submitted;
  ThreadPoolExecutor pool({.max_workers = 1, .initializer = [&]() -> std::any {
                             submitted.wait();  // make sure work is pending when it fails
                             throw std::runtime_error("no codec");
                           }});
  std::vector<Future<int>> pending;
  for (int i = 0; i < 3; ++i) pending.push_back(pool.submit([] { return 1; }));
  submitted.open();
  for (auto& f : pending) {
    try {
      f.result(kLongWait);
      FAIL() << "expected BrokenExecutor";
    } catch (const BrokenExecutor& e) {
      EXPECT_NE(std::string(e.what()).find("no codec"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(pool.submit([] { return 1; }), BrokenExecutor);
  pool.shutdown();  // still shuts down cleanly
}

TEST(executor, two_executors_do_not_interfere) {
  Gate release;
  ThreadPoolExecutor a({.max_workers = 2, .initializer = [] { return std::any(std::string("a")); }});
  ThreadPoolExecutor b({.max_workers = 3, .initializer = [] { return std::any(std::string("b")); }});
  // Block all of a's workers: b must still make progress.
  std::vector<Future<void>> blockers;
  for (int i = 0; i < 2; ++i) blockers.push_back(a.submit([&] { release.wait(); }));
  std::vector<Future<std::string>> fb;
  for (int i = 0; i < 100; ++i) fb.push_back(b.submit([] { return this_worker::state<std::string>(); }));
  for (auto& f : fb) EXPECT_EQ(f.result(kLongWait), "b");
  release.open();
  EXPECT_EQ(a.submit([] { return this_worker::state<std::string>(); }).result(kLongWait), "a");
  b.shutdown();
  EXPECT_THROW(b.submit([] {}), ShutdownError);
  EXPECT_NO_THROW(a.submit([] {}).result(kLongWait));  // a's shutdown state is its own
}

TEST(executor, tasks_may_submit_to_their_own_executor) {
  ThreadPoolExecutor pool({.max_workers = 2});
  auto outer = pool.submit([&] { return pool.submit([] { return 4; }); });
  EXPECT_EQ(outer.result(kLongWait).result(kLongWait), 4);
}

TEST(executor, stress_many_tiny_tasks_from_four_threads) {
  ThreadPoolExecutor pool({.max_workers = 4});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25'000;
  std::vector<std::vector<Future<int>>> futures(kThreads);
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      futures[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) futures[t].push_back(pool.submit([](int x) { return x * 2; }, t * kPerThread + i));
    });
  }
  for (auto& s : submitters) s.join();
  long long sum = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) {
      const int v = futures[t][i].result(kLongWait);
      ASSERT_EQ(v, 2 * (t * kPerThread + i));
      sum += v;
    }
  const long long n = kThreads * kPerThread;
  EXPECT_EQ(sum, n * (n - 1));
}

// Concurrency tests over worker counts, including more workers than this machine has cores.
class executor_workers : public ::testing::TestWithParam<int> {};

TEST_P(executor_workers, runs_exactly_max_workers_tasks_at_once) {
  const int n = GetParam();
  std::latch all_started(n);
  std::atomic<int> active{0}, peak{0};
  Gate release;
  ThreadPoolExecutor pool({.max_workers = n});
  ASSERT_EQ(pool.max_workers(), n);
  std::vector<Future<void>> fs;
  for (int i = 0; i < 2 * n; ++i) {
    fs.push_back(pool.submit([&] {
      const int now = ++active;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      all_started.count_down();
      release.wait();
      --active;
    }));
  }
  // All n tasks start together (they would deadlock here with fewer threads) ...
  std::thread opener([&] {
    all_started.wait();
    release.open();
  });
  for (auto& f : fs) f.result(kLongWait);
  opener.join();
  // ... and never more than n.
  EXPECT_EQ(peak.load(), n);
}

TEST_P(executor_workers, initializer_runs_once_per_worker) {
  const int n = GetParam();
  std::mutex m;
  std::multiset<std::thread::id> init_threads;
  {
    ThreadPoolExecutor pool({.max_workers = n, .initializer = [&]() -> std::any {
                               std::lock_guard lock(m);
                               init_threads.insert(std::this_thread::get_id());
                               return std::this_thread::get_id();
                             }});
    std::vector<Future<bool>> fs;
    for (int i = 0; i < 20 * n; ++i)
      fs.push_back(pool.submit([] { return this_worker::state<std::thread::id>() == std::this_thread::get_id(); }));
    for (auto& f : fs) EXPECT_TRUE(f.result(kLongWait));
  }
  std::set<std::thread::id> distinct(init_threads.begin(), init_threads.end());
  EXPECT_EQ(init_threads.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(n));
}

TEST_P(executor_workers, all_results_correct_under_load) {
  ThreadPoolExecutor pool({.max_workers = GetParam()});
  std::vector<Future<long>> fs;
  for (long i = 0; i < 2000; ++i) fs.push_back(pool.submit([](long x) { return x * x; }, i));
  for (long i = 0; i < 2000; ++i) EXPECT_EQ(fs[static_cast<std::size_t>(i)].result(kLongWait), i * i);
}

INSTANTIATE_TEST_SUITE_P(executor, executor_workers, ::testing::Values(1, 2, 4, 8));
