#include <imgpool/core/batch/batch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <utility>

#include <imgpool/core/error.hpp>
#include <imgpool/pool/chunking.hpp>

#include "batch/chunk_runner.hpp"
#include "batch/worker_setup.hpp"
#include "job/atomic_write.hpp"
#include "job/file_identity.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;
namespace {

// Chunks are handed to the pool a window at a time and built from the plan only then, so that memory
// holds a window of items, not the batch.
BatchSummary run_planned(std::size_t count, const std::function<std::uint64_t(std::size_t)>& cost_of,
                         const std::function<BatchItem(std::size_t)>& item_at, const JobOptions& options,
                         const BatchOptions& batch, const ResultCallback& on_result, std::stop_token stop,
                         const std::filesystem::path* out_dir, std::vector<detail::FileId> input_ids) {
  const auto start = std::chrono::steady_clock::now();
  check_job(options);  // a missing model is one start-up error, not one per file
  // The output root, opened once: every output of the batch is written below this fd.
  std::optional<detail::OutputRoot> root;
  if (out_dir) {
    std::error_code ec;
    fs::create_directories(*out_dir, ec);  // links followed: the caller named this folder
    try {
      root.emplace(*out_dir);
    } catch (const ImageError& e) {
      throw ConfigError(e.what());
    }
  }
  const OutputGuard guard{root ? &*root : nullptr, detail::InputIds(std::move(input_ids))};

  const int workers = detail::worker_count(batch.workers);
  std::vector<std::vector<std::size_t>> chunks;
  {
    std::vector<std::uint64_t> costs(count);
    for (std::size_t i = 0; i < count; ++i) costs[i] = cost_of(i);
    if (batch.chunking) {
      chunks = pool::ChunkPlanner(batch.chunks).plan(costs, workers);
    } else {
      // One item per task, still largest first so that a big file never starts last.
      std::vector<std::size_t> order(count);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
      chunks.reserve(count);
      for (std::size_t i : order) chunks.push_back({i});
    }
  }

  Inbox inbox;  // before the runner, whose destructor waits for the threads that push here
  const std::unique_ptr<ChunkRunner> runner =
      batch.backend == Backend::Process ? make_process_runner(options, guard, batch, workers, inbox)
                                        : make_thread_runner(options, guard, workers, inbox, stop);
  const std::size_t window = 4 * static_cast<std::size_t>(workers);
  std::unordered_map<std::size_t, std::size_t> unsettled;  // submitted chunk -> its items not yet taken
  std::size_t next = 0;
  bool stopping = false;
  auto fill = [&] {
    for (; !stopping && next < chunks.size() && unsettled.size() < window; ++next) {
      std::vector<BatchItem> items;
      items.reserve(chunks[next].size());
      for (std::size_t index : chunks[next]) items.push_back(item_at(index));
      unsettled.emplace(next, items.size());
      runner->submit(next, std::move(items));
      std::vector<std::size_t>().swap(chunks[next]);  // only its size is needed from here on
    }
  };

  BatchSummary summary;
  stopping = stop.stop_requested();
  fill();
  while (!unsettled.empty()) {
    for (auto& [chunk, result] : inbox.take(std::chrono::milliseconds(100))) {
      if (result) {
        summary.count(*result);
        if (on_result) on_result(*result);
      } else {
        ++summary.cancelled;
      }
      if (const auto it = unsettled.find(chunk); --it->second == 0) {
        unsettled.erase(it);
        runner->retire(chunk);
      }
    }
    if (stop.stop_requested() && !stopping) {
      stopping = true;
      runner->cancel_pending();
    }
    fill();
  }
  for (; next < chunks.size(); ++next) summary.cancelled += chunks[next].size();  // never submitted
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

std::vector<detail::FileId> file_ids(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& pairs) {
  std::vector<detail::FileId> ids;
  ids.reserve(pairs.size());
  for (const auto& [device, inode] : pairs) ids.push_back({device, inode});
  return ids;
}

// A list of items has no plan: its inputs' identities are found here, one stat each.
std::vector<detail::FileId> input_ids_of(const std::vector<BatchItem>& items) {
  std::vector<detail::FileId> ids;
  ids.reserve(items.size());
  for (const BatchItem& item : items) {
    if (const auto id = detail::file_id(item.input)) ids.push_back(*id);
  }
  return ids;
}

}  // namespace

BatchSummary run_batch(const BatchPlan& plan, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop) {
  return run_planned(
      plan.size(), [&](std::size_t i) { return plan.cost(i); }, [&](std::size_t i) { return plan[i]; }, options,
      batch, on_result, std::move(stop), &plan.out_dir(), file_ids(plan.input_identities()));
}

BatchSummary run_batch(const std::vector<BatchItem>& items, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop) {
  return run_planned(
      items.size(), [&](std::size_t i) { return items[i].cost; }, [&](std::size_t i) { return items[i]; }, options,
      batch, on_result, std::move(stop), nullptr, input_ids_of(items));
}

}  // namespace imgpool::core
