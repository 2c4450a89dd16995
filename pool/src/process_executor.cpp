#include <imgpool/pool/process_executor.hpp>

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include <imgpool/pool/cpu.hpp>

#include "worker_process.hpp"

namespace imgpool::pool {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Consecutive workers that die before reporting ready before the executor gives up as broken.
constexpr int kMaxStartFailures = 3;

std::string seconds_text(Seconds s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s.count());
  return text;
}

struct Item {
  std::shared_ptr<detail::FutureState<Bytes>> state;
  Bytes argument;
  int crashes = 0;
  bool started = false;  // set_running_or_notify_cancel() succeeded
};

struct Job {
  std::string kind;
  std::vector<Item> items;
};

// Why a worker's life ends, for retire().
enum class Ending {
  Expected,  // the executor ended it (recycling, shutdown, a failed initializer)
  Exited,    // it died or broke the protocol on its own: a crash
  TimedOut,  // its running item passed task_timeout: killed, the item fails
  Stopped,   // it stayed stopped past stopped_worker_grace: killed, handled as a crash
};

struct Worker {
  enum class Phase { Starting, Idle, Busy };
  Worker(const fs::path& executable, std::uint64_t memory_mb) : process(executable, memory_mb) {}
  detail::WorkerProcess process;
  Phase phase = Phase::Starting;
  std::uint64_t task_id = 0;
  Job job;                // the chunk in flight while busy
  std::size_t next = 0;   // results arrive in item order: job.items[next] is running
  bool delivered = false; // the chunk reached the worker (a failed send blames no item)
  std::optional<Clock::time_point> deadline;  // of job.items[next]
  int tasks_done = 0;
  bool gone = false;      // reaped; removed from the list at the end of the round
  // The stopped-worker watchdog: since when it has been seen stopped without a break, and the last look.
  std::optional<Clock::time_point> stopped_since;
  std::optional<Clock::time_point> last_look;
};

}  // namespace

struct ProcessPoolExecutor::Impl {
  ProcessExecutorOptions options;
  fs::path worker_path;
  int max_workers = 0;
  std::shared_ptr<const detail::FutureStateBase::ErrorHook> hook;

  // Shared with submitting threads.
  mutable std::mutex mutex;
  std::deque<Job> queue;
  bool shut_down = false;
  std::string broken;  // non-empty once broken
  std::vector<pid_t> pids;
  int wake_read = -1, wake_write = -1;

  std::thread supervisor;
  std::mutex join_mutex;

  // Supervisor thread only.
  std::vector<std::unique_ptr<Worker>> workers;
  std::uint64_t next_task_id = 1;
  int start_failures = 0;
  std::optional<Clock::time_point> next_look;  // the watchdog's next look; none while there is no work

  ~Impl() {
    if (wake_read >= 0) ::close(wake_read);
    if (wake_write >= 0) ::close(wake_write);
  }

  void wake() {
    const char c = 0;
    while (::write(wake_write, &c, 1) < 0 && errno == EINTR) {
    }
  }

  std::exception_ptr broken_error() const { return std::make_exception_ptr(BrokenExecutor(broken)); }

  void enqueue(Job job) {
    {
      std::lock_guard lock(mutex);
      if (shut_down) throw ShutdownError("cannot submit after shutdown()");
      if (!broken.empty()) std::rethrow_exception(broken_error());
      queue.push_back(std::move(job));
    }
    wake();
  }

  // ---- everything below runs on the supervisor thread ----

  void publish_pids() {
    std::lock_guard lock(mutex);
    pids.clear();
    for (const auto& w : workers)
      if (!w->gone) pids.push_back(w->process.pid());
  }

  // Fails an item that will not run (again); cancelled items stay cancelled.
  static void fail(Item& item, std::exception_ptr error) {
    if (item.started || item.state->set_running_or_notify_cancel()) item.state->set_exception(std::move(error));
  }

  void mark_broken(const std::string& why) {
    std::deque<Job> dropped;
    {
      std::lock_guard lock(mutex);
      if (!broken.empty()) return;
      broken = why;
      dropped.swap(queue);
    }
    const auto error = std::make_exception_ptr(BrokenExecutor(why));
    for (auto& job : dropped)
      for (auto& item : job.items) fail(item, error);
  }

  bool spawn() {
    std::unique_ptr<Worker> worker;
    try {
      worker = std::make_unique<Worker>(worker_path, options.worker_memory_mb);
    } catch (const Error& e) {
      mark_broken(e.what());
      return false;
    }
    wire::Message init{.type = wire::MessageType::Init, .kind = options.initializer};
    init.items.push_back(options.initializer_argument);
    worker->process.channel().send(init);  // a worker that is already gone shows up as EOF
    workers.push_back(std::move(worker));
    return true;
  }

  // Ends a worker's life: reaps it and settles the chunk it held (see Ending for who is blamed).
  void retire(Worker& w, Ending how) {
    if (w.gone) return;
    if (how == Ending::TimedOut || how == Ending::Stopped) w.process.kill();
    w.process.close();
    const int status = w.process.reap(std::chrono::milliseconds(how == Ending::Expected ? 2000 : 500));
    w.gone = true;
    if (w.phase == Worker::Phase::Starting && how == Ending::Exited) {
      if (++start_failures >= kMaxStartFailures) mark_broken("worker processes fail to start: " + detail::describe_exit(status));
    }
    if (w.phase != Worker::Phase::Busy) return;
    Job rest{w.job.kind, {}};
    for (std::size_t i = w.next; i < w.job.items.size(); ++i) {
      Item& item = w.job.items[i];
      if (i == w.next && w.delivered) {
        if (how == Ending::TimedOut) {
          item.state->set_exception(std::make_exception_ptr(
              TaskTimedOut("task timed out after " + seconds_text(*options.task_timeout) + " s (worker killed)")));
          continue;
        }
        if (++item.crashes > options.retries) {
          const std::string why = how == Ending::Stopped
                                      ? "worker stopped for more than " + seconds_text(*options.stopped_worker_grace) + " s (killed)"
                                      : detail::describe_exit(status);
          item.state->set_exception(std::make_exception_ptr(WorkerCrashed(why)));
          continue;
        }
      }
      rest.items.push_back(std::move(item));
    }
    w.job = {};
    if (rest.items.empty()) return;
    bool is_broken = false;
    {
      std::lock_guard lock(mutex);
      is_broken = !broken.empty();
      if (!is_broken) queue.push_front(std::move(rest));  // retries go first
    }
    if (is_broken) {
      const auto error = broken_error();
      for (auto& item : rest.items) fail(item, error);
    }
  }

  void on_message(Worker& w, const wire::Message& m) {
    using wire::MessageType;
    if (m.type == MessageType::Ready && w.phase == Worker::Phase::Starting) {
      w.phase = Worker::Phase::Idle;
      start_failures = 0;
      return;
    }
    if (m.type == MessageType::InitFailed && w.phase == Worker::Phase::Starting) {
      mark_broken("a worker initializer failed: " + m.text);
      retire(w, Ending::Expected);
      return;
    }
    if (m.type != MessageType::ItemDone || w.phase != Worker::Phase::Busy || m.task_id != w.task_id ||
        m.index != w.next) {
      throw MessageError("unexpected message from a worker");
    }
    Item& item = w.job.items[w.next++];
    if (m.ok) {
      item.state->set_result(m.payload);
    } else {
      item.state->set_exception(std::make_exception_ptr(TaskFailed(m.text)));
    }
    if (w.next < w.job.items.size()) {
      if (options.task_timeout) w.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(*options.task_timeout);
      return;
    }
    w.phase = Worker::Phase::Idle;
    w.job = {};
    w.deadline.reset();
    if (options.max_tasks_per_child > 0 && ++w.tasks_done >= options.max_tasks_per_child) retire(w, Ending::Expected);
  }

  void on_readable(Worker& w) {
    using ReadStatus = detail::Channel::ReadStatus;
    detail::Channel& channel = w.process.channel();
    const ReadStatus got = channel.read_some();
    if (got == ReadStatus::Interrupted) return;
    if (got == ReadStatus::Closed) {
      retire(w, Ending::Exited);
      return;
    }
    try {
      while (!w.gone) {
        auto m = channel.next();
        if (!m) break;
        on_message(w, *m);
      }
    } catch (const MessageError&) {
      w.process.kill();  // a worker that speaks garbage is treated as crashed
      retire(w, Ending::Exited);
    }
  }

  // How often the watchdog looks at the workers' process states.
  Clock::duration look_interval() const {
    const auto quarter = std::chrono::duration_cast<Clock::duration>(*options.stopped_worker_grace / 4);
    return std::clamp<Clock::duration>(quarter, std::chrono::milliseconds(10), std::chrono::seconds(1));
  }

  // Kills the workers that have stayed stopped for stopped_worker_grace. Only time seen counts: a look
  // that comes long after the previous one (this thread was stopped too, or a done callback held it)
  // starts the count over, so resuming a whole stopped process group kills nothing.
  void look_for_stopped_workers(Clock::time_point now) {
    const auto grace = std::chrono::duration_cast<Clock::duration>(*options.stopped_worker_grace);
    const auto max_gap = look_interval() + std::chrono::seconds(1);
    for (auto& wp : workers) {
      Worker& w = *wp;
      if (w.gone) continue;
      const bool unbroken = w.last_look && now - *w.last_look <= max_gap;
      w.last_look = now;
      if (!w.process.stopped()) {
        w.stopped_since.reset();
        continue;
      }
      if (!w.stopped_since || !unbroken) w.stopped_since = now;
      if (now - *w.stopped_since >= grace) retire(w, Ending::Stopped);
    }
  }

  // Hands queued chunks to idle workers.
  void dispatch() {
    for (auto& wp : workers) {
      Worker& w = *wp;
      if (w.gone || w.phase != Worker::Phase::Idle || w.stopped_since) continue;  // no work for a stopped one
      for (;;) {
        Job job;
        {
          std::lock_guard lock(mutex);
          if (queue.empty()) return;
          job = std::move(queue.front());
          queue.pop_front();
        }
        std::erase_if(job.items, [](Item& item) {
          if (item.started) return false;
          item.started = item.state->set_running_or_notify_cancel();
          return !item.started;  // cancelled while queued
        });
        if (job.items.empty()) continue;
        wire::Message task{.type = wire::MessageType::Task, .task_id = next_task_id++, .kind = job.kind};
        task.items.reserve(job.items.size());
        for (const Item& item : job.items) {
          task.items.push_back(item.argument);
          task.attempts.push_back(static_cast<std::uint32_t>(item.crashes));
        }
        w.task_id = task.task_id;
        w.job = std::move(job);
        w.next = 0;
        w.phase = Worker::Phase::Busy;
        w.delivered = w.process.channel().send(task);
        if (options.task_timeout) w.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(*options.task_timeout);
        break;
      }
    }
  }

  void run() {
    for (;;) {
      bool stopping = false, is_broken = false, has_queue = false;
      {
        std::lock_guard lock(mutex);
        stopping = shut_down;
        is_broken = !broken.empty();
        has_queue = !queue.empty();
      }
      // Keep the pool full while there is or may be work.
      bool spawned = false;
      while (!is_broken && static_cast<int>(workers.size()) < max_workers && !(stopping && !has_queue)) {
        if (!spawn()) break;
        spawned = true;
        std::lock_guard lock(mutex);
        is_broken = !broken.empty();
      }
      if (spawned) publish_pids();
      dispatch();
      // Checked after dispatch(): dropping the queue's cancelled items can be what ends the work, and
      // nothing would wake the poll below after that.
      {
        std::lock_guard lock(mutex);
        has_queue = !queue.empty();
      }
      const bool any_busy = std::any_of(workers.begin(), workers.end(),
                                        [](const auto& w) { return w->phase == Worker::Phase::Busy; });
      if (stopping && !has_queue && !any_busy) break;
      // The stopped-worker watchdog looks while there is work (a stopped worker stalls nothing else).
      if (!options.stopped_worker_grace || !(has_queue || any_busy)) {
        next_look.reset();
      } else if (!next_look) {
        next_look = Clock::now();
      }

      std::vector<pollfd> fds;
      fds.push_back({wake_read, POLLIN, 0});
      std::optional<Clock::time_point> nearest;
      for (const auto& w : workers) {
        fds.push_back({w->process.channel().fd(), POLLIN, 0});
        if (w->phase == Worker::Phase::Busy && w->deadline && (!nearest || *w->deadline < *nearest)) nearest = w->deadline;
      }
      if (next_look && (!nearest || *next_look < *nearest)) nearest = next_look;
      int timeout_ms = -1;
      if (nearest) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*nearest - Clock::now()).count();
        timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 1000 * 60));
      }
      const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
      if (ready < 0 && errno != EINTR) break;  // cannot happen with valid descriptors
      if (ready > 0 && (fds[0].revents & POLLIN) != 0) {
        char drain[256];
        while (::read(wake_read, drain, sizeof drain) > 0) {
        }
      }
      const std::size_t polled = fds.size() - 1;
      for (std::size_t i = 0; i < polled && ready > 0; ++i) {
        if (fds[i + 1].revents != 0) on_readable(*workers[i]);
      }
      const auto now = Clock::now();
      for (std::size_t i = 0; i < polled; ++i) {
        Worker& w = *workers[i];
        if (!w.gone && w.phase == Worker::Phase::Busy && w.deadline && *w.deadline <= now) retire(w, Ending::TimedOut);
      }
      if (next_look && *next_look <= now) {
        look_for_stopped_workers(now);
        next_look = now + look_interval();
      }
      if (std::erase_if(workers, [](const auto& w) { return w->gone; }) > 0) publish_pids();
    }
    // Orderly end: EOF tells every worker to exit; anything that lingers is killed.
    for (auto& w : workers) w->process.close();
    for (auto& w : workers) w->process.reap(std::chrono::milliseconds(2000));
    workers.clear();
    publish_pids();
  }
};

ProcessPoolExecutor::ProcessPoolExecutor(ProcessExecutorOptions options)
    : max_workers_(0), impl_(std::make_unique<Impl>()) {
  if (options.max_workers < 0)
    throw InvalidArgument("max_workers must be >= 0 (0 = available CPUs), got " + std::to_string(options.max_workers));
  if (options.retries < 0) throw InvalidArgument("retries must be >= 0");
  if (options.max_tasks_per_child < 0) throw InvalidArgument("max_tasks_per_child must be >= 0");
  if (options.task_timeout && options.task_timeout->count() <= 0) throw InvalidArgument("task_timeout must be positive");
  if (options.stopped_worker_grace && options.stopped_worker_grace->count() <= 0)
    throw InvalidArgument("stopped_worker_grace must be positive (empty = never)");
  max_workers_ = options.max_workers == 0 ? available_cpus() : options.max_workers;
  impl_->worker_path = find_worker_executable(options.worker_path);
  impl_->max_workers = max_workers_;
  if (options.on_callback_error)
    impl_->hook = std::make_shared<const detail::FutureStateBase::ErrorHook>(std::move(options.on_callback_error));
  impl_->options = std::move(options);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(std::string("cannot create a pipe: ") + strerror(errno));
  impl_->wake_read = pipe_fds[0];
  impl_->wake_write = pipe_fds[1];
  // Workers die with the thread that spawned them (PR_SET_PDEATHSIG), so one long-lived thread spawns them all.
  impl_->supervisor = std::thread([impl = impl_.get()] { impl->run(); });
}

ProcessPoolExecutor::~ProcessPoolExecutor() { shutdown(true); }

Future<Bytes> ProcessPoolExecutor::submit(std::string kind, Bytes argument) {
  std::vector<Bytes> one;
  one.push_back(std::move(argument));
  return submit_chunk(std::move(kind), std::move(one)).front();
}

std::vector<Future<Bytes>> ProcessPoolExecutor::submit_chunk(std::string kind, std::vector<Bytes> arguments) {
  if (arguments.empty()) throw InvalidArgument("submit_chunk(): no arguments");
  Job job{std::move(kind), {}};
  std::vector<Future<Bytes>> futures;
  futures.reserve(arguments.size());
  job.items.reserve(arguments.size());
  for (auto& argument : arguments) {
    auto state = std::make_shared<detail::FutureState<Bytes>>(impl_->hook);
    futures.emplace_back(state);
    job.items.push_back(Item{std::move(state), std::move(argument)});
  }
  impl_->enqueue(std::move(job));
  return futures;
}

void ProcessPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::vector<Item> to_cancel;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->shut_down = true;
    if (cancel_futures) {
      for (auto& job : impl_->queue) {
        auto running = std::partition(job.items.begin(), job.items.end(), [](const Item& i) { return !i.started; });
        to_cancel.insert(to_cancel.end(), std::make_move_iterator(job.items.begin()), std::make_move_iterator(running));
        job.items.erase(job.items.begin(), running);
      }
      std::erase_if(impl_->queue, [](const Job& j) { return j.items.empty(); });
    }
  }
  impl_->wake();
  // Outside the lock: cancel() runs done callbacks, which may call back into this executor.
  for (auto& item : to_cancel) item.state->cancel();
  if (!wait) return;
  std::lock_guard lock(impl_->join_mutex);
  if (impl_->supervisor.joinable() && impl_->supervisor.get_id() != std::this_thread::get_id()) impl_->supervisor.join();
}

std::vector<pid_t> ProcessPoolExecutor::worker_pids() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->pids;
}

}  // namespace imgpool::pool
