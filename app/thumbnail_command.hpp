#pragma once
// `imgpool thumbnail`: fit each image in an N×N box (a batch command: thumbnail=N[,crop=...][,kernel=...]).

#include <string>

#include <CLI/CLI.hpp>

#include "batch_command.hpp"

namespace imgpool::app {

/// options of `imgpool thumbnail`
struct ThumbnailOptions {
  CommonOptions common;
  int size = 0;
  std::string crop = "none";  ///< none, centre, center or smart
  std::string kernel;         ///< nearest, linear, cubic, lanczos3 or area; empty: the operation's default
};

/// adds the thumbnail subcommand
CLI::App* setup_thumbnail(CLI::App& app, ThumbnailOptions& options);

/// runs the batch; returns the exit code
int run_thumbnail(const ThumbnailOptions& options);

}  // namespace imgpool::app
