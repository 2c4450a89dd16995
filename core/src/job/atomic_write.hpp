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

/// writes `bytes` to `path` (mode 0666 & ~umask) so that it appears whole or not at all, creating
/// missing folders. The file is written unnamed (O_TMPFILE) in `path`'s folder and linked into place
/// when complete, so no partial file ever has a name, even if the process is killed; where O_TMPFILE is
/// missing, a temporary ".NAME.XXXXXX.tmp" is written and renamed into place (and removed on every
/// failure the process survives). With Replace::Never an existing file (even one created meanwhile by
/// another process) is left alone and Exists returned (linkat, renameat2 RENAME_NOREPLACE or link()).
/// Throws ImageError("cannot write: <strerror>") on I/O errors.
WriteOutcome write_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, Replace replace);

/// removes the named temporaries of `path` (".NAME.XXXXXX.tmp" in its folder) that a process killed
/// while writing it left behind: the rerun of a file whose worker died calls it. This file owns the
/// temporary-name rule; nothing else spells it.
void remove_temporaries_of(const std::filesystem::path& path);

}  // namespace imgpool::core::detail
