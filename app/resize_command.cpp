#include "resize_command.hpp"

#include <fmt/format.h>

namespace imgpool::app {

CLI::App* setup_resize(CLI::App& app, ResizeOptions& o) {
  auto* sub = app.add_subcommand("resize", "Resize each image to WxH or by a percentage");
  sub->footer(
      "Examples:\n"
      "  imgpool resize photos -o half --size 50%\n"
      "  imgpool resize photos -o hd --size 1920x1080 --fit inside   within 1920x1080, aspect kept\n"
      "  imgpool resize photos -o wide --size 800x                   800 wide, height from the aspect\n"
      "  imgpool resize photos -o web --size '1600x1600>' --fit inside   at most 1600x1600, never enlarged");
  sub->add_option("-s,--size", o.size,
                  "WxH (e.g. 800x600), Wx or xH (aspect kept) or a percentage (e.g. 50%), optionally ending with "
                  "ImageMagick's ! (exact), ^ (fill), > (only shrink) or < (only enlarge)")
      ->required()
      ->default_str("");
  sub->add_option("--fit", o.fit,
                  "exact (stretch, as Pillow's resize), inside (keep aspect), cover (fill, crop) or fill (cover, "
                  "no crop)")
      ->check(CLI::IsMember({"exact", "inside", "cover", "fill"}));
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
