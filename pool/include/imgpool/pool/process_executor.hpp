#pragma once
// ProcessPoolExecutor: worker processes running named task kinds, as in Python's
// concurrent.futures.ProcessPoolExecutor, with crash isolation, per-task timeouts and memory caps.

#include <sys/types.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <vector>

#include <imgpool/pool/detail/future_state.hpp>
#include <imgpool/pool/detail/kind_map_chunks.hpp>
#include <imgpool/pool/error.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/seconds.hpp>
#include <imgpool/pool/map.hpp>
#include <imgpool/pool/message.hpp>

namespace imgpool::pool {

/// the task raised an exception in the worker; what() is its message
class TaskFailed : public Error {
 public:
  using Error::Error;
};

/// the worker running the task died (crashed, was killed, ran out of memory) on every attempt;
/// what() says how, e.g. "worker crashed (SIGSEGV)"
class WorkerCrashed : public Error {
 public:
  using Error::Error;
};

/// the task ran past ProcessExecutorOptions::task_timeout; its worker was killed and replaced
class TaskTimedOut : public Error {
 public:
  using Error::Error;
};

/// the name of the worker executable an application ships beside its binary
inline constexpr std::string_view kDefaultWorkerName = "imgpool-worker";

/// how a ProcessPoolExecutor is built
struct ProcessExecutorOptions {
  /// worker processes; 0 = available_cpus(); negative throws InvalidArgument
  int max_workers = 0;
  /// the worker executable (it calls run_worker()); empty = find_worker_executable()
  std::filesystem::path worker_path{};
  /// optional initializer kind registered in the worker; runs once per worker process with
  /// `initializer_argument` before its first task. If it throws, the executor becomes broken.
  std::string initializer{};
  Bytes initializer_argument{};
  /// a worker is replaced after this many tasks (chunks); 0 = never (Python: max_tasks_per_child)
  int max_tasks_per_child = 0;
  /// how many times an item whose worker died is run again before it fails with WorkerCrashed
  int retries = 1;
  /// per item: an item running longer has its worker killed and fails with TaskTimedOut; the other
  /// unfinished items of its chunk run again on a fresh worker. Empty = no limit.
  std::optional<Seconds> task_timeout{};
  /// a worker whose process stays stopped this long (SIGSTOP, or SIGTSTP etc.: state T) is treated as
  /// crashed: killed and replaced, and the item it was running counts a crash against `retries`; past
  /// them it fails with WorkerCrashed "worker stopped for more than N s (killed)". A worker resumed
  /// (SIGCONT) sooner carries on untouched; a debugger's tracing stop never counts. Checked about every
  /// grace/4 (at most 1 s apart) while there is work, and only time actually observed counts (a
  /// supervisor that was itself stopped, e.g. the whole process group by Ctrl-Z, starts over).
  /// Default 60 s; empty = never (a stopped worker then stalls its items until task_timeout, if any).
  std::optional<Seconds> stopped_worker_grace = std::chrono::seconds(60);
  /// per worker address-space cap in MiB (RLIMIT_AS); 0 = none. A task that allocates past it
  /// fails with "out of memory (worker memory cap N MB)"
  std::uint64_t worker_memory_mb = 0;
  /// as ExecutorOptions::on_callback_error
  std::function<void(std::exception_ptr)> on_callback_error{};
};

/// resolves the worker executable: `explicit_path` if not empty, else $IMGPOOL_WORKER, else `name`
/// in the folder of the running executable (/proc/self/exe), else `name` on $PATH. Throws
/// InvalidArgument when the chosen file is not executable, Error when none is found.
std::filesystem::path find_worker_executable(const std::filesystem::path& explicit_path = {},
                                             std::string_view name = kDefaultWorkerName);

/// a pool of worker processes running named task kinds (see TaskRegistry and run_worker) on
/// serialised arguments. Same semantics as ThreadPoolExecutor except:
/// - work is a kind name plus Bytes, not a callable; results are Bytes (use a codec on top);
/// - a task that raises fails its future with TaskFailed carrying the message;
/// - a worker that dies is replaced and the unfinished items it held run again (at most `retries`
///   more times for the item that was running when it died; then that item alone fails with
///   WorkerCrashed). The pool is never broken by a crash, only by a failing initializer;
/// - a worker left stopped (SIGSTOP) past stopped_worker_grace is killed and handled as a crash, so a
///   stopped worker cannot stall the pool (Python's would wait forever);
/// - workers inherit no descriptor of the parent but stdio (0-2) and their socket, close-on-exec or not;
/// - submit_chunk() sends several items in one message; their results stream back one by one.
/// Workers are started with posix_spawn from one supervisor thread that owns all I/O and completes
/// the futures, so done callbacks run on that thread. IMPORTANT: never destroy the executor from a
/// done callback. All members are thread-safe.
///
///   ProcessPoolExecutor pool({.max_workers = 4, .task_timeout = std::chrono::seconds(30)});
///   Future<Bytes> f = pool.submit("upper", Bytes{'h', 'i'});
///   for (auto& r : pool.submit_chunk("upper", {a, b, c})) use(r.result());
///   for (Bytes& r : pool.map("upper", arguments, {.chunksize = 16, .buffersize = 8})) use(r);
class ProcessPoolExecutor {
 public:
  /// resolves the worker executable and starts the supervisor (workers start in the background);
  /// throws InvalidArgument for bad options, Error when no worker executable is found
  explicit ProcessPoolExecutor(ProcessExecutorOptions options = {});
  ProcessPoolExecutor(const ProcessPoolExecutor&) = delete;
  ProcessPoolExecutor& operator=(const ProcessPoolExecutor&) = delete;
  /// shutdown(true): runs the queued tasks, ends and reaps every worker
  ~ProcessPoolExecutor();

  /// schedules `kind(argument)` in a worker; throws ShutdownError after shutdown(), BrokenExecutor
  /// once an initializer failed
  [[nodiscard]] Future<Bytes> submit(std::string kind, Bytes argument);

  /// schedules `kind` on every argument as one chunk: one message to one worker, which runs them in
  /// order and streams each result back as it finishes. One future per argument, in order.
  [[nodiscard]] std::vector<Future<Bytes>> submit_chunk(std::string kind, std::vector<Bytes> arguments);

  /// returns a lazy range of `kind(argument)` for each argument, in input order, exactly as
  /// ThreadPoolExecutor::map (chunksize, timeout, buffersize; see BasicMapRange and MapOptions).
  /// Each chunk is one submit_chunk(); as with threads, its results are yielded once all of it has
  /// finished or one of its items has failed. An item's failure is rethrown when it is reached;
  /// dropping the range cancels the items not yet started. An lvalue `arguments` is borrowed (must
  /// outlive the range); an rvalue is moved into it. Elements must convert to Bytes: those of a
  /// borrowed range are copied when submitted, those of an owned one moved.
  template <std::ranges::viewable_range Range>
    requires std::convertible_to<std::ranges::range_reference_t<Range>, Bytes>
  [[nodiscard]] auto map(std::string kind, Range&& arguments, MapOptions options = {}) {
    using V = std::views::all_t<Range>;
    return BasicMapRange<detail::KindMapChunks, V>(detail::KindMapChunks(*this, std::move(kind)),
                                                   std::views::all(std::forward<Range>(arguments)), options);
  }

  /// stops accepting work; queued items still run unless cancel_futures cancels them first (items
  /// being retried after a crash are running, so they finish). wait = true blocks until every
  /// worker has exited and been reaped. Idempotent; the destructor calls it.
  void shutdown(bool wait = true, bool cancel_futures = false);

  /// the number of worker processes kept running
  int max_workers() const noexcept { return max_workers_; }

  /// the process ids of the live workers (for monitoring and tests)
  std::vector<pid_t> worker_pids() const;

 private:
  struct Impl;
  int max_workers_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imgpool::pool
