// The worker executable of the process backend's tests: test-only task kinds (good ones and ones that
// crash, hang or exhaust memory), and a "host" mode that owns an executor so a test can kill a parent.

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <imgpool/pool/process_executor.hpp>
#include <imgpool/pool/process_worker.hpp>

namespace {

using imgpool::pool::Bytes;

std::string text(std::span<const std::uint8_t> arg) { return {reinterpret_cast<const char*>(arg.data()), arg.size()}; }
Bytes bytes(const std::string& s) { return {s.begin(), s.end()}; }

bool g_initialized = false;

imgpool::pool::TaskRegistry test_kinds() {
  imgpool::pool::TaskRegistry kinds;
  kinds.add_task("echo", [](auto arg) { return Bytes(arg.begin(), arg.end()); });
  kinds.add_task("pid", [](auto) { return bytes(std::to_string(getpid())); });
  // The worker's open descriptors, one "fd target" line each (the directory being read left out).
  kinds.add_task("open_fds", [](auto) {
    std::string listing;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) throw std::runtime_error("cannot read /proc/self/fd");
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] == '.' || std::atoi(entry->d_name) == dirfd(dir)) continue;
      char target[4096];
      const std::string link = std::string("/proc/self/fd/") + entry->d_name;
      const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
      listing += std::string(entry->d_name) + " " + (n < 0 ? "?" : std::string(target, static_cast<std::size_t>(n))) + "\n";
    }
    closedir(dir);
    return bytes(listing);
  });
  kinds.add_task("initialized", [](auto) { return bytes(g_initialized ? "yes" : "no"); });
  kinds.add_task("sleep_ms", [](auto arg) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(text(arg))));
    return Bytes(arg.begin(), arg.end());
  });
  kinds.add_task("fail", [](auto arg) -> Bytes { throw std::runtime_error("failed on purpose: " + text(arg)); });
  kinds.add_task("segfault", [](auto) -> Bytes {
    std::raise(SIGSEGV);
    return {};
  });
  kinds.add_task("abort", [](auto) -> Bytes { std::abort(); });
  kinds.add_task("exit", [](auto) -> Bytes { _exit(7); });
  kinds.add_task("loop", [](auto) -> Bytes {
    for (volatile bool forever = true; forever;) {
    }
    return {};
  });
  kinds.add_task("alloc_mb", [](auto arg) {
    const std::size_t mb = std::stoul(text(arg));
    std::vector<char> big(mb << 20);
    std::memset(big.data(), 1, big.size());
    return bytes(std::to_string(big.size()));
  });
  // Crashes the first time it runs in a given worker generation unless the marker file exists:
  // the retry (on a fresh worker) then succeeds.
  kinds.add_task("crash_once", [](auto arg) -> Bytes {
    const std::string marker = text(arg);
    if (access(marker.c_str(), F_OK) != 0) {
      std::fclose(std::fopen(marker.c_str(), "w"));
      std::raise(SIGSEGV);
    }
    return bytes("survived on attempt " + std::to_string(imgpool::pool::this_task::attempt()));
  });
  // One kind whose argument picks the behaviour, so that a single chunk can mix good and bad items.
  kinds.add_task("step", [](auto arg) -> Bytes {
    const std::string what = text(arg);
    if (what == "pid") return bytes(std::to_string(getpid()));
    if (what == "segv") std::raise(SIGSEGV);
    if (what.starts_with("echo:")) return bytes(what.substr(5));
    if (what.starts_with("crash_once:")) {
      const std::string marker = what.substr(11);
      if (access(marker.c_str(), F_OK) != 0) {
        std::fclose(std::fopen(marker.c_str(), "w"));
        std::raise(SIGSEGV);
      }
      return bytes("survived on attempt " + std::to_string(imgpool::pool::this_task::attempt()));
    }
    throw std::runtime_error("unknown step " + what);
  });
  kinds.add_initializer("init_ok", [](auto) { g_initialized = true; });
  kinds.add_initializer("init_fail", [](auto arg) { throw std::runtime_error("cannot init: " + text(arg)); });
  return kinds;
}

// host <workers>: owns an executor whose workers are all busy, prints their pids, waits to be killed.
int host(int workers, const char* self) {
  imgpool::pool::ProcessPoolExecutor pool({.max_workers = workers, .worker_path = self});
  std::vector<imgpool::pool::Future<Bytes>> busy;
  for (int i = 0; i < workers; ++i) busy.push_back(pool.submit("sleep_ms", bytes("600000")));
  while (static_cast<int>(pool.worker_pids().size()) < workers || !busy.back().running())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (pid_t pid : pool.worker_pids()) std::printf("%d\n", static_cast<int>(pid));
  std::fflush(stdout);
  pause();
  return 0;
}

// host_watchdog <grace ms>: one worker, no retries, the stopped-worker watchdog at `grace`; prints the
// worker's pid once it runs a 3 s item, then "ok <result>" or "failed <reason>" for that item.
int host_watchdog(int grace_ms, const char* self) {
  imgpool::pool::ProcessPoolExecutor pool({.max_workers = 1, .worker_path = self, .retries = 0,
                                           .stopped_worker_grace = std::chrono::milliseconds(grace_ms)});
  auto item = pool.submit("sleep_ms", bytes("3000"));
  while (pool.worker_pids().empty() || !item.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::printf("%d\n", static_cast<int>(pool.worker_pids().front()));
  std::fflush(stdout);
  try {
    std::printf("ok %s\n", text(item.result()).c_str());
  } catch (const std::exception& e) {
    std::printf("failed %s\n", e.what());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

// Under a sanitizer, let a crash be a crash: the runtime would otherwise catch SIGSEGV and exit(66).
extern "C" const char* __tsan_default_options() { return "handle_segv=0"; }
extern "C" const char* __asan_default_options() { return "handle_segv=0"; }

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "host") == 0) return host(std::atoi(argv[2]), "/proc/self/exe");
  if (argc == 3 && std::strcmp(argv[1], "host_watchdog") == 0) return host_watchdog(std::atoi(argv[2]), "/proc/self/exe");
  return imgpool::pool::run_worker(test_kinds(), argc, argv);
}
