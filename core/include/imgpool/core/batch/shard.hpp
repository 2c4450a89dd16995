#pragma once
// Splitting one batch into N deterministic slices, one per machine or job-array task.
//
// An input belongs to shard `shard_of(relative, N)`: a hash of its path relative to its input root, so
// the assignment depends neither on the machine, nor on the absolute root, nor on scan order or timing.
// Every task of a Slurm array, a Kubernetes Indexed Job or a GNU parallel run scans the same inputs and
// keeps its own slice; together the N slices hold every input exactly once.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <imgpool/core/batch/inputs.hpp>

namespace imgpool::core {

/// one slice of a batch: shard `index` of `count`, numbered from 0 (0 <= index < count)
struct ShardSpec {
  int index = 0;
  int count = 1;
  friend bool operator==(const ShardSpec&, const ShardSpec&) = default;
};

/// reads an environment variable; empty when it is not set
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// the lookup of this process's environment (std::getenv)
EnvironmentLookup process_environment();

/// parses "K/N" (0 <= K < N, numbered from 0 as Slurm array IDs and Indexed Job indexes are).
/// Throws UsageError naming the bad part.
ShardSpec parse_shard(std::string_view text);

/// the shard of this job-array task, read from the environment:
/// - Slurm: SLURM_ARRAY_TASK_ID. With `count` (or IMGPOOL_SHARD_COUNT) the task ID is the index; else
///   index = (ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP and count from MIN, MAX and STEP,
///   checked against SLURM_ARRAY_TASK_COUNT (a sparse array such as --array=1,4,9 is refused); with
///   SLURM_ARRAY_TASK_COUNT alone the ID is the index.
/// - Kubernetes Indexed Job: JOB_COMPLETION_INDEX is the index; the count is `count`, else
///   IMGPOOL_SHARD_COUNT (set it to the Job's .spec.completions).
/// Slurm is looked at first. Throws UsageError when neither is found or the values do not make a shard.
ShardSpec shard_from_environment(std::optional<int> count, const EnvironmentLookup& env = process_environment());

/// "auto" → shard_from_environment(count, env); "K/N" → parse_shard (then `count` must be empty or N)
ShardSpec resolve_shard(std::string_view spec, std::optional<int> count,
                        const EnvironmentLookup& env = process_environment());

/// the stable 64-bit key of an input: FNV-1a 64 over the UTF-8 generic_string() of its relative path
/// without the extension, then MurmurHash3's fmix64 finalizer (FNV-1a's low bits alone are poorly mixed).
/// The extension is left out so that inputs that may share an output (a.jpg and a.png with --format
/// jpg) fall in one shard, where plan_batch sees both and refuses the second as a single run would.
std::uint64_t shard_key(const std::filesystem::path& relative);

/// the shard (0..count-1) the input with this relative path belongs to: shard_key(relative) % count
int shard_of(const std::filesystem::path& relative, int count);

/// keeps the files of `shard` (by their relative path) and the problems of `shard` (by the input
/// argument as given, so that each missing input is reported by exactly one shard). Order is kept.
ScanResult select_shard(ScanResult scan, const ShardSpec& shard);

}  // namespace imgpool::core
