#pragma once
// Running one pipeline over many files on a worker pool: the batch runner.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <vector>

#include <imgpool/core/batch/plan.hpp>
#include <imgpool/core/job/file_job.hpp>
#include <imgpool/pool/chunking.hpp>
#include <imgpool/pool/process_executor.hpp>

namespace imgpool::core {

/// where a batch's file jobs run
enum class Backend {
  Thread,   ///< worker threads in this process (ThreadPoolExecutor)
  Process,  ///< worker processes (ProcessPoolExecutor running imgpool-worker): a crash fails one file
};

/// how a batch uses the pool
struct BatchOptions {
  int workers = 0;             ///< workers; 0 = the CPUs this process may use
  bool chunking = true;        ///< group small files into one task (see pool::ChunkPlanner)
  /// targets for the chunking layer: auto, capped at 1 MiB of input per chunk. Decoding 1 MiB of JPEG
  /// takes milliseconds, a thousand times a task's overhead, so larger chunks would only make the
  /// tail coarser; photos thus ride one per task, small files share.
  pool::ChunkOptions chunks{.target_cost = 0, .max_items = 0, .max_auto_target = 1 << 20};
  Backend backend = Backend::Thread;
  /// Backend::Process only: retries, task_timeout, worker_memory_mb, max_tasks_per_child and worker_path,
  /// documented on pool::ProcessExecutorOptions. run_batch sets max_workers (from `workers`), the
  /// initializer and its argument itself; what is set there here is ignored.
  pool::ProcessExecutorOptions process{};
};

/// counts at the end of a batch
struct BatchSummary {
  std::size_t processed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  std::size_t cancelled = 0;  ///< never started because the batch was stopped
  std::size_t warned = 0;     ///< finished items with FileResult::warnings, whatever their status
  double elapsed_s = 0;
  /// counts one finished item by its status
  void count(const FileResult& r) {
    if (!r.warnings.empty()) ++warned;
    switch (r.status) {
      case Status::Ok: ++processed; break;
      case Status::Failed: ++failed; break;
      case Status::Skipped: ++skipped; break;
    }
  }
};

/// called once per finished item, on the thread that called run_batch, in completion order
using ResultCallback = std::function<void(const FileResult&)>;

/// runs `options.pipeline` over the items of `plan` on a pool of `batch.workers` workers (threads or
/// processes, per `batch.backend`), each with its own WorkerModels built by the pool's initializer. With
/// processes, a file whose worker crashes or times out fails alone with that reason (after
/// `batch.process.retries`). Items are handed to the pool a few chunks at a time (a window of 4 chunks per
/// worker), so memory does not grow with the number of items. Blocks until every item has a result or,
/// after `stop` is requested, until the items already running have finished (the others are never
/// started and are counted as `cancelled`). Per-file failures are results, never exceptions.
/// Outputs are written only below `plan.out_dir()`, opened once (created when missing): a symbolic link
/// below it is never followed (that item fails with the reason), and no output replaces one of the
/// plan's inputs, checked again just before each replace.
/// Throws ConfigError before any file is touched if the pipeline's models cannot be loaded or the output
/// folder cannot be opened.
BatchSummary run_batch(const BatchPlan& plan, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop = {});
/// the same for a list of items: each output is written in its own folder as given (links there
/// followed: the caller chose each path), never replacing one of the items' inputs
BatchSummary run_batch(const std::vector<BatchItem>& items, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop = {});

}  // namespace imgpool::core
