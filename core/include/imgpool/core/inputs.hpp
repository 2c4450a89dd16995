#pragma once
// Turning the INPUT arguments of a batch into a list of files and the outputs they map to.

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
/// contribute their image files (hidden files and folders skipped; symlinks followed, loops detected).
/// Globs match the path relative to the input root or the bare file name. A file named twice is listed
/// once. Missing inputs become problems; the scan never throws for them.
ScanResult scan_inputs(const std::vector<std::filesystem::path>& inputs, const ScanOptions& options);

/// the output path of `file` under `out_dir`: its relative path with the extension of `format`
std::filesystem::path output_path_for(const InputFile& file, const std::filesystem::path& out_dir,
                                      Format format);

}  // namespace imgpool::core
