#include <imgpool/core/batch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include <imgpool/core/models.hpp>
#include <imgpool/pool/cpu.hpp>
#include <imgpool/pool/executor.hpp>

#include "process_batch.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;

namespace {

// A file's identity: device and inode, so that links and different spellings of one path agree.
std::optional<std::pair<std::uint64_t, std::uint64_t>> file_id(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return std::pair{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

FileResult refusal(const fs::path& input, const fs::path& output, std::string why) {
  FileResult r;
  r.input = input;
  r.output = output;
  r.status = Status::Failed;
  r.error = std::move(why);
  return r;
}

using Finished = std::vector<std::pair<std::size_t, FileResult>>;

// Where workers hand finished items to the thread that called run_batch: once per chunk, not per item,
// so that many workers on tiny files do not queue on this lock (a chunk is one photo, or many small
// files worth about 1 MiB of input, a fraction of a second of work).
class ResultChannel {
 public:
  void push(Finished finished) {
    {
      std::lock_guard lock(mutex_);
      for (auto& f : finished) results_.push_back(std::move(f));
    }
    ready_.notify_one();
  }
  void chunk_finished() {
    {
      std::lock_guard lock(mutex_);
      ++chunks_done_;
    }
    ready_.notify_one();
  }
  // Waits up to `slice` for news beyond `known_done` finished chunks; returns what arrived and how many
  // chunks are finished. (Comparing with the caller's count, not with the count at entry, matters: a
  // chunk that finished between two calls must end the wait at once, not after `slice`.)
  std::pair<std::deque<std::pair<std::size_t, FileResult>>, std::size_t> take(std::chrono::milliseconds slice,
                                                                               std::size_t known_done) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, slice, [&] { return !results_.empty() || chunks_done_ != known_done; });
    return {std::exchange(results_, {}), chunks_done_};
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<std::size_t, FileResult>> results_;
  std::size_t chunks_done_ = 0;
};

}  // namespace

BatchPlan plan_batch(const std::vector<InputFile>& inputs, const fs::path& out_dir, Format format) {
  // One stat per input and per output, and the output paths as text: cheap for a million files. An
  // output that exists and is one of the inputs (same device and inode, through any link or spelling)
  // is refused; outputs all lie under out_dir, so two inputs share an output when its text is equal.
  BatchPlan plan;
  std::set<std::pair<std::uint64_t, std::uint64_t>> input_ids;
  for (const InputFile& f : inputs) {
    if (const auto id = file_id(f.path)) input_ids.insert(*id);
  }
  std::unordered_map<std::string, std::size_t> taken;  // output path -> the input that has it
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const InputFile& f = inputs[i];
    const fs::path out = output_path_for(f, out_dir, format);
    const auto out_id = file_id(out);
    if (out_id && input_ids.contains(*out_id)) {
      plan.refused.push_back(refusal(f.path, out, "output would overwrite an input file (choose another -o)"));
    } else if (auto [it, fresh] = taken.emplace(out.lexically_normal().string(), i); !fresh) {
      plan.refused.push_back(refusal(f.path, out,
                                     "output " + out.string() + " is already the output of " +
                                         inputs[it->second].path.string()));
    } else {
      plan.items.push_back({f.path, out, f.size});
    }
  }
  return plan;
}

BatchSummary run_batch(const std::vector<BatchItem>& items, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop) {
  const auto start = std::chrono::steady_clock::now();
  // Load the models once here so that a missing model is one start-up error, not one per file.
  (void)WorkerModels::load(options.pipeline);

  const int workers = batch.workers > 0 ? batch.workers : pool::available_cpus();
  std::vector<std::uint64_t> costs(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) costs[i] = items[i].cost;
  std::vector<std::vector<std::size_t>> chunks;
  if (batch.chunking) {
    chunks = pool::ChunkPlanner(batch.chunks).plan(costs, workers);
  } else {
    // One item per task, still largest first so that a big file never starts last.
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
    for (std::size_t i : order) chunks.push_back({i});
  }
  if (batch.backend == Backend::Process)
    return run_chunks_in_processes(items, chunks, options, batch, workers, on_result, stop, start);

  // Declared after everything its tasks use, so that its destructor joins the workers before those go.
  ResultChannel channel;
  pool::ExecutorOptions exec_options;
  exec_options.max_workers = workers;
  exec_options.initializer = [pipeline = options.pipeline] { return std::any(WorkerModels::load(pipeline)); };
  pool::ThreadPoolExecutor executor(exec_options);
  std::vector<pool::Future<void>> futures;
  futures.reserve(chunks.size());
  for (const auto& chunk : chunks) {
    auto future = executor.submit([&items, &options, &channel, &chunk, stop] {
      const auto& models = pool::this_worker::state<WorkerModels>();
      Finished finished;
      finished.reserve(chunk.size());
      for (std::size_t index : chunk) {
        if (stop.stop_requested()) break;
        finished.emplace_back(index, run_file_job(items[index].input, items[index].output, options, &models));
      }
      channel.push(std::move(finished));
    });
    future.add_done_callback([&channel](const pool::Future<void>&) { channel.chunk_finished(); });
    futures.push_back(std::move(future));
  }

  BatchSummary summary;
  std::vector<char> delivered(items.size(), 0);
  bool cancelling = false;
  for (std::size_t chunks_done = 0; chunks_done < chunks.size();) {
    auto [arrived, done] = channel.take(std::chrono::milliseconds(100), chunks_done);
    chunks_done = done;
    for (auto& [index, result] : arrived) {
      delivered[index] = 1;
      summary.count(result);
      if (on_result) on_result(result);
    }
    if (stop.stop_requested() && !cancelling) {
      cancelling = true;
      for (auto& f : futures) f.cancel();
    }
  }
  // Late results pushed between the last take and the final chunk_finished.
  for (auto& [index, result] : channel.take(std::chrono::milliseconds(0), chunks.size()).first) {
    delivered[index] = 1;
    summary.count(result);
    if (on_result) on_result(result);
  }
  // A chunk whose task itself failed (e.g. a broken executor) still owes its items a result.
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    if (futures[c].cancelled()) continue;
    std::exception_ptr error = futures[c].exception();
    if (!error) continue;
    std::string why = "worker failed";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      why += std::string(": ") + e.what();
    } catch (...) {
    }
    for (std::size_t index : chunks[c]) {
      if (delivered[index]) continue;
      delivered[index] = 1;
      FileResult r = refusal(items[index].input, items[index].output, why);
      summary.count(r);
      if (on_result) on_result(r);
    }
  }
  for (char d : delivered) summary.cancelled += d ? 0 : 1;
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace imgpool::core
