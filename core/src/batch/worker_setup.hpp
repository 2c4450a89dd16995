#pragma once
// Internal to core: how the thread backends set up their workers, written once for run_batch's thread
// runner and MemoryBatch. (The process backend's workers load theirs in the worker's initializer task,
// worker/file_job_codec.cpp.)

#include <any>

#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/ops/pipeline.hpp>
#include <imgpool/pool/cpu.hpp>
#include <imgpool/pool/executor.hpp>

namespace imgpool::core::detail {

/// the number of workers for a requested count: `requested`, or the CPUs this process may use when 0
inline int worker_count(int requested) { return requested > 0 ? requested : pool::available_cpus(); }

/// a ThreadPoolExecutor's options for `workers` workers (0: worker_count), each of which loads its own
/// WorkerModels for `pipeline` in the pool's initializer (pool::this_worker::state<WorkerModels>())
inline pool::ExecutorOptions thread_worker_options(const Pipeline& pipeline, int workers) {
  pool::ExecutorOptions options;
  options.max_workers = worker_count(workers);
  options.initializer = [pipeline] { return std::any(WorkerModels::load(pipeline)); };
  return options;
}

}  // namespace imgpool::core::detail
