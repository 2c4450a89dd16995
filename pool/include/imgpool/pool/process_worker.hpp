#pragma once
// The worker side of ProcessPoolExecutor: the table of named task kinds a worker executable can run,
// and the loop such an executable runs. Work crosses the process boundary only as a kind name plus
// serialised bytes, so a worker needs no knowledge of the parent's types.

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <imgpool/pool/message.hpp>

namespace imgpool::pool {

/// a task kind's body: takes the serialised argument and returns the serialised result; an exception
/// fails that item (its what() becomes the item's error), nothing else
using TaskFunction = std::function<Bytes(std::span<const std::uint8_t>)>;
/// an initializer kind: runs once in each worker process before its first task, with the executor's
/// initializer argument; an exception makes the executor broken
using InitFunction = std::function<void(std::span<const std::uint8_t>)>;

/// the named task and initializer kinds one worker executable offers. Fill it before run_worker();
/// not thread-safe to modify, safe to read concurrently.
///
///   TaskRegistry kinds;
///   kinds.add_task("upper", [](auto arg) { Bytes b(arg.begin(), arg.end()); for (auto& c : b) c = toupper(c); return b; });
///   return run_worker(kinds, argc, argv);
class TaskRegistry {
 public:
  /// registers `kind`; throws InvalidArgument when it is empty or already taken
  void add_task(std::string kind, TaskFunction fn);
  /// registers initializer `kind`; throws InvalidArgument when it is empty or already taken
  void add_initializer(std::string kind, InitFunction fn);
  /// the task kind's function, or null
  const TaskFunction* find_task(std::string_view kind) const;
  /// the initializer kind's function, or null
  const InitFunction* find_initializer(std::string_view kind) const;

 private:
  std::map<std::string, TaskFunction, std::less<>> tasks_;
  std::map<std::string, InitFunction, std::less<>> initializers_;
};

/// what a task kind can ask about the item it is running (in a worker process)
namespace this_task {
/// 0 on an item's first run; n when n workers died (crashed, were killed) while running it before.
/// Lets a task with side effects recognise its own partial work, e.g. an output file a dead attempt
/// finished just before it died.
std::uint32_t attempt() noexcept;
}  // namespace this_task

/// the first argument a ProcessPoolExecutor passes to a worker executable
inline constexpr std::string_view kWorkerFlag = "--imgpool-worker";

/// true when argv is a ProcessPoolExecutor's worker invocation (argv[1] == kWorkerFlag)
bool is_worker_invocation(int argc, char** argv) noexcept;

/// runs the worker loop on the socket the executor passed: initializer, then tasks until the parent
/// closes the socket or dies. Call it from the worker executable's main() and return what it returns:
/// 0 after a normal end, 2 for a bad command line (not a worker invocation), 3 after an initializer
/// failure, 4 when the parent sent a malformed message, 5 when the parent went away mid-message.
/// The worker dies with its parent (PR_SET_PDEATHSIG), ignores SIGINT (the parent decides when to
/// stop), and caps its address space when the executor asks (RLIMIT_AS).
int run_worker(const TaskRegistry& registry, int argc, char** argv);

}  // namespace imgpool::pool
