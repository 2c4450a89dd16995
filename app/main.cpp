// imgpool: batch image processing across all cores. main() only wires the subcommands (one file each),
// parses, and maps what they throw to exit codes.

#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <imgpool/core/error.hpp>

#include "bench_command.hpp"
#include "cli_words.hpp"
#include "exit_codes.hpp"
#include "grayscale_command.hpp"
#include "report_merge.hpp"
#include "resize_command.hpp"
#include "run_command.hpp"
#include "thumbnail_command.hpp"

int main(int argc, char** argv) {
  // A file-size limit (RLIMIT_FSIZE) makes a write fail with EFBIG, an error the item or the report
  // reports, instead of killing the run with SIGXFSZ. Workers inherit it across exec.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"imgpool: process folders of images across all CPU cores"};
  app.set_version_flag("--version", std::string("imgpool ") + IMGPOOL_VERSION);
  app.require_subcommand(1);
  imgpool::app::ThumbnailOptions thumbnail;
  imgpool::app::ResizeOptions resize;
  imgpool::app::GrayscaleOptions grayscale;
  imgpool::app::RunOptions run;
  imgpool::app::BenchOptions bench;
  imgpool::app::ReportMergeOptions report_merge;
  const CLI::App* thumbnail_command = imgpool::app::setup_thumbnail(app, thumbnail);
  const CLI::App* resize_command = imgpool::app::setup_resize(app, resize);
  const CLI::App* grayscale_command = imgpool::app::setup_grayscale(app, grayscale);
  imgpool::app::setup_run(app, run);
  const CLI::App* bench_command = imgpool::app::setup_bench(app, bench);
  const CLI::App* report_merge_command = imgpool::app::setup_report(app, report_merge);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return imgpool::app::kExitUsage;
  }

  try {
    if (thumbnail_command->parsed()) return imgpool::app::run_thumbnail(thumbnail);
    if (resize_command->parsed()) return imgpool::app::run_resize(resize);
    if (bench_command->parsed()) return imgpool::app::run_bench(bench);
    if (report_merge_command->parsed()) return imgpool::app::run_report_merge(report_merge);
    if (grayscale_command->parsed()) return imgpool::app::run_grayscale(grayscale);
    return imgpool::app::run_run(run);  // require_subcommand(1): the one left
  } catch (const imgpool::core::UsageError& e) {
    fmt::print(stderr, "imgpool: {}\n", imgpool::app::cli_words(e.what()));
    return imgpool::app::kExitUsage;
  } catch (const imgpool::core::ConfigError& e) {
    fmt::print(stderr, "imgpool: {}\n", imgpool::app::cli_words(e.what()));
    return imgpool::app::kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "imgpool: internal error: {}\n", imgpool::app::cli_words(e.what()));
    return imgpool::app::kExitUsage;
  }
}
