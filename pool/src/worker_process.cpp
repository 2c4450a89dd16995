#include "worker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <vector>

#include <imgpool/pool/error.hpp>
#include <imgpool/pool/process_executor.hpp>
#include <imgpool/pool/process_worker.hpp>

extern char** environ;

namespace imgpool::pool {
namespace fs = std::filesystem;
namespace {

// The child's end of its socket is always this descriptor (argv tells the worker).
constexpr int kWorkerFd = 3;

bool is_executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

fs::path find_worker_executable(const fs::path& explicit_path, std::string_view name) {
  auto checked = [](const fs::path& p, const char* source) {
    if (!is_executable(p)) throw InvalidArgument(std::string("worker executable ") + p.string() + " (" + source + ") is not an executable file");
    return p;
  };
  if (!explicit_path.empty()) return checked(explicit_path, "from the options");
  if (const char* env = std::getenv("IMGPOOL_WORKER"); env != nullptr && *env != '\0') return checked(env, "$IMGPOOL_WORKER");
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = self.parent_path() / name;
    if (is_executable(beside)) return beside;
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty() && is_executable(fs::path(dir) / name)) return fs::path(dir) / name;
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  throw Error("cannot find the worker executable " + std::string(name) +
              " (install it beside the program, put it on PATH or set IMGPOOL_WORKER)");
}

namespace detail {

WorkerProcess::WorkerProcess(const fs::path& executable, std::uint64_t memory_mb) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw Error(std::string("cannot create a worker socket: ") + strerror(errno));
  if (sv[1] == kWorkerFd) {  // dup2 onto itself would keep close-on-exec set
    const int moved = ::fcntl(sv[1], F_DUPFD_CLOEXEC, kWorkerFd + 1);
    ::close(sv[1]);
    sv[1] = moved;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], kWorkerFd);
  // A worker gets stdio and its socket, nothing else: the embedding application's descriptors that
  // lack close-on-exec (its files, sockets, pipes) would otherwise stay open in every worker. Linux has
  // no POSIX_SPAWN_CLOEXEC_DEFAULT; glibc runs this as close_range() in the child, before exec.
  if (const int rc = posix_spawn_file_actions_addclosefrom_np(&actions, kWorkerFd + 1); rc != 0) {
    posix_spawn_file_actions_destroy(&actions);
    ::close(sv[0]);
    ::close(sv[1]);
    throw Error(std::string("cannot prepare the worker's descriptors: ") + strerror(rc));
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The parent may block or ignore signals (the CLI blocks SIGINT/SIGTERM for its watcher thread);
  // a worker starts clean and decides for itself.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> args{executable.string(), std::string(kWorkerFlag), std::to_string(kWorkerFd),
                                std::to_string(::getpid()), std::to_string(memory_mb)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, executable.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    throw Error("cannot start the worker " + executable.string() + ": " + strerror(rc));
  }
  pid_ = pid;
  channel_ = Channel(sv[0]);
}

void WorkerProcess::close() noexcept {
  if (channel_.fd() < 0) return;
  ::close(channel_.fd());
  channel_ = Channel(-1);
}

void WorkerProcess::kill() noexcept { ::kill(pid_, SIGKILL); }

bool WorkerProcess::stopped() const noexcept {
  // A child not yet reaped keeps its pid, so this reads our worker. The state follows the last ')',
  // as the command name may hold anything.
  const std::string path = "/proc/" + std::to_string(pid_) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[512];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return false;
  const std::string_view stat(buffer, static_cast<std::size_t>(n));
  const auto close = stat.rfind(')');
  return close != std::string_view::npos && close + 2 < stat.size() && stat[close + 2] == 'T';
}

int WorkerProcess::reap(std::chrono::milliseconds grace) noexcept {
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) return status;
    if (r < 0 && errno != EINTR) return 0;  // not our child any more: nothing to reap
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return std::string("worker crashed (") + (abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig)) + ")";
  }
  if (WIFEXITED(status)) return "worker exited with status " + std::to_string(WEXITSTATUS(status));
  return "worker ended";
}

}  // namespace detail
}  // namespace imgpool::pool
