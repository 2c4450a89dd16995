// imgpool: batch image processing across all cores. main() only wires the subcommands.

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <imgpool/core.hpp>

#include "batch_command.hpp"
#include "bench_command.hpp"
#include "cli_words.hpp"
#include "exit_codes.hpp"
#include "report_merge.hpp"

namespace {

using imgpool::app::CommonOptions;

struct ThumbnailOptions {
  CommonOptions common;
  int size = 0;
  std::string crop = "none";
};

struct ResizeOptions {
  CommonOptions common;
  std::string size;
  std::string fit = "exact";
};

struct RunOptions {
  CommonOptions common;
  std::vector<std::string> ops;
};

void setup_thumbnail(CLI::App& app, ThumbnailOptions& o) {
  auto* sub = app.add_subcommand("thumbnail", "Fit each image in an N×N box, keeping its aspect ratio");
  sub->add_option("-s,--size", o.size, "Box size in pixels")->required()->check(CLI::Range(1, 65535));
  sub->add_option("--crop", o.crop, "none, centre (exactly N×N), or smart (N×N around detected faces)")
      ->check(CLI::IsMember({"none", "centre", "center", "smart"}));
  imgpool::app::add_common_options(*sub, o.common);
}

void setup_resize(CLI::App& app, ResizeOptions& o) {
  auto* sub = app.add_subcommand("resize", "Resize each image to WxH or by a percentage");
  sub->add_option("-s,--size", o.size, "WxH (e.g. 800x600) or a percentage (e.g. 50%)")->required();
  sub->add_option("--fit", o.fit, "exact (stretch, as Pillow's resize), inside (keep aspect) or cover (fill, crop)")
      ->check(CLI::IsMember({"exact", "inside", "cover"}));
  imgpool::app::add_common_options(*sub, o.common);
}

void setup_grayscale(CLI::App& app, CommonOptions& o) {
  auto* sub = app.add_subcommand("grayscale", "Convert each image to grayscale");
  imgpool::app::add_common_options(*sub, o);
}

void setup_run(CLI::App& app, RunOptions& o) {
  std::string ops_help = "An operation spec, in order (repeatable):";
  for (const auto& info : imgpool::core::operation_table()) {
    ops_help += fmt::format("\n  {}{}{}  {} (e.g. {})", info.name, info.value.empty() ? "" : "=", info.value,
                            info.description, info.example);
  }
  auto* sub = app.add_subcommand("run", "Run a pipeline of operations on each image");
  sub->add_option("--op", o.ops, ops_help)->required();
  imgpool::app::add_common_options(*sub, o.common);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"imgpool: process folders of images across all CPU cores"};
  app.set_version_flag("--version", std::string("imgpool ") + IMGPOOL_VERSION);
  app.require_subcommand(1);
  ThumbnailOptions thumbnail;
  ResizeOptions resize;
  CommonOptions grayscale;
  RunOptions run;
  setup_thumbnail(app, thumbnail);
  setup_resize(app, resize);
  setup_grayscale(app, grayscale);
  setup_run(app, run);
  imgpool::app::BenchOptions bench;
  imgpool::app::setup_bench(app, bench);
  imgpool::app::ReportMergeOptions report_merge;
  imgpool::app::setup_report(app, report_merge);

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
    if (app.got_subcommand("thumbnail")) {
      std::string spec = fmt::format("thumbnail={}", thumbnail.size);
      if (thumbnail.crop != "none") spec += ",crop=" + thumbnail.crop;
      return imgpool::app::run_batch_command(thumbnail.common, {spec});
    }
    if (app.got_subcommand("resize")) {
      return imgpool::app::run_batch_command(resize.common, {fmt::format("resize={},fit={}", resize.size, resize.fit)});
    }
    if (app.got_subcommand("bench")) return imgpool::app::run_bench(bench);
    if (app.got_subcommand("report")) return imgpool::app::run_report_merge(report_merge);
    if (app.got_subcommand("grayscale")) return imgpool::app::run_batch_command(grayscale, {"grayscale"});
    return imgpool::app::run_batch_command(run.common, run.ops);
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
