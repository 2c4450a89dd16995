#pragma once
// Running one pipeline over many files on a worker pool: the batch runner.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <vector>

#include <imgpool/core/file_job.hpp>
#include <imgpool/core/inputs.hpp>
#include <imgpool/pool/chunking.hpp>

namespace imgpool::core {

/// one file to process and where its output goes
struct BatchItem {
  std::filesystem::path input;
  std::filesystem::path output;
  std::uint64_t cost = 0;  ///< input size in bytes; what the chunking layer balances
};

/// the items of a batch, and the inputs refused before any work (their results are already failures)
struct BatchPlan {
  std::vector<BatchItem> items;
  std::vector<FileResult> refused;
};

/// maps scanned inputs to outputs under `out_dir`. Refuses (as failed results, never silently):
/// an output that would be an input file, and a second input mapping to an output already taken
/// (`a.jpg` and `a.png` with `--format jpg`: the first in scan order keeps it).
BatchPlan plan_batch(const std::vector<InputFile>& inputs, const std::filesystem::path& out_dir, Format format);

/// how a batch uses the pool
struct BatchOptions {
  int workers = 0;             ///< worker threads; 0 = the CPUs this process may use
  bool chunking = true;        ///< group small files into one task (see pool::ChunkPlanner)
  /// targets for the chunking layer: auto, capped at 1 MiB of input per chunk. Decoding 1 MiB of JPEG
  /// takes milliseconds, a thousand times a task's overhead, so larger chunks would only make the
  /// tail coarser; photos thus ride one per task, small files share.
  pool::ChunkOptions chunks{.target_cost = 0, .max_items = 0, .max_auto_target = 1 << 20};
};

/// counts at the end of a batch
struct BatchSummary {
  std::size_t processed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  std::size_t cancelled = 0;  ///< never started because the batch was stopped
  double elapsed_s = 0;
};

/// called once per finished item, on the thread that called run_batch, in completion order
using ResultCallback = std::function<void(const FileResult&)>;

/// runs `options.pipeline` over `items` on a thread pool of `batch.workers` workers, each with its
/// own WorkerModels built by the pool's initializer. Blocks until every item has a result or, after
/// `stop` is requested, until the items already running have finished (pending ones are cancelled
/// and counted as `cancelled`). Per-file failures are results, never exceptions.
/// Throws ConfigError before any file is touched if the pipeline's models cannot be loaded.
BatchSummary run_batch(const std::vector<BatchItem>& items, const JobOptions& options, const BatchOptions& batch,
                       const ResultCallback& on_result, std::stop_token stop = {});

}  // namespace imgpool::core
