// ProcessPoolExecutor: results, crash isolation (segfault, abort, _exit, hang, memory cap, kill -9),
// retries, timeouts, recycling, initializers, shutdown, map(), and that no worker process ever outlives it.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ranges>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <imgpool/pool/process_executor.hpp>
#include <imgpool/pool/wait.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using imgpool::pool::Bytes;
using imgpool::pool::Future;
using imgpool::pool::ProcessExecutorOptions;
using imgpool::pool::ProcessPoolExecutor;

const char* const kWorker = IMGPOOL_TEST_WORKER;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;  // sanitizers reserve terabytes of address space: RLIMIT_AS cannot apply
#else
constexpr bool kSanitized = false;
#endif

Bytes bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string text(const Bytes& b) { return {b.begin(), b.end()}; }

ProcessExecutorOptions options(int workers) {
  ProcessExecutorOptions o;
  o.max_workers = workers;
  o.worker_path = kWorker;
  return o;
}

// the error message of a failed future, or "" when it succeeded
template <class E>
std::string failure(const Future<Bytes>& f) {
  const auto error = f.exception(std::chrono::seconds(60));
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "";
}

// the processes whose parent is this test process (live or zombie), from /proc
std::vector<pid_t> children() {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == getpid()) found.push_back(std::stoi(name));
  }
  return found;
}

// true once `pid` no longer runs (gone, or a zombie waiting for its new parent to reap it)
bool process_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// true while `pid` is in a job-control stop (state T)
bool process_stopped(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'T';
}

// Kills `pid` at the end of a test if it is still stopped, so that a failing test does not leave the
// executor's shutdown waiting on it.
struct KillIfStillStopped {
  pid_t pid;
  ~KillIfStillStopped() {
    if (process_stopped(pid)) kill(pid, SIGKILL);
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

class process_executor : public ::testing::TestWithParam<int> {};

}  // namespace

TEST_P(process_executor, runs_kinds_and_returns_results_in_order) {
  {
    ProcessPoolExecutor pool(options(GetParam()));
    EXPECT_EQ(text(pool.submit("echo", bytes("hello")).result(std::chrono::seconds(60))), "hello");
    std::vector<Bytes> args;
    for (int i = 0; i < 50; ++i) args.push_back(bytes(std::to_string(i)));
    const auto chunk = pool.submit_chunk("echo", args);
    ASSERT_EQ(chunk.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(text(chunk[static_cast<std::size_t>(i)].result(std::chrono::seconds(60))), std::to_string(i));
    std::vector<std::string> mapped;
    for (Bytes& r : pool.map("echo", args, {.chunksize = 7})) mapped.push_back(text(r));
    ASSERT_EQ(mapped.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(mapped[static_cast<std::size_t>(i)], std::to_string(i));
    EXPECT_EQ(failure<imgpool::pool::TaskFailed>(pool.submit("fail", bytes("x"))), "failed on purpose: x");
    EXPECT_EQ(failure<imgpool::pool::TaskFailed>(pool.submit("no such kind", {})), "unknown task kind \"no such kind\"");
  }
  EXPECT_TRUE(children().empty());
}

TEST_P(process_executor, crashing_tasks_fail_alone_and_every_good_task_completes) {
  auto o = options(GetParam());
  o.task_timeout = std::chrono::milliseconds(1500);
  if (!kSanitized) o.worker_memory_mb = 512;
  {
    ProcessPoolExecutor pool(o);
    std::vector<Future<Bytes>> good;
    auto add_good = [&] {
      for (int i = 0; i < 10; ++i) good.push_back(pool.submit("echo", bytes(std::to_string(good.size()))));
    };
    add_good();
    auto segv = pool.submit("segfault", {});
    add_good();
    auto abrt = pool.submit("abort", {});
    add_good();
    auto exited = pool.submit("exit", {});
    add_good();
    auto hang = pool.submit("loop", {});
    add_good();
    Future<Bytes> bomb;
    if (!kSanitized) bomb = pool.submit("alloc_mb", bytes("4096"));
    auto mixed = pool.submit_chunk("step", {bytes("echo:a"), bytes("segv"), bytes("echo:b")});
    add_good();

    for (std::size_t i = 0; i < good.size(); ++i) EXPECT_EQ(text(good[i].result(std::chrono::seconds(60))), std::to_string(i));
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(segv), "worker crashed (SIGSEGV)");
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(abrt), "worker crashed (SIGABRT)");
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(exited), "worker exited with status 7");
    EXPECT_EQ(failure<imgpool::pool::TaskTimedOut>(hang), "task timed out after 1.5 s (worker killed)");
    if (!kSanitized) {
      EXPECT_EQ(failure<imgpool::pool::TaskFailed>(bomb), "out of memory (worker memory cap 512 MB)");
    }
    EXPECT_EQ(text(mixed[0].result(std::chrono::seconds(60))), "a");
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(mixed[1]), "worker crashed (SIGSEGV)");
    EXPECT_EQ(text(mixed[2].result(std::chrono::seconds(60))), "b");
    // The pool goes on after all that.
    EXPECT_EQ(text(pool.submit("echo", bytes("after")).result(std::chrono::seconds(60))), "after");
  }
  EXPECT_TRUE(children().empty()) << "a worker process outlived the executor";
}

TEST_P(process_executor, a_crash_retries_only_the_unfinished_items_of_its_chunk) {
  const fs::path marker = fs::temp_directory_path() /
                          ("imgpool-crash-once-" + std::to_string(getpid()) + "-" + std::to_string(GetParam()));
  fs::remove(marker);
  {
    ProcessPoolExecutor pool(options(GetParam()));
    // One message: item 0 finishes on the worker that then crashes; items 1-2 run again on its replacement.
    auto chunk = pool.submit_chunk("step", {bytes("pid"), bytes("crash_once:" + marker.string()), bytes("pid")});
    const std::string before = text(chunk[0].result(std::chrono::seconds(60)));
    EXPECT_EQ(text(chunk[1].result(std::chrono::seconds(60))), "survived on attempt 1");
    EXPECT_NE(text(chunk[2].result(std::chrono::seconds(60))), before);
    // An item that crashes every worker fails alone; its chunk's other items succeed.
    auto always = pool.submit_chunk("step", {bytes("pid"), bytes("segv"), bytes("pid")});
    EXPECT_EQ(failure<imgpool::pool::TaskFailed>(always[0]), "");
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(always[1]), "worker crashed (SIGSEGV)");
    EXPECT_EQ(failure<imgpool::pool::TaskFailed>(always[2]), "");
  }
  fs::remove(marker);
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_retries, items_after_a_crash_run_on_a_fresh_worker) {
  const fs::path marker = fs::temp_directory_path() / ("imgpool-crash-once-" + std::to_string(getpid()));
  fs::remove(marker);
  {
    ProcessPoolExecutor pool(options(1));
    auto first = pool.submit("pid", {});
    auto crash = pool.submit("crash_once", bytes(marker.string()));
    auto after = pool.submit("pid", {});
    const std::string pid_before = text(first.result(std::chrono::seconds(60)));
    EXPECT_EQ(text(crash.result(std::chrono::seconds(60))), "survived on attempt 1");  // retried once, on a new worker
    EXPECT_NE(text(after.result(std::chrono::seconds(60))), pid_before);
  }
  fs::remove(marker);
  {
    auto o = options(1);
    o.retries = 0;
    ProcessPoolExecutor pool(o);
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(pool.submit("crash_once", bytes(marker.string()))),
              "worker crashed (SIGSEGV)");
  }
  fs::remove(marker);
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_timeout, the_overdue_item_fails_and_the_rest_of_its_chunk_is_retried) {
  auto o = options(1);
  o.task_timeout = std::chrono::milliseconds(500);
  {
    ProcessPoolExecutor pool(o);
    // One message: sleep 10 ms, sleep 60 s (overdue), sleep 20 ms. The first finished before the
    // kill, the last runs on the replacement.
    auto chunk = pool.submit_chunk("sleep_ms", {bytes("10"), bytes("60000"), bytes("20")});
    EXPECT_EQ(text(chunk[0].result(std::chrono::seconds(60))), "10");
    EXPECT_EQ(failure<imgpool::pool::TaskTimedOut>(chunk[1]), "task timed out after 0.5 s (worker killed)");
    EXPECT_EQ(text(chunk[2].result(std::chrono::seconds(60))), "20");
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_watchdog, a_worker_stopped_for_good_is_killed_and_its_item_fails) {
  auto o = options(1);
  o.retries = 0;
  o.stopped_worker_grace = std::chrono::milliseconds(500);
  {
    ProcessPoolExecutor pool(o);
    auto stuck = pool.submit("sleep_ms", bytes("600000"));
    ASSERT_TRUE(eventually([&] { return stuck.running() && pool.worker_pids().size() == 1; }));
    const pid_t victim = pool.worker_pids().front();
    ASSERT_EQ(kill(victim, SIGSTOP), 0);
    const KillIfStillStopped cleanup{victim};
    EXPECT_EQ(failure<imgpool::pool::WorkerCrashed>(stuck), "worker stopped for more than 0.5 s (killed)");
    // Replaced: the next item runs on another worker.
    EXPECT_NE(text(pool.submit("pid", {}).result(std::chrono::seconds(60))), std::to_string(victim));
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_watchdog, the_item_of_a_worker_stopped_for_good_runs_again_within_retries) {
  auto o = options(1);
  o.stopped_worker_grace = std::chrono::milliseconds(500);  // retries = 1: the default
  {
    ProcessPoolExecutor pool(o);
    auto item = pool.submit("sleep_ms", bytes("2000"));
    ASSERT_TRUE(eventually([&] { return item.running() && pool.worker_pids().size() == 1; }));
    const pid_t victim = pool.worker_pids().front();
    ASSERT_EQ(kill(victim, SIGSTOP), 0);
    const KillIfStillStopped cleanup{victim};
    EXPECT_EQ(text(item.result(std::chrono::seconds(60))), "2000");
    EXPECT_TRUE(process_ended(victim)) << "the stopped worker was not killed";
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_watchdog, a_worker_stopped_and_resumed_within_the_default_grace_carries_on) {
  auto o = options(1);
  o.retries = 0;  // a kill would fail the item
  ASSERT_TRUE(o.stopped_worker_grace.has_value());
  EXPECT_EQ(o.stopped_worker_grace->count(), 60.0);  // the documented default
  {
    ProcessPoolExecutor pool(o);
    auto item = pool.submit("sleep_ms", bytes("1500"));
    ASSERT_TRUE(eventually([&] { return item.running() && pool.worker_pids().size() == 1; }));
    const pid_t worker = pool.worker_pids().front();
    ASSERT_EQ(kill(worker, SIGSTOP), 0);
    const KillIfStillStopped cleanup{worker};
    ASSERT_TRUE(eventually([&] { return process_stopped(worker); }));
    // The watchdog looks about every second while there is work: it sees the worker stopped.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_EQ(kill(worker, SIGCONT), 0);
    EXPECT_EQ(text(item.result(std::chrono::seconds(60))), "1500");
    EXPECT_EQ(pool.worker_pids(), std::vector<pid_t>{worker});
  }
  EXPECT_TRUE(children().empty());
}

// Ctrl-Z stops the whole process group, the executor's own process too: time the executor spent stopped
// is not counted against a worker, so resuming the group kills nothing. Here the worker is seen stopped,
// then its parent is stopped past the grace, then both are continued (parent first).
TEST(process_executor_watchdog, time_the_executor_itself_spent_stopped_does_not_count) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string self = kWorker, mode = "host_watchdog", grace_ms = "2000";
  char* argv[] = {self.data(), mode.data(), grace_ms.data(), nullptr};
  pid_t host = -1;
  ASSERT_EQ(posix_spawn(&host, kWorker, &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  FILE* from_host = fdopen(out[0], "r");
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, from_host), nullptr);
  const pid_t worker = std::atoi(line);
  ASSERT_GT(worker, 0);
  const KillIfStillStopped cleanup_worker{worker};
  ASSERT_EQ(kill(worker, SIGSTOP), 0);
  ASSERT_TRUE(eventually([&] { return process_stopped(worker); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the host looks every 0.5 s: it sees it
  ASSERT_EQ(kill(host, SIGSTOP), 0);
  ASSERT_TRUE(eventually([&] { return process_stopped(host); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // worker stopped 4 s in all, grace 2 s
  ASSERT_EQ(kill(host, SIGCONT), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(kill(worker, SIGCONT), 0) << "the worker is gone";
  ASSERT_NE(std::fgets(line, sizeof line, from_host), nullptr);
  EXPECT_STREQ(line, "ok 3000\n");
  std::fclose(from_host);
  int status = 0;
  ASSERT_EQ(waitpid(host, &status, 0), host);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(process_executor_watchdog, a_grace_that_is_not_positive_is_refused) {
  auto o = options(1);
  o.stopped_worker_grace = std::chrono::seconds(0);
  EXPECT_THROW(ProcessPoolExecutor pool(o), imgpool::pool::InvalidArgument);
}

TEST(process_executor_kill, an_external_kill_9_of_a_busy_worker_is_retried) {
  {
    ProcessPoolExecutor pool(options(1));
    auto slow = pool.submit("sleep_ms", bytes("1500"));
    ASSERT_TRUE(eventually([&] { return slow.running() && pool.worker_pids().size() == 1; }));
    const pid_t victim = pool.worker_pids().front();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    EXPECT_EQ(text(slow.result(std::chrono::seconds(60))), "1500");
    ASSERT_TRUE(eventually([&] { return pool.worker_pids().size() == 1; }));
    EXPECT_NE(pool.worker_pids().front(), victim);
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_recycling, max_tasks_per_child_replaces_workers) {
  auto o = options(1);
  o.max_tasks_per_child = 1;
  std::set<std::string> pids;
  {
    ProcessPoolExecutor pool(o);
    for (int i = 0; i < 3; ++i) pids.insert(text(pool.submit("pid", {}).result(std::chrono::seconds(60))));
  }
  EXPECT_EQ(pids.size(), 3u);
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_initializer, runs_once_in_each_worker) {
  auto o = options(2);
  o.initializer = "init_ok";
  ProcessPoolExecutor pool(o);
  EXPECT_EQ(text(pool.submit("initialized", {}).result(std::chrono::seconds(60))), "yes");
}

TEST(process_executor_initializer, a_failing_initializer_breaks_the_executor) {
  auto o = options(2);
  o.initializer = "init_fail";
  o.initializer_argument = bytes("no model");
  {
    ProcessPoolExecutor pool(o);
    auto f = pool.submit("echo", bytes("x"));
    EXPECT_EQ(failure<imgpool::pool::BrokenExecutor>(f), "a worker initializer failed: cannot init: no model");
    EXPECT_THROW(pool.submit("echo", bytes("y")), imgpool::pool::BrokenExecutor);
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_shutdown, without_wait_cancels_queued_items_while_workers_are_busy) {
  {
    ProcessPoolExecutor pool(options(2));
    auto a = pool.submit("sleep_ms", bytes("400"));
    auto b = pool.submit("sleep_ms", bytes("400"));
    std::vector<Future<Bytes>> queued;
    for (int i = 0; i < 10; ++i) queued.push_back(pool.submit("echo", bytes("q")));
    ASSERT_TRUE(eventually([&] { return a.running() && b.running(); }));
    pool.shutdown(false, true);
    for (auto& f : queued) EXPECT_TRUE(f.cancelled());
    EXPECT_THROW(pool.submit("echo", {}), imgpool::pool::ShutdownError);
    EXPECT_EQ(text(a.result(std::chrono::seconds(60))), "400");  // running items finish
    EXPECT_EQ(text(b.result(std::chrono::seconds(60))), "400");
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_shutdown, returns_once_the_running_item_ends_when_the_queued_ones_were_cancelled) {
  {
    ProcessPoolExecutor pool(options(1));
    auto running = pool.submit("sleep_ms", bytes("300"));
    std::vector<Future<Bytes>> queued;
    for (int i = 0; i < 5; ++i) queued.push_back(pool.submit("echo", bytes("q")));
    ASSERT_TRUE(eventually([&] { return running.running(); }));
    for (auto& f : queued) EXPECT_TRUE(f.cancel());
    // Only cancelled items are queued: once the running one ends there is no work, so wait=true returns
    // (it used to poll forever: the supervisor dropped them without checking again whether to stop).
    pool.shutdown(true);
    EXPECT_EQ(text(running.result(std::chrono::seconds(0))), "300");
  }
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_shutdown, killing_the_parent_leaves_no_orphan_workers) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string self = kWorker, mode = "host", workers = "2";
  char* argv[] = {self.data(), mode.data(), workers.data(), nullptr};
  pid_t host = -1;
  ASSERT_EQ(posix_spawn(&host, kWorker, &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  FILE* from_host = fdopen(out[0], "r");
  std::vector<pid_t> workers_seen;
  int pid = 0;
  while (workers_seen.size() < 2 && std::fscanf(from_host, "%d", &pid) == 1) workers_seen.push_back(pid);
  ASSERT_EQ(workers_seen.size(), 2u);
  for (pid_t w : workers_seen) EXPECT_FALSE(process_ended(w));
  ASSERT_EQ(kill(host, SIGKILL), 0);
  int status = 0;
  waitpid(host, &status, 0);
  std::fclose(from_host);
  for (pid_t w : workers_seen) EXPECT_TRUE(eventually([&] { return process_ended(w); })) << "orphan worker " << w;
}

TEST(process_executor_spawn, workers_inherit_no_descriptor_but_their_socket_and_stdio) {
  // An embedding application's file, opened without O_CLOEXEC, must not stay open in the workers.
  const fs::path path = fs::temp_directory_path() / ("imgpool-inherited-" + std::to_string(getpid()));
  const int opened = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(opened, 0);
  // Above the worker's socket (3), which a low descriptor would merely be replaced by.
  const int leaked = ::fcntl(opened, F_DUPFD, 64);
  ::close(opened);
  ASSERT_GE(leaked, 64);
  std::string listing;
  {
    ProcessPoolExecutor pool(options(1));
    listing = text(pool.submit("open_fds", {}).result(std::chrono::seconds(60)));
  }
  ::close(leaked);
  fs::remove(path);
  EXPECT_EQ(listing.find(path.string()), std::string::npos) << listing;
  std::istringstream lines(listing);
  int fd = -1;
  std::string target;
  std::set<int> fds;
  while (lines >> fd >> target) fds.insert(fd);
  EXPECT_TRUE(fds.count(3) == 1) << "the worker's socket is missing:\n" << listing;
  EXPECT_LE(*fds.rbegin(), 3) << "descriptors beyond stdio and the socket:\n" << listing;
  EXPECT_TRUE(children().empty());
}

TEST(process_executor_options, a_missing_worker_executable_is_refused_up_front) {
  auto o = options(1);
  o.worker_path = "/nonexistent/imgpool-worker";
  EXPECT_THROW(ProcessPoolExecutor pool(o), imgpool::pool::InvalidArgument);
  o = options(-1);
  EXPECT_THROW(ProcessPoolExecutor pool(o), imgpool::pool::InvalidArgument);
}

TEST(process_executor_wait, as_completed_and_wait_work_on_process_futures) {
  ProcessPoolExecutor pool(options(2));
  std::vector<Future<Bytes>> futures{pool.submit("sleep_ms", bytes("300")), pool.submit("echo", bytes("fast"))};
  std::vector<std::string> order;
  for (auto& f : imgpool::pool::as_completed(futures, std::chrono::seconds(60))) order.push_back(text(f.result()));
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order.front(), "fast");
  const auto waited = imgpool::pool::wait(futures, std::chrono::seconds(60));
  EXPECT_EQ(waited.done.size(), 2u);
}

TEST_P(process_executor, map_with_buffersize_pulls_inputs_only_as_results_are_consumed) {
  constexpr long kBuffer = 2;
  constexpr long kChunk = 3;
  long pulled = 0, consumed = 0, high_water = 0;
  {
    ProcessPoolExecutor pool(options(GetParam()));
    // Pulling happens in this thread as the range refills, so pulled - consumed is what is in flight.
    auto inputs = std::views::iota(0, 300) | std::views::transform([&](int x) {
                    high_water = std::max(high_water, ++pulled - consumed);
                    return bytes(std::to_string(x));
                  });
    for (Bytes& r : pool.map("echo", inputs, {.chunksize = kChunk, .buffersize = kBuffer})) {
      EXPECT_EQ(text(r), std::to_string(consumed));
      if (++consumed == 30) break;
      if (consumed % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slow consumer
    }
  }
  EXPECT_EQ(consumed, 30);
  EXPECT_LE(high_water, kBuffer * kChunk);
  EXPECT_GE(high_water, kChunk);
  EXPECT_LE(pulled, 30 + kBuffer * kChunk);  // the other inputs were never read, let alone submitted
  EXPECT_TRUE(children().empty());
}

TEST_P(process_executor, map_rethrows_a_failed_item_when_it_is_reached) {
  {
    ProcessPoolExecutor pool(options(GetParam()));
    const std::vector<Bytes> args{bytes("echo:0"), bytes("echo:1"), bytes("echo:2"), bytes("bad"), bytes("echo:4")};
    std::vector<std::string> got;
    auto range = pool.map("step", args, {.chunksize = 2});
    try {
      for (Bytes& r : range) got.push_back(text(r));
      ADD_FAILURE() << "expected the item's TaskFailed";
    } catch (const imgpool::pool::TaskFailed& e) {
      EXPECT_STREQ(e.what(), "unknown step bad");
    }
    EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2"}));  // the items before it, in order
    EXPECT_TRUE(range.begin() == range.end());                   // and then the range is over
  }
  EXPECT_TRUE(children().empty());
}

namespace {

// An argument that counts how often it is copied into the Bytes that map() submits.
struct CountedArgument {
  Bytes value;
  int* copies;
  operator Bytes() const& {
    ++*copies;
    return value;
  }
  operator Bytes() && { return std::move(value); }
};

}  // namespace

TEST(process_executor_map, moves_the_arguments_of_an_owned_range_and_copies_those_of_a_borrowed_one) {
  ProcessPoolExecutor pool(options(1));
  int copies = 0;
  std::vector<CountedArgument> args;
  for (int i = 0; i < 6; ++i) args.push_back({bytes(std::to_string(i)), &copies});
  std::vector<std::string> borrowed, owned;
  for (Bytes& r : pool.map("echo", args, {.chunksize = 4})) borrowed.push_back(text(r));
  EXPECT_EQ(copies, 6);  // the caller's arguments are left intact
  EXPECT_EQ(text(args[5].value), "5");
  copies = 0;
  for (Bytes& r : pool.map("echo", std::move(args), {.chunksize = 4})) owned.push_back(text(r));
  EXPECT_EQ(copies, 0);
  EXPECT_EQ(owned, borrowed);
  EXPECT_EQ(owned, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
}

TEST(process_executor_map, a_timeout_bounds_the_whole_iteration) {
  ProcessPoolExecutor pool(options(1));
  const std::vector<Bytes> args{bytes("10"), bytes("1500")};
  std::vector<std::string> got;
  const auto start = std::chrono::steady_clock::now();
  auto drain = [&] {
    for (Bytes& r : pool.map("sleep_ms", args, {.timeout = std::chrono::milliseconds(400)})) got.push_back(text(r));
  };
  EXPECT_THROW(drain(), imgpool::pool::TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1300));
  EXPECT_EQ(got, std::vector<std::string>{"10"});
}

TEST(process_executor_map, dropping_the_range_cancels_the_items_not_yet_started) {
  ProcessPoolExecutor pool(options(1));
  const std::vector<Bytes> args(12, bytes("300"));
  {
    auto range = pool.map("sleep_ms", args);  // buffersize 0: all twelve are submitted now
    EXPECT_EQ(text(*range.begin()), "300");
  }
  // At most the one item already running when the range was dropped is left; not eleven (3.3 s).
  const auto start = std::chrono::steady_clock::now();
  pool.shutdown(true);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

INSTANTIATE_TEST_SUITE_P(workers, process_executor, ::testing::Values(1, 2));
