#pragma once
// `imgpool resize`: resize each image to WxH or by a percentage (a batch command: resize=SIZE[,fit=FIT][,kernel=K]).

#include <string>

#include <CLI/CLI.hpp>

#include "batch_command.hpp"

namespace imgpool::app {

/// options of `imgpool resize`
struct ResizeOptions {
  CommonOptions common;
  std::string size;           ///< WxH or a percentage
  std::string fit = "exact";  ///< exact, inside or cover
  std::string kernel;         ///< nearest, linear, cubic, lanczos3 or area; empty: the operation's default
};

/// adds the resize subcommand
CLI::App* setup_resize(CLI::App& app, ResizeOptions& options);

/// runs the batch; returns the exit code
int run_resize(const ResizeOptions& options);

}  // namespace imgpool::app
