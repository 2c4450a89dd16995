#include "resize_command.hpp"

#include <fmt/format.h>

namespace imgpool::app {

CLI::App* setup_resize(CLI::App& app, ResizeOptions& o) {
  auto* sub = app.add_subcommand("resize", "Resize each image to WxH or by a percentage");
  sub->footer(
      "Examples:\n"
      "  imgpool resize photos -o half --size 50%\n"
      "  imgpool resize photos -o hd --size 1920x1080 --fit inside   within 1920x1080, aspect kept\n"
      "  imgpool resize photos -o wide --size 800x                   800 wide, height from the aspect");
  sub->add_option("-s,--size", o.size, "WxH (e.g. 800x600) or a percentage (e.g. 50%)")->required();
  sub->add_option("--fit", o.fit, "exact (stretch, as Pillow's resize), inside (keep aspect) or cover (fill, crop)")
      ->check(CLI::IsMember({"exact", "inside", "cover"}));
  sub->add_option("--kernel", o.kernel,
                  "Resampling kernel: lanczos3 (default; sharpest), cubic, linear, area (box average, fastest "
                  "antialiased) or nearest")
      ->check(CLI::IsMember({"nearest", "linear", "cubic", "lanczos3", "area"}));
  add_common_options(*sub, o.common);
  return sub;
}

int run_resize(const ResizeOptions& o) {
  std::string spec = fmt::format("resize={}", o.size);
  if (o.fit != "exact") spec += ",fit=" + o.fit;  // exact is the default, and a percentage takes no fit
  if (!o.kernel.empty()) spec += ",kernel=" + o.kernel;
  return run_batch_command(o.common, {spec});
}

}  // namespace imgpool::app
