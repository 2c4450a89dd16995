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
#include <string>
#include <vector>

#include <imgpool/core/format.hpp>

namespace imgpool::core {

/// how folders named as inputs are walked
struct ScanOptions {
  bool recursive = false;            ///< descend into sub-folders
  std::vector<std::string> include;  ///< fnmatch globs; a file must match one of them (empty: all)
  std::vector<std::string> exclude;  ///< fnmatch globs; a file matching one is left out
};

/// one input file, with the root it was found under (its output keeps the path relative to that root)
struct InputFile {
  std::filesystem::path path;      ///< as given or found, e.g. "photos/2024/a.jpg"
  std::filesystem::path relative;  ///< relative to its input root, e.g. "2024/a.jpg"
  std::uint64_t size = 0;          ///< bytes, the cost the chunking layer balances
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

/// whether a file name has an extension imgpool reads when it walks a folder (jpg, png, webp, tif, ...)
bool has_image_extension(const std::filesystem::path& file);

/// lists the files named by `inputs`: files are taken as they are (whatever their extension), folders
/// contribute their image files (hidden files and folders skipped; symlinks as described above).
/// Globs match the path relative to the input root or the bare file name. A file named twice is listed
/// once. Missing inputs become problems; the scan never throws for them.
ScanResult scan_inputs(const std::vector<std::filesystem::path>& inputs, const ScanOptions& options);

/// the output path of `file` under `out_dir`: its relative path with the extension of `format`
std::filesystem::path output_path_for(const InputFile& file, const std::filesystem::path& out_dir,
                                      Format format);

}  // namespace imgpool::core
