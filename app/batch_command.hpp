#pragma once
// The options every batch subcommand shares, and running a batch from them.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <imgpool/core/job/file_job.hpp>

namespace imgpool::app {

/// options common to thumbnail, resize, grayscale and run
struct CommonOptions {
  std::vector<std::string> inputs;
  std::string output;
  int workers = 0;
  std::string format = "same";
  int quality = 0;  // 0: not given (85)
  bool recursive = false;
  bool follow_symlinks = false;  // follow links out of their input folder
  std::string files_from;        // a file listing inputs, "-" for stdin
  bool null_separated = false;   // --files-from's entries end with NUL (find -print0), not a newline
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool overwrite = false;
  bool skip_existing = false;
  std::string report;
  std::string report_mode;  ///< new, append, replace; empty: replace with --overwrite, else new
  bool json = false;
  bool quiet = false;
  std::string progress = "auto";
  std::string backend = "thread";
  std::string chunk = "auto";
  int retries = 1;               // process backend: reruns of a file whose worker died
  double task_timeout = 0;       // process backend: seconds per file; 0 = none
  double stopped_grace = 60;     // process backend: seconds a stopped worker is waited for; 0 = forever
  std::uint64_t worker_memory = 0;  // process backend: MB of address space per worker; 0 = none
  int max_tasks_per_child = 0;    // process backend: chunks a worker runs before it is replaced; 0 = never
  std::uint64_t max_pixels = core::kDefaultMaxPixels;
  std::uint64_t max_file_size = core::kDefaultMaxFileSize;  ///< bytes; 0: no limit
  std::string fail_on = "error";  ///< error | warning (core::FailOn)
  bool no_auto_orient = false;
  bool keep_profile = false;     // leave profiled images' pixels as stored, embed their profile
  std::string output_profile;    // convert to this RGB ICC profile instead of sRGB
  std::string cmyk_profile;      // for CMYK JPEGs without a profile
  std::string keep_metadata = "none";  // core::parse_keep_metadata's list
  std::string background = "white";    // what alpha is flattened onto for JPEG
  std::string chroma = "420";          // JPEG chroma subsampling
  bool jpeg_progressive = false;

  std::string shard;              // "K/N" or "auto"; empty: the whole batch
  std::optional<int> shard_count;  // the N for --shard auto (else SLURM_* or IMGPOOL_SHARD_COUNT)
};

/// adds the common options to a batch subcommand
void add_common_options(CLI::App& sub, CommonOptions& options);

/// scans the inputs, runs `op_specs` over them and reports; returns the exit code
int run_batch_command(const CommonOptions& options, const std::vector<std::string>& op_specs);

}  // namespace imgpool::app
