#include "atomic_write.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <random>
#include <string>
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

// Owns the temporary file until it is renamed; removes it otherwise.
class TempFile {
 public:
  explicit TempFile(const fs::path& target) {
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      // fmt rather than operator+: GCC 12 raises a false -Wrestrict on "." + std::string (PR 105329).
      path_ = folder / fmt::format(".{}.{}.tmp", target.filename().string(), random_suffix());
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
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot write", errno);
      }
      done += static_cast<std::size_t>(n);
    }
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

}  // namespace imgpool::core::detail
