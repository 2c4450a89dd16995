#pragma once
// run_batch's process backend: the planned chunks as file-job tasks on a ProcessPoolExecutor.

#include <chrono>
#include <cstddef>
#include <stop_token>
#include <vector>

#include <imgpool/core/batch.hpp>

namespace imgpool::core {

/// runs `chunks` (indices into `items`) on `workers` worker processes; the rest as run_batch.
/// Throws ConfigError when the worker executable cannot be found.
BatchSummary run_chunks_in_processes(const std::vector<BatchItem>& items,
                                     const std::vector<std::vector<std::size_t>>& chunks, const JobOptions& options,
                                     const BatchOptions& batch, int workers, const ResultCallback& on_result,
                                     std::stop_token stop, std::chrono::steady_clock::time_point start);

}  // namespace imgpool::core
