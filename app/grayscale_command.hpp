#pragma once
// `imgpool grayscale`: convert each image to grayscale (a batch command: grayscale).

#include <CLI/CLI.hpp>

#include "batch_command.hpp"

namespace imgpool::app {

/// options of `imgpool grayscale`: the common ones only
struct GrayscaleOptions {
  CommonOptions common;
};

/// adds the grayscale subcommand
CLI::App* setup_grayscale(CLI::App& app, GrayscaleOptions& options);

/// runs the batch; returns the exit code
int run_grayscale(const GrayscaleOptions& options);

}  // namespace imgpool::app
