// imgpool: batch image processing across all cores. main() only wires the subcommands (one file each),
// parses, and maps what they throw to exit codes.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

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

namespace {

// Levenshtein distance, for "did you mean" (a handful of short names: no library needed)
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The first argument when it is meant as a command but names none: "unknown command", with the
// nearest command when one is close. Empty when the command line is fine so far.
std::string unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return {};
  const std::string_view given = argv[1];
  std::string nearest;
  std::size_t best = 3;  // suggest within two edits
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == given) return {};
    const std::size_t d = edit_distance(given, sub->get_name());
    if (d < best) {
      best = d;
      nearest = sub->get_name();
    }
  }
  std::string text = fmt::format("unknown command \"{}\"", given);
  if (!nearest.empty()) text += fmt::format(" (did you mean \"{}\"?)", nearest);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (RLIMIT_FSIZE) makes a write fail with EFBIG, an error the item or the report
  // reports, instead of killing the run with SIGXFSZ. Workers inherit it across exec.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"imgpool: process folders of images across all CPU cores", "imgpool"};
  app.set_version_flag("--version", std::string("imgpool ") + IMGPOOL_VERSION);
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // --help shows every option's default (subcommands inherit it)
  app.footer(
      "Examples:\n"
      "  imgpool thumbnail photos -o thumbs --size 256 -r\n"
      "  imgpool resize photos -o small --size 50% --format webp\n"
      "  imgpool run photos -o out --op resize=800x600 --op grayscale\n"
      "  imgpool COMMAND --help      the options of one command\n"
      "\n"
      "Exit codes: 0 all done; 1 some inputs failed (the others are done); 2 usage or configuration error,\n"
      "before any work; 3 the --report could not be written whole; 130 interrupted (SIGINT, SIGTERM).\n"
      "\n"
      "Environment: IMGPOOL_WORKER (the imgpool-worker executable for --backend process), IMGPOOL_CASCADE\n"
      "(the face model for crop=smart), SLURM_ARRAY_TASK_* and JOB_COMPLETION_INDEX with\n"
      "IMGPOOL_SHARD_COUNT (--shard auto), OPENCV_IO_MAX_IMAGE_PIXELS (OpenCV's own limit; default:\n"
      "--max-pixels), COLUMNS (the progress bar's width when stderr is no terminal).");
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

  if (argc < 2) {  // nothing asked: the help, as a usage error
    fmt::print("{}", app.help());
    return imgpool::app::kExitUsage;
  }
  if (const std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
    fmt::print(stderr, "imgpool: {}\nRun imgpool --help for the commands.\n", unknown);
    return imgpool::app::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // as every other error: one line naming imgpool, then where to look
    std::string command = "imgpool";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    fmt::print(stderr, "imgpool: {}\nRun {} --help for more information.\n", e.what(), command);
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
