#include "grayscale_command.hpp"

namespace imgpool::app {

CLI::App* setup_grayscale(CLI::App& app, GrayscaleOptions& o) {
  auto* sub = app.add_subcommand("grayscale", "Convert each image to grayscale");
  sub->footer("Example:\n  imgpool grayscale scans -o gray -r --format png");
  add_common_options(*sub, o.common);
  return sub;
}

int run_grayscale(const GrayscaleOptions& o) { return run_batch_command(o.common, {"grayscale"}); }

}  // namespace imgpool::app
