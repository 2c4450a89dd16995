#pragma once
// `imgpool run`: a pipeline of operations given as --op specs, in order (a batch command).

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "batch_command.hpp"

namespace imgpool::app {

/// options of `imgpool run`
struct RunOptions {
  CommonOptions common;
  std::vector<std::string> ops;  ///< operation specs, in order (core::Pipeline::parse reads them)
};

/// adds the run subcommand; its --op help lists core::operation_table()
CLI::App* setup_run(CLI::App& app, RunOptions& options);

/// runs the batch; returns the exit code
int run_run(const RunOptions& options);

}  // namespace imgpool::app
