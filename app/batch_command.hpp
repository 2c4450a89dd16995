#pragma once
// The options every batch subcommand shares, and running a batch from them.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace imgpool::app {

/// options common to thumbnail, resize, grayscale and run
struct CommonOptions {
  std::vector<std::string> inputs;
  std::string output;
  int workers = 0;
  std::string format = "same";
  int quality = 85;
  bool recursive = false;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool overwrite = false;
  bool skip_existing = false;
  std::string report;
  bool json = false;
  bool quiet = false;
  std::string progress = "auto";
  std::string backend = "thread";
  std::string chunk = "auto";
  std::uint64_t max_pixels = 0;  // 0: the library's default
  bool no_auto_orient = false;
};

/// adds the common options to a batch subcommand
void add_common_options(CLI::App& sub, CommonOptions& options);

/// scans the inputs, runs `op_specs` over them and reports; returns the exit code
int run_batch_command(const CommonOptions& options, const std::vector<std::string>& op_specs);

}  // namespace imgpool::app
