#pragma once
// Turning the INPUT arguments of a batch into a list of files and the outputs they map to.
//
// Symlinks: followed, to files and to folders alike; the output keeps the link's own name and place
// (in/link.jpg -> out/link.jpg). A file reached by several names is listed once, under the first in
// sorted walk order. With --recursive each folder is walked once, by canonical path: a link back to a
// folder on the way down (a loop) is reported once as a problem ("symlink loop") and not entered; a
// folder reached again by another link is skipped quietly, its files already listed. A symlink with an
// image name whose target is missing is a problem ("broken symlink"), not silently dropped.
// Names are taken as bytes: spaces, newlines, leading dashes and non-UTF-8 names pass through.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <imgpool/core/codec/format.hpp>

namespace imgpool::core {

/// how folders named as inputs are walked
struct ScanOptions {
  bool recursive = false;            ///< descend into sub-folders
  std::vector<std::string> include;  ///< fnmatch globs; a file must match one of them (empty: all)
  std::vector<std::string> exclude;  ///< fnmatch globs; a file matching one is left out
  /// follow symbolic links in a folder (to files or folders) whose target lies outside that input
  /// folder; by default each such link is an InputProblem and is not followed, so that a link planted
  /// in the input tree cannot make a run read, and thumbnail into the output, a file from elsewhere.
  /// Links that stay inside the input folder are always followed; an input named itself is always read.
  bool follow_symlinks = false;
  /// folders the walk leaves out wherever it meets them (by identity, so through any link or spelling):
  /// the run's own output folder when it lies inside an input tree, whose outputs are no inputs
  std::vector<std::filesystem::path> skip_folders;
  /// a file named by a relative path without ".." keeps that path under the output folder
  /// (photos/2024/a.jpg → OUT/photos/2024/a.jpg), as a list from `find` expects; otherwise (the
  /// default, and for absolute paths) its output is named by the file name alone
  bool keep_folders_of_named_files = false;
};

/// one input file, with the root it was found under (its output keeps the path relative to that root)
struct InputFile {
  std::filesystem::path path;      ///< as given or found, e.g. "photos/2024/a.jpg"
  std::filesystem::path relative;  ///< relative to its input root, e.g. "2024/a.jpg"
  std::uint64_t size = 0;          ///< bytes, the cost the chunking layer balances
  /// the file's identity as the scan found it (device and inode), so that planning need not stat it
  /// again; both 0 when unknown (a file that vanished during the scan, or one listed by hand)
  std::uint64_t device = 0, inode = 0;
};

/// an input argument that could not be used, with the reason
struct InputProblem {
  std::filesystem::path path;
  std::string error;
};

/// what a scan found
struct ScanResult {
  std::vector<InputFile> files;
  std::vector<InputProblem> problems;
};

/// the files of a scan held compactly, for batches of millions: 40 bytes per file plus the bytes of its
/// relative path, where a std::vector<InputFile> costs several hundred (libstdc++'s path allocates each
/// component). Files are stored as their input root's text (shared by the files under it) and their
/// relative path; `operator[]` rebuilds the InputFile exactly as it was added.
class InputTable {
 public:
  InputTable() = default;
  /// the table of `files`, in their order
  explicit InputTable(const std::vector<InputFile>& files);

  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  /// the file at `i` (0 <= i < size()), rebuilt
  InputFile operator[](std::size_t i) const;
  /// its size in bytes, without rebuilding it
  std::uint64_t file_size(std::size_t i) const noexcept { return entries_[i].size; }
  /// appends `file`. Throws std::length_error past 2^31 distinct roots or a 2 GiB relative path.
  void push_back(const InputFile& file);

 private:
  struct Entry {
    std::uint64_t offset;  // of the relative path in text_
    std::uint32_t length;  // of the relative path
    std::uint32_t root;    // index in roots_; kWholePath set: roots_ holds the whole path
    std::uint64_t size;
    std::uint64_t device, inode;
  };
  static constexpr std::uint32_t kWholePath = 1u << 31;
  std::vector<std::string> roots_;  // path text before the relative path, e.g. "photos/"
  std::string text_;                // the relative paths, one after another
  std::vector<Entry> entries_;
};

/// called by the streaming scan for each file, in scan order, as it is found
using FileSink = std::function<void(const InputFile&)>;
/// called by the streaming scan for each input problem
using ProblemSink = std::function<void(const InputProblem&)>;

/// lists the files named by `inputs`: files are taken as they are (whatever their extension), folders
/// contribute their image files (hidden files and folders skipped; symlinks as described above).
/// Globs match the path relative to the input root or the bare file name. A file named twice is listed
/// once. Missing inputs become problems; the scan never throws for them.
ScanResult scan_inputs(const std::vector<std::filesystem::path>& inputs, const ScanOptions& options);

/// the same scan, streamed: each file and problem is handed over as it is found, in the order
/// scan_inputs lists them, and not kept. Memory held by the scan itself: one folder's names while that
/// folder is listed (sorted), and 16 bytes per file for the identities that list a file once.
void scan_inputs(const std::vector<std::filesystem::path>& inputs, const ScanOptions& options,
                 const FileSink& on_file, const ProblemSink& on_problem);

/// the output path of `file` under `out_dir`: its relative path with the extension of `format`
std::filesystem::path output_path_for(const InputFile& file, const std::filesystem::path& out_dir,
                                      Format format);

}  // namespace imgpool::core
