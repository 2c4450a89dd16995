#include <imgpool/core/batch/inputs.hpp>

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "batch/fmix64.hpp"
#include "job/file_identity.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;

namespace {

// Files already listed, by device and inode: the same file reached twice (named twice, or through a
// symlinked folder) is listed once. Held in an open-addressing hash table (written here because the
// node-based std::set and std::unordered_set cost 50-70 bytes per id, more than the rest of a file's
// record; Debian 12's Boost predates unordered_flat_set): 16-byte slots, at most 70% full, so 23-46
// bytes per file, in one allocation that is given back whole.
class SeenFiles {
 public:
  /// true the first time `file` is met; also gives its size and identity. A file that cannot be
  /// stat'ed (it vanished) is listed, with size and identity 0, to fail with a reason when it is read.
  bool first_time(const fs::path& file, InputFile& record) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return true;
    const detail::FileId id = detail::file_id(st);
    record.size = static_cast<std::uint64_t>(st.st_size);
    record.device = id.device;
    record.inode = id.inode;
    return insert({id.device, id.inode});
  }

 private:
  struct Id {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;  // 0: an empty slot (inode 0 is kept aside, in zero_ino_devs_)
  };

  static std::uint64_t mix(Id id) { return detail::fmix64(id.dev * 0x9e3779b97f4a7c15ULL ^ id.ino); }

  // true when `id` was not there (and is now)
  bool insert(Id id) {
    if (id.ino == 0) return zero_ino_devs_.insert(id.dev).second;
    if ((count_ + 1) * 10 > slots_.size() * 7) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(id) & mask;; i = (i + 1) & mask) {
      Id& slot = slots_[i];
      if (slot.ino == 0) {
        slot = id;
        ++count_;
        return true;
      }
      if (slot.ino == id.ino && slot.dev == id.dev) return false;
    }
  }

  void grow() {
    std::vector<Id> old(slots_.empty() ? 1024 : slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Id& id : old) {
      if (id.ino == 0) continue;
      std::size_t i = mix(id) & mask;
      while (slots_[i].ino != 0) i = (i + 1) & mask;
      slots_[i] = id;
    }
  }

  std::vector<Id> slots_;  // size a power of two
  std::size_t count_ = 0;
  std::set<std::uint64_t> zero_ino_devs_;  // devices on which inode 0 was met (some FUSE file systems)
};

bool glob_matches(const std::vector<std::string>& globs, const fs::path& relative) {
  const std::string rel = relative.generic_string();
  const std::string name = relative.filename().string();
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
    return fnmatch(g.c_str(), rel.c_str(), 0) == 0 || fnmatch(g.c_str(), name.c_str(), 0) == 0;
  });
}

bool selected(const ScanOptions& options, const fs::path& relative) {
  if (!options.include.empty() && !glob_matches(options.include, relative)) return false;
  return !glob_matches(options.exclude, relative);
}

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Walks one folder. Symbolic links are followed when their target is inside the input folder (or with
// follow_symlinks); a link out of it is a problem, not followed. Each folder (by canonical path) is walked
// once: a folder whose canonical path is already on the way down is a loop, reported once; one reached
// again by another way (two links to one folder) is skipped, its files were listed the first time.
// Without the second rule a chain of folders each linking twice to the next takes 2^depth walks.
class FolderWalker {
 public:
  FolderWalker(const ScanOptions& options, const FileSink& on_file, const ProblemSink& on_problem, SeenFiles& seen)
      : options_(options), on_file_(on_file), on_problem_(on_problem), seen_(seen) {}

  void walk(const fs::path& root) {
    std::error_code ec;
    root_ = fs::canonical(root, ec);
    for (const fs::path& folder : options_.skip_folders) {
      if (const auto id = detail::file_id(folder)) skipped_.insert(*id);
    }
    walk_dir(root, root);
  }

 private:
  void walk_dir(const fs::path& root, const fs::path& dir) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(dir, ec);
    if (!ec) {
      if (ancestors_.contains(canonical)) {
        on_problem_({dir, "symlink loop (folder already being walked), skipped"});
        return;
      }
      if (!walked_.insert(canonical).second) return;
      ancestors_.insert(canonical);
    }
    // Names and listed types only, the names in one buffer: a folder of 100,000 files costs about 2 MB
    // while it is walked. Hidden files, and files whose name is not an image's, are left out here.
    struct Entry {
      std::size_t offset;  // of the name in `names`
      std::uint32_t length;
      fs::file_type type;  // as listed (d_type), links not followed
    };
    std::string names;
    std::vector<Entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code tec;
      const fs::file_type type = it->symlink_status(tec).type();
      const fs::path& path = it->path();
      if (hidden(path) || (type == fs::file_type::regular && !has_image_extension(path))) continue;
      const fs::path name = path.filename();
      entries.push_back({names.size(), static_cast<std::uint32_t>(name.native().size()), type});
      names += name.native();
    }
    if (ec) on_problem_({dir, "cannot list folder: " + ec.message()});
    const auto name_of = [&](const Entry& e) { return std::string_view(names).substr(e.offset, e.length); };
    // Sorted, so that runs, reports and shards see one order whatever the file system returns.
    std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) { return name_of(a) < name_of(b); });
    for (const Entry& entry : entries) {
      const fs::file_type listed = entry.type;
      const fs::path p = dir / name_of(entry);
      const bool link = listed == fs::file_type::symlink;
      fs::file_type type = listed;
      if (link || listed == fs::file_type::unknown || listed == fs::file_type::none) {
        std::error_code sec;
        type = fs::status(p, sec).type();  // follows the link
      }
      if (type == fs::file_type::directory) {
        if (options_.recursive && !leads_out(link, p) && !skipped(p)) walk_dir(root, p);
        continue;
      }
      if (!has_image_extension(p)) continue;
      const fs::path relative = p.lexically_relative(root);
      if (!selected(options_, relative)) continue;
      if (link && type == fs::file_type::not_found) {
        on_problem_({p, "broken symlink (its target does not exist), skipped"});
        continue;
      }
      if (type != fs::file_type::regular || leads_out(link, p)) continue;
      add(p, relative);
    }
    ancestors_.erase(canonical);
  }

  // True (and reported) when `p` is a link whose target lies outside the input folder and links out
  // are not followed.
  bool leads_out(bool link, const fs::path& p) {
    if (!link || options_.follow_symlinks || root_.empty()) return false;
    std::error_code ec;
    const fs::path target = fs::canonical(p, ec);
    if (ec) return false;  // gone meanwhile: its read fails with the reason
    const auto [r, t] = std::mismatch(root_.begin(), root_.end(), target.begin(), target.end());
    if (r == root_.end()) return false;
    on_problem_({p, "symbolic link to outside the input folder, not followed (set ScanOptions::follow_symlinks "
                    "to follow it)"});
    return true;
  }

  bool skipped(const fs::path& folder) const {
    if (skipped_.empty()) return false;
    const auto id = detail::file_id(folder);
    return id && skipped_.contains(*id);
  }

  void add(const fs::path& p, const fs::path& relative) {
    InputFile file{p, relative};
    if (seen_.first_time(p, file)) on_file_(file);
  }

  const ScanOptions& options_;
  const FileSink& on_file_;
  const ProblemSink& on_problem_;
  SeenFiles& seen_;
  std::set<fs::path> ancestors_;  // canonical folders on the way down from the root
  std::set<fs::path> walked_;     // canonical folders walked so far
  fs::path root_;                 // the input folder, canonical
  std::set<detail::FileId> skipped_;  // ScanOptions::skip_folders
};

}  // namespace

void scan_inputs(const std::vector<fs::path>& inputs, const ScanOptions& options, const FileSink& on_file,
                 const ProblemSink& on_problem) {
  SeenFiles seen;
  for (const fs::path& input : inputs) {
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      on_problem({input, "no such file or folder"});
    } else if (fs::is_directory(status)) {
      FolderWalker(options, on_file, on_problem, seen).walk(input);
    } else if (fs::is_regular_file(status)) {
      const bool keep = options.keep_folders_of_named_files && input.is_relative() &&
                        std::none_of(input.begin(), input.end(), [](const fs::path& part) { return part == ".."; });
      InputFile file{input, keep ? input.lexically_normal() : input.filename()};
      if (seen.first_time(input, file)) on_file(file);
    } else {
      on_problem({input, "not a regular file or folder"});
    }
  }
}

ScanResult scan_inputs(const std::vector<fs::path>& inputs, const ScanOptions& options) {
  ScanResult result;
  scan_inputs(
      inputs, options, [&](const InputFile& f) { result.files.push_back(f); },
      [&](const InputProblem& p) { result.problems.push_back(p); });
  return result;
}

InputTable::InputTable(const std::vector<InputFile>& files) {
  entries_.reserve(files.size());
  for (const InputFile& f : files) push_back(f);
}

void InputTable::push_back(const InputFile& file) {
  const std::string& path = file.path.native();
  const std::string& relative = file.relative.native();
  if (relative.size() >= kWholePath || text_.size() > text_.max_size() - relative.size()) {
    throw std::length_error("InputTable: path too long");
  }
  // Usually the path ends with the relative path ("photos/" + "2024/a.jpg"); else keep the whole path.
  const bool split = path.size() >= relative.size() && path.compare(path.size() - relative.size(), relative.size(),
                                                                     relative) == 0;
  const std::string_view root = split ? std::string_view(path).substr(0, path.size() - relative.size()) : path;
  if (roots_.empty() || roots_.back() != root) {  // files under one root arrive together
    if (roots_.size() >= kWholePath) throw std::length_error("InputTable: too many roots");
    roots_.emplace_back(root);
  }
  const auto root_index = static_cast<std::uint32_t>(roots_.size() - 1);
  entries_.push_back({text_.size(), static_cast<std::uint32_t>(relative.size()),
                      split ? root_index : (root_index | kWholePath), file.size, file.device, file.inode});
  text_ += relative;
}

InputFile InputTable::operator[](std::size_t i) const {
  const Entry& e = entries_.at(i);
  const std::string_view relative = std::string_view(text_).substr(e.offset, e.length);
  InputFile file;
  if (e.root & kWholePath) {
    file.path = roots_[e.root & ~kWholePath];
  } else {
    std::string path = roots_[e.root];
    path += relative;
    file.path = std::move(path);
  }
  file.relative = relative;
  file.size = e.size;
  file.device = e.device;
  file.inode = e.inode;
  return file;
}

fs::path output_path_for(const InputFile& file, const fs::path& out_dir, Format format) {
  fs::path out = out_dir / file.relative;
  out.replace_extension(output_extension(format, file.path));
  return out;
}

}  // namespace imgpool::core
