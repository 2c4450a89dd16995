#include "job/atomic_write.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <unistd.h>

#include <atomic>
#include <optional>
#include <cerrno>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(std::string_view what, int error) {
  throw ImageError(fmt::format("{}: {}", what, std::generic_category().message(error)));
}

std::string random_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 engine{std::random_device{}() ^ counter.fetch_add(1)};
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(6, 'x');
  for (char& c : s) c = kChars[engine() % (sizeof kChars - 1)];
  return s;
}

// The temporary name of `target` in `folder`: ".NAME.XXXXXX.tmp", hidden and recognisable (is_temporary_of).
// fmt rather than operator+: GCC 12 raises a false -Wrestrict on "." + std::string (PR 105329).
fs::path temporary_name(const fs::path& folder, const fs::path& target) {
  return folder / fmt::format(".{}.{}.tmp", target.filename().string(), random_suffix());
}

bool is_temporary_of(const fs::path& target, std::string_view name) {
  const std::string base = target.filename().string();
  constexpr std::size_t kSuffix = 1 + 6 + 4;  // ".XXXXXX.tmp"
  return name.size() == 1 + base.size() + kSuffix && name[0] == '.' && name.substr(1, base.size()) == base &&
         name[1 + base.size()] == '.' && name.ends_with(".tmp");
}

void write_fully(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
}

// The preferred way: an unnamed file (O_TMPFILE) in the destination folder, given its name by linkat
// only once it is complete. No partial file ever has a name, so nothing can be left behind, whatever
// ends the process (a second Ctrl-C, SIGKILL, a crash). Returns nullopt where the filesystem or kernel
// has no O_TMPFILE (or /proc is missing); the caller then uses a named temporary file.
std::optional<WriteOutcome> write_unnamed(const fs::path& path, std::span<const std::uint8_t> bytes, Replace replace) {
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const int fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return std::nullopt;
    fail("cannot write", errno);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  write_fully(fd, bytes);
  // Linking by /proc/self/fd needs no privilege (linkat's AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH).
  const std::string self = fmt::format("/proc/self/fd/{}", fd);
  const auto link_as = [&](const fs::path& name) {
    return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0;
  };
  if (replace == Replace::Never) {
    if (link_as(path)) return WriteOutcome::Written;  // linkat never replaces: EEXIST
    if (errno == EEXIST) return WriteOutcome::Exists;
    if (errno == ENOENT && !fs::exists("/proc/self/fd")) return std::nullopt;
    fail("cannot write", errno);
  }
  // Replacing: link the complete file under a temporary name, then rename it over the old one. Only a
  // complete file can ever carry the temporary name, and only for the instant between the two calls.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path temp = temporary_name(folder, path);
    if (link_as(temp)) {
      if (::rename(temp.c_str(), path.c_str()) == 0) return WriteOutcome::Written;
      const int error = errno;
      ::unlink(temp.c_str());
      fail("cannot write", error);
    }
    if (errno == ENOENT && !fs::exists("/proc/self/fd")) return std::nullopt;
    if (errno != EEXIST) fail("cannot write", errno);
  }
  fail("cannot write", EEXIST);
}

// Owns a named temporary file until it is renamed; removes it otherwise. The fallback where
// O_TMPFILE is missing: a process killed while writing leaves its ".NAME.XXXXXX.tmp" behind.
class TempFile {
 public:
  explicit TempFile(const fs::path& target) {
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = temporary_name(folder, target);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) return;
      if (errno != EEXIST) fail("cannot write", errno);
    }
    fail("cannot write", EEXIST);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  void write_all(std::span<const std::uint8_t> bytes) {
    write_fully(fd_, bytes);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write", errno);  // NFS and quotas report late errors here
  }

  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }  // renamed into place: nothing to remove

 private:
  fs::path path_;
  int fd_ = -1;
};

}  // namespace

WriteOutcome write_atomically(const fs::path& path, std::span<const std::uint8_t> bytes, Replace replace) {
  if (const fs::path folder = path.parent_path(); !folder.empty()) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw ImageError(fmt::format("cannot create folder {}: {}", folder.string(), ec.message()));
  }
  if (const auto outcome = write_unnamed(path, bytes, replace)) return *outcome;
  TempFile temp(path);
  temp.write_all(bytes);
  if (replace == Replace::Always) {
    if (::rename(temp.path().c_str(), path.c_str()) != 0) fail("cannot write", errno);
    temp.release();
    return WriteOutcome::Written;
  }
  if (::renameat2(AT_FDCWD, temp.path().c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) {
    temp.release();
    return WriteOutcome::Written;
  }
  if (errno == EEXIST) return WriteOutcome::Exists;
  if (errno != EINVAL && errno != ENOSYS) fail("cannot write", errno);
  // The filesystem lacks RENAME_NOREPLACE: link() refuses an existing target just the same.
  if (::link(temp.path().c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return WriteOutcome::Exists;
    fail("cannot write", errno);
  }
  return WriteOutcome::Written;  // ~TempFile unlinks the temporary name
}

void remove_temporaries_of(const fs::path& path) {
  std::error_code ec;
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (is_temporary_of(path, entry.path().filename().native())) fs::remove(entry.path(), ec);
  }
}

}  // namespace imgpool::core::detail
