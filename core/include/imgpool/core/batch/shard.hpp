#pragma once
// Splitting one batch into N deterministic slices, one per machine or job-array task.
//
// An input belongs to shard `shard_of(relative, N)`: a hash of its path relative to its input root, so
// the assignment depends neither on the machine, nor on the absolute root, nor on scan order or timing.
// Every task of a Slurm array, a Kubernetes Indexed Job or a GNU parallel run scans the same inputs and
// keeps its own slice; together the N slices hold every input exactly once.

#include <cstdint>
#include <filesystem>

#include <imgpool/core/batch/inputs.hpp>

namespace imgpool::core {

/// one slice of a batch: shard `index` of `count`, numbered from 0 (0 <= index < count)
struct ShardSpec {
  int index = 0;
  int count = 1;
  /// whether the input with this key (a file's relative path, or a problem's input argument as given)
  /// falls in this shard: shard_of(key, count) == index. Throws UsageError if count < 1.
  bool contains(const std::filesystem::path& key) const;
  friend bool operator==(const ShardSpec&, const ShardSpec&) = default;
};

/// the stable 64-bit key of an input: FNV-1a 64 over the UTF-8 generic_string() of its relative path
/// without the extension, then MurmurHash3's fmix64 finalizer (FNV-1a's low bits alone are poorly mixed).
/// The extension is left out so that inputs that may share an output (a.jpg and a.png with --format
/// jpg) fall in one shard, where plan_batch sees both and refuses the second as a single run would.
std::uint64_t shard_key(const std::filesystem::path& relative);

/// the shard (0..count-1) the input with this relative path belongs to: shard_key(relative) % count
int shard_of(const std::filesystem::path& relative, int count);

/// keeps the files of `shard` (by their relative path) and the problems of `shard` (by the input
/// argument as given, so that each missing input is reported by exactly one shard), as
/// ShardSpec::contains decides. Order is kept. Throws UsageError if `shard` is not 0 <= index < count.
ScanResult select_shard(ScanResult scan, const ShardSpec& shard);

}  // namespace imgpool::core
