#include "thumbnail_command.hpp"

#include <fmt/format.h>

namespace imgpool::app {

CLI::App* setup_thumbnail(CLI::App& app, ThumbnailOptions& o) {
  auto* sub = app.add_subcommand("thumbnail", "Fit each image in an N×N box, keeping its aspect ratio");
  sub->add_option("-s,--size", o.size, "Box size in pixels")->required()->check(CLI::Range(1, 65535));
  sub->add_option("--crop", o.crop, "none, centre (exactly N×N), or smart (N×N around detected faces)")
      ->check(CLI::IsMember({"none", "centre", "center", "smart"}));
  sub->add_option("--kernel", o.kernel,
                  "Resampling kernel: lanczos3 (default; sharpest), cubic, linear, area (box average, fastest "
                  "antialiased) or nearest")
      ->check(CLI::IsMember({"nearest", "linear", "cubic", "lanczos3", "area"}));
  add_common_options(*sub, o.common);
  return sub;
}

int run_thumbnail(const ThumbnailOptions& o) {
  std::string spec = fmt::format("thumbnail={}", o.size);
  if (o.crop != "none") spec += ",crop=" + o.crop;
  if (!o.kernel.empty()) spec += ",kernel=" + o.kernel;
  return run_batch_command(o.common, {spec});
}

}  // namespace imgpool::app
