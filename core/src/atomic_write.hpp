#pragma once
// Internal: writing a file so that it appears whole or not at all.

#include <cstdint>
#include <filesystem>
#include <span>

namespace imgpool::core::detail {

/// how an existing file at the destination is treated
enum class Replace { Never, Always };

/// the outcome of write_atomically
enum class WriteOutcome { Written, Exists };

/// writes `bytes` to a uniquely named temporary file (".NAME.XXXXXX.tmp", mode 0666 & ~umask) in
/// `path`'s folder, creating missing folders, then renames it into place. With Replace::Never an
/// existing file (even one created meanwhile by another process) is left alone and Exists returned
/// (renameat2 RENAME_NOREPLACE, or link()+unlink() where the filesystem lacks it). The temporary file
/// is removed on every failure. Throws ImageError("cannot write: <strerror>") on I/O errors.
WriteOutcome write_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, Replace replace);

}  // namespace imgpool::core::detail
