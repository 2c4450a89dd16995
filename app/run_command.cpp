#include "run_command.hpp"

#include <fmt/format.h>

#include <imgpool/core.hpp>

namespace imgpool::app {

CLI::App* setup_run(CLI::App& app, RunOptions& o) {
  std::string ops_help = "An operation spec, in order (repeatable):";
  for (const auto& info : core::operation_table()) {
    ops_help += fmt::format("\n  {}{}{}  {} (e.g. {})", info.name, info.value.empty() ? "" : "=", info.value,
                            info.description, info.example);
  }
  auto* sub = app.add_subcommand("run", "Run a pipeline of operations on each image");
  sub->footer(
      "Examples:\n"
      "  imgpool run photos -o out --op resize=800x600 --op grayscale\n"
      "  imgpool run photos -o out --op thumbnail=256,crop=centre --format webp --quality 80");
  sub->add_option("--op", o.ops, ops_help)->required();
  add_common_options(*sub, o.common);
  return sub;
}

int run_run(const RunOptions& o) { return run_batch_command(o.common, o.ops); }

}  // namespace imgpool::app
