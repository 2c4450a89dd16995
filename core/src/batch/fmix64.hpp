#pragma once
// MurmurHash3's 64-bit finalizer: spreads every input bit over every output bit (FNV-1a's or a plain
// xor's low bits alone are poorly mixed). Used for shard keys and for the scan's table of file ids.

#include <cstdint>

namespace imgpool::core::detail {

inline std::uint64_t fmix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace imgpool::core::detail
