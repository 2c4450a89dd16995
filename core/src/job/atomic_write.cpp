#include "job/atomic_write.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>  // struct open_how, RESOLVE_* (glibc 2.36 has no openat2 wrapper)
#include <stdio.h>          // renameat2 (glibc >= 2.28)
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(std::string_view what, int error) {
  throw ImageError(fmt::format("{}: {}", what, std::generic_category().message(error)));
}

// An fd closed with the object; -1 is none.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

std::atomic<ResolveMode> resolve_mode{ResolveMode::Auto};
std::atomic<bool> have_openat2{true};  // false once the kernel said ENOSYS

// Opens the folder `name` (one component) in `dirfd` without following a link: openat2 confined
// beneath `dirfd`, or openat with O_PATH | O_NOFOLLOW where openat2 is missing. -1 and errno on
// failure: ELOOP when the entry was a link.
int open_component(int dirfd, const char* name) {
  if (resolve_mode.load(std::memory_order_relaxed) == ResolveMode::Auto && have_openat2.load(std::memory_order_relaxed)) {
    struct open_how how {};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, dirfd, name, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
    have_openat2.store(false, std::memory_order_relaxed);
  }
  // The component itself (a link is opened as the link, not followed), then what that fd is: so the
  // answer is about the very entry opened, even if the name is swapped meanwhile.
  const int path_fd = ::openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (path_fd < 0) return -1;
  struct stat st {};
  int fd = -1;
  if (::fstat(path_fd, &st) != 0) {
    fd = -1;
  } else if (S_ISLNK(st.st_mode)) {
    errno = ELOOP;
  } else if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
  } else {
    fd = ::openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  const int error = errno;
  ::close(path_fd);
  errno = error;
  return fd;
}

std::string link_refused(const fs::path& folder) {
  return fmt::format("cannot write: {} is a symbolic link (links below the output folder are never followed)",
                     folder.string());
}

// An output's folder opened below its root, and its name there.
struct Destination {
  Fd owned;       // the folder when it is not the root itself
  int dirfd = -1;  // owned's fd or the root's
  std::string name;
};

// The path of `output` relative to `root`, checked to stay below it.
fs::path relative_below(const OutputRoot& root, const fs::path& output) {
  const fs::path rel = output.lexically_normal().lexically_relative(root.path().lexically_normal());
  const auto bad = [&] {
    throw ImageError(fmt::format("cannot write: {} is not below the output folder {}", output.string(), root.path().string()));
  };
  if (rel.empty() || rel.is_absolute() || !rel.has_filename() || rel.filename() == "." || rel.filename() == "..") bad();
  for (const fs::path& part : rel) {
    if (part == "..") bad();
  }
  return rel;
}

// Opens `output`'s folder below `root`, one component at a time, never following a link; with
// `create`, makes the missing ones (mkdirat). nullopt when a folder is missing and `create` is false.
std::optional<Destination> locate(const OutputRoot& root, const fs::path& output, bool create) {
  const fs::path rel = relative_below(root, output);
  Destination d;
  d.dirfd = root.fd();
  d.name = rel.filename().native();
  fs::path done;  // the folders opened so far, for messages
  for (const fs::path& part : rel.parent_path()) {
    if (part == "." || part.empty()) continue;
    done /= part;
    int fd = open_component(d.dirfd, part.c_str());
    for (int attempt = 0; fd < 0 && errno == ENOENT && create && attempt < 10; ++attempt) {
      if (::mkdirat(d.dirfd, part.c_str(), 0777) != 0 && errno != EEXIST) {
        throw ImageError(fmt::format("cannot create folder {}: {}", (root.path() / done).string(),
                                     std::generic_category().message(errno)));
      }
      fd = open_component(d.dirfd, part.c_str());
    }
    if (fd < 0) {
      const int error = errno;
      if (error == ENOENT && !create) return std::nullopt;
      // One component opened without following links: ELOOP says it was a link when opened (it may be
      // a folder again by now).
      if (error == ELOOP) throw ImageError(link_refused(done));
      throw ImageError(fmt::format("cannot create folder {}: {}", (root.path() / done).string(),
                                   std::generic_category().message(error)));
    }
    d.owned = Fd(fd);
    d.dirfd = fd;
  }
  return d;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

std::string random_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 engine{std::random_device{}() ^ counter.fetch_add(1)};
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(6, 'x');
  for (char& c : s) c = kChars[engine() % (sizeof kChars - 1)];
  return s;
}

// The temporary names of the output `name`: ".imgpool-HHHHHHHHHHHHHHHH-XXXXXX", 32 bytes whatever the
// output's length (so a legal output name never makes an illegal temporary one), hidden, and
// recognisable as that output's by the hash of its name (is_temporary_of).
constexpr std::string_view kTempPrefix = ".imgpool-";
constexpr std::size_t kTempSize = kTempPrefix.size() + 16 + 1 + 6;

std::string temporary_stem(std::string_view name) { return fmt::format("{}{:016x}-", kTempPrefix, fnv1a(name)); }

std::string temporary_name(std::string_view name) { return temporary_stem(name) + random_suffix(); }

bool is_temporary_of(std::string_view name, std::string_view candidate) {
  return candidate.size() == kTempSize && candidate.starts_with(temporary_stem(name));
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

std::optional<FileId> id_at(int dirfd, const std::string& name, struct stat* out = nullptr) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  if (out) *out = st;
  return file_id(st);
}

// Moves the complete file named `temp` in `dirfd` over `name` there, never replacing an input: the
// destination is checked just before the swap, and the swap is an exchange whose displaced file is
// checked again and swapped back when it is an input (or a folder). Where the filesystem cannot
// exchange, a plain rename follows the check. `temp` is gone when this returns or throws.
void replace_with(int dirfd, const std::string& temp, const std::string& name, const InputIds& inputs) {
  struct Remover {
    int dirfd;
    const std::string& temp;
    ~Remover() { ::unlinkat(dirfd, temp.c_str(), 0); }
  } remover{dirfd, temp};
  for (int attempt = 0; attempt < 100; ++attempt) {
    struct stat st {};
    const auto existing = id_at(dirfd, name, &st);
    if (existing && inputs.contains(*existing)) throw ImageError(kOverwritesInput);
    if (!existing) {
      if (::renameat2(dirfd, temp.c_str(), dirfd, name.c_str(), RENAME_NOREPLACE) == 0) return;
      if (errno == EEXIST) continue;  // appeared meanwhile: check it
      if (errno != EINVAL && errno != ENOSYS) fail("cannot write", errno);
    } else if (S_ISDIR(st.st_mode)) {
      fail("cannot write", EISDIR);
    } else if (::renameat2(dirfd, temp.c_str(), dirfd, name.c_str(), RENAME_EXCHANGE) == 0) {
      struct stat displaced {};
      const auto was = id_at(dirfd, temp, &displaced);
      if (was && (inputs.contains(*was) || S_ISDIR(displaced.st_mode))) {
        ::renameat2(dirfd, temp.c_str(), dirfd, name.c_str(), RENAME_EXCHANGE);  // put it back
        if (S_ISDIR(displaced.st_mode)) fail("cannot write", EISDIR);
        throw ImageError(kOverwritesInput);
      }
      return;  // the remover unlinks the displaced file, now named `temp`
    } else if (errno == ENOENT) {
      continue;  // vanished meanwhile
    } else if (errno != EINVAL && errno != ENOSYS) {
      fail("cannot write", errno);
    }
    // The filesystem can neither exchange nor refuse to replace: a rename right after the check.
    if (::renameat(dirfd, temp.c_str(), dirfd, name.c_str()) != 0) fail("cannot write", errno);
    return;
  }
  fail("cannot write", EBUSY);
}

// The preferred way: an unnamed file (O_TMPFILE) in the destination folder, given its name by linkat
// only once it is complete. No partial file ever has a name, so nothing can be left behind, whatever
// ends the process (a second Ctrl-C, SIGKILL, a crash). Returns nullopt where the filesystem or kernel
// has no O_TMPFILE (or /proc is missing); the caller then uses a named temporary file.
std::optional<WriteOutcome> write_unnamed(const Destination& d, std::span<const std::uint8_t> bytes, Replace replace,
                                          const InputIds& inputs) {
  const Fd fd(::openat(d.dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
  if (fd.get() < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return std::nullopt;
    fail("cannot write", errno);
  }
  write_fully(fd.get(), bytes);
  // Linking by /proc/self/fd needs no privilege (linkat's AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH).
  const std::string self = fmt::format("/proc/self/fd/{}", fd.get());
  const auto link_as = [&](const std::string& name) {
    return ::linkat(AT_FDCWD, self.c_str(), d.dirfd, name.c_str(), AT_SYMLINK_FOLLOW) == 0;
  };
  const auto no_proc = [] { return errno == ENOENT && ::access("/proc/self/fd", F_OK) != 0; };
  if (replace == Replace::Never) {
    if (link_as(d.name)) return WriteOutcome::Written;  // linkat never replaces: EEXIST
    if (errno == EEXIST) return WriteOutcome::Exists;
    if (no_proc()) return std::nullopt;
    fail("cannot write", errno);
  }
  // Replacing: link the complete file under a temporary name, then swap it in. Only a complete file can
  // ever carry the temporary name, and only for the instant between the two calls.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string temp = temporary_name(d.name);
    if (link_as(temp)) {
      replace_with(d.dirfd, temp, d.name, inputs);
      return WriteOutcome::Written;
    }
    if (no_proc()) return std::nullopt;
    if (errno != EEXIST) fail("cannot write", errno);
  }
  fail("cannot write", EEXIST);
}

// Owns a named temporary file until it is moved into place; removes it otherwise. The fallback where
// O_TMPFILE is missing: a process killed while writing leaves its temporary behind.
class TempFile {
 public:
  TempFile(int dirfd, const std::string& target) : dirfd_(dirfd) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      name_ = temporary_name(target);
      fd_ = ::openat(dirfd_, name_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd_ >= 0) return;
      if (errno != EEXIST) {
        name_.clear();
        fail("cannot write", errno);
      }
    }
    name_.clear();
    fail("cannot write", EEXIST);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!name_.empty()) ::unlinkat(dirfd_, name_.c_str(), 0);
  }

  void write_all(std::span<const std::uint8_t> bytes) {
    write_fully(fd_, bytes);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write", errno);  // NFS and quotas report late errors here
  }

  const std::string& name() const { return name_; }
  void release() { name_.clear(); }  // moved into place (or removed by replace_with): nothing to remove

 private:
  int dirfd_;
  std::string name_;
  int fd_ = -1;
};

WriteOutcome write_into(const Destination& d, std::span<const std::uint8_t> bytes, Replace replace, const InputIds& inputs) {
  if (const auto outcome = write_unnamed(d, bytes, replace, inputs)) return *outcome;
  TempFile temp(d.dirfd, d.name);
  temp.write_all(bytes);
  if (replace == Replace::Always) {
    temp.release();  // replace_with removes it whatever happens
    replace_with(d.dirfd, temp.name(), d.name, inputs);
    return WriteOutcome::Written;
  }
  if (::renameat2(d.dirfd, temp.name().c_str(), d.dirfd, d.name.c_str(), RENAME_NOREPLACE) == 0) {
    temp.release();
    return WriteOutcome::Written;
  }
  if (errno == EEXIST) return WriteOutcome::Exists;
  if (errno != EINVAL && errno != ENOSYS) fail("cannot write", errno);
  // The filesystem lacks RENAME_NOREPLACE: linkat refuses an existing target just the same.
  if (::linkat(d.dirfd, temp.name().c_str(), d.dirfd, d.name.c_str(), 0) != 0) {
    if (errno == EEXIST) return WriteOutcome::Exists;
    fail("cannot write", errno);
  }
  return WriteOutcome::Written;  // ~TempFile unlinks the temporary name
}

// The root for a path written in its own folder: the folder, created when missing.
OutputRoot own_folder(const fs::path& path) {
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw ImageError(fmt::format("cannot create folder {}: {}", folder.string(), ec.message()));
  return OutputRoot(folder);
}

}  // namespace

OutputRoot::OutputRoot(const fs::path& path, std::optional<FileId> expected) : path_(path.empty() ? fs::path(".") : path) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) {
    throw ImageError(fmt::format("cannot open the output folder {}: {}", path_.string(),
                                 std::generic_category().message(errno)));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int error = errno;
    ::close(fd_);
    fail("cannot open the output folder", error);
  }
  id_ = file_id(st);
  if (expected && *expected != id_) {
    ::close(fd_);
    throw ImageError(fmt::format("the output folder {} is not the one the batch started with (replaced meanwhile)",
                                 path_.string()));
  }
}

OutputRoot::OutputRoot(OutputRoot&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), id_(other.id_) {}

OutputRoot::~OutputRoot() {
  if (fd_ >= 0) ::close(fd_);
}

InputIds::InputIds(std::vector<FileId> ids) : ids_(std::move(ids)) { std::sort(ids_.begin(), ids_.end()); }

bool InputIds::contains(const FileId& id) const noexcept { return std::binary_search(ids_.begin(), ids_.end(), id); }

void set_resolve_mode(ResolveMode mode) noexcept { resolve_mode.store(mode); }

std::optional<struct stat> stat_output(const OutputRoot& root, const fs::path& output) {
  const auto d = locate(root, output, false);
  if (!d) return std::nullopt;
  struct stat st {};
  if (::fstatat(d->dirfd, d->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  return st;
}

WriteOutcome write_atomically(const OutputRoot& root, const fs::path& output, std::span<const std::uint8_t> bytes,
                              Replace replace, const InputIds& inputs) {
  return write_into(*locate(root, output, true), bytes, replace, inputs);
}

WriteOutcome write_atomically(const fs::path& path, std::span<const std::uint8_t> bytes, Replace replace,
                              const InputIds& inputs) {
  const OutputRoot root = own_folder(path);
  return write_atomically(root, root.path() / path.filename(), bytes, replace, inputs);
}

bool output_holds(const OutputRoot& root, const fs::path& output, std::span<const std::uint8_t> bytes) {
  const auto d = locate(root, output, false);
  if (!d) return false;
  const Fd fd(::openat(d->dirfd, d->name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (static_cast<std::uint64_t>(st.st_size) != bytes.size()) return false;
  std::vector<std::uint8_t> held(bytes.size());
  std::size_t done = 0;
  while (done < held.size()) {
    const ssize_t n = ::read(fd.get(), held.data() + done, held.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return std::equal(held.begin(), held.end(), bytes.begin());
}

std::string temporary_name_for(std::string_view name) { return temporary_name(name); }

void remove_temporaries_of(const OutputRoot& root, const fs::path& output) {
  const auto d = locate(root, output, false);
  if (!d) return;
  const int listing = ::openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing < 0) return;
  DIR* dir = ::fdopendir(listing);
  if (!dir) {
    ::close(listing);
    return;
  }
  std::vector<std::string> doomed;
  while (const dirent* entry = ::readdir(dir)) {
    if (is_temporary_of(d->name, entry->d_name)) doomed.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  for (const std::string& name : doomed) ::unlinkat(d->dirfd, name.c_str(), 0);
}

void remove_temporaries_of(const fs::path& path) {
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return;
  try {
    const OutputRoot root(folder);
    remove_temporaries_of(root, root.path() / path.filename());
  } catch (const ImageError&) {
  }
}

}  // namespace imgpool::core::detail
