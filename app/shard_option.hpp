#pragma once
// --shard and --shard-count: which slice of the batch this run takes (core::ShardSpec), from the command
// line or from the job-array task it runs in. The messages name the options: this is the CLI's parsing.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <imgpool/core/batch/shard.hpp>

namespace imgpool::app {

/// reads an environment variable; empty when it is not set
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// the lookup of this process's environment (std::getenv)
EnvironmentLookup process_environment();

/// parses "K/N" (0 <= K < N, numbered from 0 as Slurm array IDs and Indexed Job indexes are).
/// Throws core::UsageError naming the bad part.
core::ShardSpec parse_shard(std::string_view text);

/// the shard of this job-array task, read from the environment:
/// - Slurm: SLURM_ARRAY_TASK_ID. With `count` (or IMGPOOL_SHARD_COUNT) the task ID is the index; else
///   index = (ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP and count from MIN, MAX and STEP,
///   checked against SLURM_ARRAY_TASK_COUNT (a sparse array such as --array=1,4,9 is refused); with
///   SLURM_ARRAY_TASK_COUNT alone the ID is the index.
/// - Kubernetes Indexed Job: JOB_COMPLETION_INDEX is the index; the count is `count`, else
///   IMGPOOL_SHARD_COUNT (set it to the Job's .spec.completions).
/// Slurm is looked at first. Throws core::UsageError when neither is found or the values do not make a shard.
core::ShardSpec shard_from_environment(std::optional<int> count,
                                       const EnvironmentLookup& env = process_environment());

/// "auto" → shard_from_environment(count, env); "K/N" → parse_shard (then `count` must be empty or N)
core::ShardSpec resolve_shard(std::string_view spec, std::optional<int> count,
                              const EnvironmentLookup& env = process_environment());

}  // namespace imgpool::app
