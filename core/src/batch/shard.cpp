#include <imgpool/core/batch/shard.hpp>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

#include "batch/fmix64.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;

bool ShardSpec::contains(const fs::path& key) const { return shard_of(key, count) == index; }

std::uint64_t shard_key(const fs::path& relative) {
  fs::path stem = relative;
  stem.replace_extension();
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const char c : stem.generic_string()) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  return detail::fmix64(h);
}

int shard_of(const fs::path& relative, int count) {
  if (count < 1) throw UsageError(fmt::format("shard count {} is not positive", count));
  return static_cast<int>(shard_key(relative) % static_cast<std::uint64_t>(count));
}

ScanResult select_shard(ScanResult scan, const ShardSpec& shard) {
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw UsageError(fmt::format("shard {} of {} is not in 0..count-1 (shards are numbered from 0)", shard.index,
                                 shard.count));
  }
  std::erase_if(scan.files, [&](const InputFile& f) { return !shard.contains(f.relative); });
  std::erase_if(scan.problems, [&](const InputProblem& p) { return !shard.contains(p.path); });
  return scan;
}

}  // namespace imgpool::core
