#pragma once
// `imgpool bench`: the same job at several pool configurations, interleaved, with scaling figures.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace imgpool::app {

/// options of `imgpool bench`
struct BenchOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> ops;         ///< the pipeline; default thumbnail=256
  std::string format = "jpg";
  int quality = 85;
  bool recursive = false;
  std::vector<int> workers;             ///< default: 1, 2, 4, ... and the CPUs available
  std::vector<std::string> backends{"thread"};
  std::vector<std::string> chunks{"auto"};
  int repeat = 3;
  std::string plot;                     ///< PNG file
  std::string csv;
  bool json = false;
};

/// adds the bench subcommand
CLI::App* setup_bench(CLI::App& app, BenchOptions& options);

/// runs the benchmark and prints its table (or JSON); returns the exit code
int run_bench(const BenchOptions& options);

}  // namespace imgpool::app
