#include <imgpool/core/inputs.hpp>

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <system_error>

namespace imgpool::core {
namespace fs = std::filesystem;

namespace {

// Files already listed, by device and inode: the same file reached twice (named twice, or through a
// symlinked folder) is listed once. An id costs 16 bytes, where a canonical path costs hundreds and a
// realpath walk per file.
class SeenFiles {
 public:
  /// true the first time `file` is met; also gives its size. A file that cannot be stat'ed (it vanished)
  /// is listed, to fail with a reason when it is read.
  bool first_time(const fs::path& file, std::uint64_t& size) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      size = 0;
      return true;
    }
    size = static_cast<std::uint64_t>(st.st_size);
    return ids_.emplace(static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)).second;
  }

 private:
  std::set<std::pair<std::uint64_t, std::uint64_t>> ids_;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

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

// Walks one folder. Recursion follows symlinked folders. Each folder (by canonical path) is walked
// once: a folder whose canonical path is already on the way down is a loop, reported once; one reached
// again by another way (two links to one folder) is skipped, its files were listed the first time.
// Without the second rule a chain of folders each linking twice to the next takes 2^depth walks.
class FolderWalker {
 public:
  FolderWalker(const ScanOptions& options, ScanResult& out, SeenFiles& seen)
      : options_(options), out_(out), seen_(seen) {}

  void walk(const fs::path& root) { walk_dir(root, root); }

 private:
  void walk_dir(const fs::path& root, const fs::path& dir) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(dir, ec);
    if (!ec) {
      if (ancestors_.contains(canonical)) {
        out_.problems.push_back({dir, "symlink loop (folder already being walked), skipped"});
        return;
      }
      if (!walked_.insert(canonical).second) return;
      ancestors_.insert(canonical);
    }
    // Names and listed types only (a directory_entry holds a whole path): a folder of 100,000 files
    // costs a few MB here, not tens.
    struct Entry {
      std::string name;
      fs::file_type type;  // as listed (d_type), links not followed
    };
    std::vector<Entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code tec;
      entries.push_back({it->path().filename().string(), it->symlink_status(tec).type()});
    }
    if (ec) out_.problems.push_back({dir, "cannot list folder: " + ec.message()});
    // Sorted, so that runs, reports and shards see one order whatever the file system returns.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    for (const auto& [name, listed] : entries) {
      const fs::path p = dir / name;
      if (hidden(p)) continue;
      const bool link = listed == fs::file_type::symlink;
      fs::file_type type = listed;
      if (link || listed == fs::file_type::unknown || listed == fs::file_type::none) {
        std::error_code sec;
        type = fs::status(p, sec).type();  // follows the link
      }
      if (type == fs::file_type::directory) {
        if (options_.recursive) walk_dir(root, p);
        continue;
      }
      if (!has_image_extension(p)) continue;
      const fs::path relative = p.lexically_relative(root);
      if (!selected(options_, relative)) continue;
      if (link && type == fs::file_type::not_found) {
        out_.problems.push_back({p, "broken symlink (its target does not exist), skipped"});
        continue;
      }
      if (type != fs::file_type::regular) continue;
      add(p, relative);
    }
    ancestors_.erase(canonical);
  }

  void add(const fs::path& p, const fs::path& relative) {
    std::uint64_t size = 0;
    if (seen_.first_time(p, size)) out_.files.push_back({p, relative, size});
  }

  const ScanOptions& options_;
  ScanResult& out_;
  SeenFiles& seen_;
  std::set<fs::path> ancestors_;  // canonical folders on the way down from the root
  std::set<fs::path> walked_;     // canonical folders walked so far
};

}  // namespace

bool has_image_extension(const fs::path& file) {
  static constexpr std::array<std::string_view, 13> kExtensions = {
      ".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".pbm", ".pgm", ".ppm", ".pnm", ".jfif"};
  const std::string ext = lower(file.extension().string());
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

ScanResult scan_inputs(const std::vector<fs::path>& inputs, const ScanOptions& options) {
  ScanResult result;
  SeenFiles seen;
  for (const fs::path& input : inputs) {
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      result.problems.push_back({input, "no such file or folder"});
    } else if (fs::is_directory(status)) {
      FolderWalker(options, result, seen).walk(input);
    } else if (fs::is_regular_file(status)) {
      std::uint64_t size = 0;
      if (seen.first_time(input, size)) result.files.push_back({input, input.filename(), size});
    } else {
      result.problems.push_back({input, "not a regular file or folder"});
    }
  }
  return result;
}

fs::path output_path_for(const InputFile& file, const fs::path& out_dir, Format format) {
  fs::path out = out_dir / file.relative;
  out.replace_extension(output_extension(format, file.path));
  return out;
}

}  // namespace imgpool::core
