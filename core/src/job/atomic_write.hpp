#pragma once
// Internal: writing a file so that it appears whole or not at all, and only below its output root.
//
// Every output operation is relative to a directory fd, the output root, opened once. The folders below
// it are resolved one component at a time without following symbolic links (openat2 with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, or, where the kernel lacks openat2, an
// openat with O_PATH | O_NOFOLLOW whose fd is checked to be a folder), created with mkdirat, and the file is linked or
// renamed into that folder's fd. So a folder swapped for a link mid-run cannot redirect a write: a link
// below the root is refused, never followed. The root itself is opened by path, links followed: the
// caller named it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>

#include "job/file_identity.hpp"

namespace imgpool::core::detail {

/// how an existing file at the destination is treated
enum class Replace { Never, Always };

/// the outcome of write_atomically
enum class WriteOutcome { Written, Exists };

/// A folder opened once that outputs are written below. Immutable after construction; its members may
/// be used from any number of threads at once.
class OutputRoot {
 public:
  /// opens the folder `path` (a link there is followed). With `expected`, refuses a folder of another
  /// identity (ImageError "the output folder ... is not the one the batch started with"), so that a
  /// process opening the root again detects one swapped meanwhile. Throws ImageError when it cannot be
  /// opened or is no folder.
  explicit OutputRoot(const std::filesystem::path& path, std::optional<FileId> expected = std::nullopt);
  OutputRoot(OutputRoot&& other) noexcept;
  OutputRoot& operator=(OutputRoot&&) = delete;
  OutputRoot(const OutputRoot&) = delete;
  ~OutputRoot();

  const std::filesystem::path& path() const noexcept { return path_; }
  int fd() const noexcept { return fd_; }
  FileId id() const noexcept { return id_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  FileId id_;
};

/// The identities of a batch's inputs, sorted: no output may replace one. Immutable; thread safe.
class InputIds {
 public:
  InputIds() = default;
  explicit InputIds(std::vector<FileId> ids);
  bool contains(const FileId& id) const noexcept;
  const std::vector<FileId>& ids() const noexcept { return ids_; }

 private:
  std::vector<FileId> ids_;
};

/// how folders below the root are resolved: openat2 where the kernel has it (Auto), or the
/// O_PATH | O_NOFOLLOW walk (Walk) that Auto falls back to on ENOSYS. Walk exists so that tests can
/// run the fallback on a kernel that has openat2. Process-wide; set it before writing, not during.
enum class ResolveMode { Auto, Walk };
void set_resolve_mode(ResolveMode mode) noexcept;

/// what is at `output` (below `root`, without following links, without creating folders): its lstat,
/// or nullopt when it or one of its folders is missing. Throws ImageError when a folder on the way is a
/// symbolic link or `output` does not lie below the root.
std::optional<struct stat> stat_output(const OutputRoot& root, const std::filesystem::path& output);

/// writes `bytes` to `output`, a path below `root` (mode 0666 & ~umask) so that it appears whole or not
/// at all, creating missing folders below the root (never following a link there: ImageError "cannot
/// write: FOLDER is a symbolic link ..."). The file is written unnamed (O_TMPFILE) in its folder and
/// linked into place when complete, so no partial file ever has a name, even if the process is killed;
/// where O_TMPFILE is missing, a temporary ".imgpool-HHHHHHHHHHHHHHHH-XXXXXX" (32 bytes, whatever the
/// output's name) is written and renamed into place (and removed on every failure the process
/// survives). With Replace::Never an existing file (even one created meanwhile by another process) is
/// left alone and Exists returned (linkat, renameat2 RENAME_NOREPLACE or linkat of the temporary). With
/// Replace::Always the destination is checked against `inputs` just before the swap and the swap is a
/// RENAME_EXCHANGE whose displaced file is checked again (and swapped back when it is an input), so no
/// input is ever replaced: ImageError(kOverwritesInput). Throws ImageError("cannot write: <strerror>")
/// on I/O errors.
WriteOutcome write_atomically(const OutputRoot& root, const std::filesystem::path& output,
                              std::span<const std::uint8_t> bytes, Replace replace, const InputIds& inputs);

/// the same below `path`'s own folder (created when missing, links followed there)
WriteOutcome write_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, Replace replace,
                              const InputIds& inputs = {});

/// true when `output` (below `root`, links not followed) is a regular file holding exactly `bytes`
bool output_holds(const OutputRoot& root, const std::filesystem::path& output, std::span<const std::uint8_t> bytes);

/// a fresh temporary name for the output named `name` (the rule remove_temporaries_of recognises)
std::string temporary_name_for(std::string_view name);

/// removes the named temporaries of `output` that a process killed while writing it left behind: the
/// rerun of a file whose worker died calls it. This file owns the temporary-name rule; nothing else
/// spells it.
void remove_temporaries_of(const OutputRoot& root, const std::filesystem::path& output);
/// the same in `path`'s own folder
void remove_temporaries_of(const std::filesystem::path& path);

}  // namespace imgpool::core::detail
