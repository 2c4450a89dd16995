#pragma once
// WorkerProcess: the supervisor's handle on one worker process: starting it with a socket to it,
// talking to it over that socket, and reaping it. Internal to pool/.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "channel.hpp"

namespace imgpool::pool::detail {

/// a worker process and the parent's end of its socket. Owns the socket (close() or the destructor
/// closes it) but not the process: reap() it. Neither copyable nor movable; not thread-safe.
/// IMPORTANT: construct it on the thread that owns all workers (PR_SET_PDEATHSIG ties a worker's
/// life to the thread that spawned it).
class WorkerProcess {
 public:
  /// spawns `executable` as a worker (see run_worker) with its address space capped at `memory_mb`
  /// MiB (0 = none); throws Error when the socket or the process cannot be created
  WorkerProcess(const std::filesystem::path& executable, std::uint64_t memory_mb);
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  ~WorkerProcess() { close(); }

  pid_t pid() const noexcept { return pid_; }
  /// the socket to the worker; its descriptor is -1 once closed
  Channel& channel() noexcept { return channel_; }

  /// closes the socket: at a message boundary that tells the worker to exit. Idempotent.
  void close() noexcept;
  /// kills the worker (SIGKILL)
  void kill() noexcept;
  /// true while the worker is in a job-control stop (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: state T in
  /// /proc/<pid>/stat); a debugger's tracing stop (t) is not one
  bool stopped() const noexcept;
  /// waits for the worker to end, killing it once `grace` has passed; returns its wait status
  /// (0 when it is no longer this process's child)
  int reap(std::chrono::milliseconds grace) noexcept;

 private:
  pid_t pid_ = -1;
  Channel channel_{-1};
};

/// how a worker ended, from its wait status: "worker crashed (SIGSEGV)", "worker exited with status 3"
std::string describe_exit(int status);

}  // namespace imgpool::pool::detail
