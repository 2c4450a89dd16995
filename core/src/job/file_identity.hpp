#pragma once
// Internal to core: a file's identity, device and inode, so that links, hard links and different
// spellings of one path agree. The scan lists each file once by it, plan_batch refuses an output that
// is an input by it, and the file job re-checks its own input and output by it just before writing.

#include <sys/stat.h>

#include <compare>
#include <cstdint>
#include <filesystem>
#include <optional>

namespace imgpool::core::detail {

struct FileId {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  friend auto operator<=>(const FileId&, const FileId&) = default;
};

/// the identity of `st`
inline FileId file_id(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

/// the identity of the file `path` names (links followed); nullopt when it cannot be stat'ed
inline std::optional<FileId> file_id(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return file_id(st);
}

/// the reason an output that is an input file is refused, at planning and again at writing
inline constexpr const char* kOverwritesInput = "output would overwrite an input file (choose another output folder)";

}  // namespace imgpool::core::detail
