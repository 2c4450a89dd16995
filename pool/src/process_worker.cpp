#include <imgpool/pool/process_worker.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <exception>
#include <new>
#include <optional>

#include "channel.hpp"

namespace imgpool::pool {

void TaskRegistry::add_task(std::string kind, TaskFunction fn) {
  if (kind.empty() || !fn) throw InvalidArgument("TaskRegistry: a task kind needs a name and a function");
  if (!tasks_.emplace(kind, std::move(fn)).second) throw InvalidArgument("TaskRegistry: task kind \"" + kind + "\" is already registered");
}

void TaskRegistry::add_initializer(std::string kind, InitFunction fn) {
  if (kind.empty() || !fn) throw InvalidArgument("TaskRegistry: an initializer kind needs a name and a function");
  if (!initializers_.emplace(kind, std::move(fn)).second)
    throw InvalidArgument("TaskRegistry: initializer kind \"" + kind + "\" is already registered");
}

const TaskFunction* TaskRegistry::find_task(std::string_view kind) const {
  const auto it = tasks_.find(kind);
  return it == tasks_.end() ? nullptr : &it->second;
}

const InitFunction* TaskRegistry::find_initializer(std::string_view kind) const {
  const auto it = initializers_.find(kind);
  return it == initializers_.end() ? nullptr : &it->second;
}

namespace {
std::uint32_t current_attempt = 0;  // a worker runs one item at a time, on its main thread
}  // namespace

std::uint32_t this_task::attempt() noexcept { return current_attempt; }

bool is_worker_invocation(int argc, char** argv) noexcept {
  return argc >= 2 && argv[1] != nullptr && std::string_view(argv[1]) == kWorkerFlag;
}

namespace {

template <class T>
std::optional<T> parse_number(const char* text) {
  T value{};
  const std::string_view s(text);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string describe_exception(std::uint64_t memory_mb) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return memory_mb > 0 ? "out of memory (worker memory cap " + std::to_string(memory_mb) + " MB)" : "out of memory";
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

int run_worker(const TaskRegistry& registry, int argc, char** argv) {
  // argv: <exe> --imgpool-worker <socket fd> <parent pid> <memory cap MB, 0 = none>
  if (argc != 5 || !is_worker_invocation(argc, argv)) return 2;
  const auto fd = parse_number<int>(argv[2]);
  const auto parent = parse_number<pid_t>(argv[3]);
  const auto memory_mb = parse_number<std::uint64_t>(argv[4]);
  if (!fd || !parent || !memory_mb || *fd < 0) return 2;

  // Die with the parent. The check after prctl closes the race with a parent that died first.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != *parent) return 5;
  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  if (*memory_mb > 0) {
    const rlim_t cap = static_cast<rlim_t>(*memory_mb) << 20;
    const rlimit limit{cap, cap};
    setrlimit(RLIMIT_AS, &limit);
  }

  detail::Channel channel(*fd);
  try {
    const auto init = channel.receive();
    if (!init) return 0;
    if (init->type != wire::MessageType::Init) return 4;
    if (!init->kind.empty()) {
      wire::Message failed{.type = wire::MessageType::InitFailed};
      bool ok = false;
      const InitFunction* fn = registry.find_initializer(init->kind);
      if (fn == nullptr) {
        failed.text = "unknown initializer kind \"" + init->kind + "\"";
      } else {
        try {
          (*fn)(init->items.front());
          ok = true;
        } catch (...) {
          failed.text = describe_exception(*memory_mb);
        }
      }
      if (!ok) {
        channel.send(failed);
        return 3;
      }
    }
    if (!channel.send({.type = wire::MessageType::Ready})) return 5;

    while (auto task = channel.receive()) {
      if (task->type != wire::MessageType::Task) return 4;
      const TaskFunction* fn = registry.find_task(task->kind);
      for (std::size_t i = 0; i < task->items.size(); ++i) {
        wire::Message done{.type = wire::MessageType::ItemDone, .task_id = task->task_id,
                           .index = static_cast<std::uint32_t>(i)};
        if (fn == nullptr) {
          done.ok = false;
          done.text = "unknown task kind \"" + task->kind + "\"";
        } else {
          current_attempt = i < task->attempts.size() ? task->attempts[i] : 0;
          try {
            done.payload = (*fn)(task->items[i]);
          } catch (...) {
            done.ok = false;
            done.text = describe_exception(*memory_mb);
          }
        }
        task->items[i] = Bytes{};  // free the argument before the next item runs
        if (!channel.send(done)) return 5;
      }
    }
    return 0;
  } catch (const MessageError&) {
    return 4;
  }
}

}  // namespace imgpool::pool
