#include "thumbnail_command.hpp"

#include <charconv>
#include <string>

#include <fmt/format.h>

namespace imgpool::app {

CLI::App* setup_thumbnail(CLI::App& app, ThumbnailOptions& o) {
  auto* sub = app.add_subcommand("thumbnail", "Fit each image in an N×N box, keeping its aspect ratio");
  sub->footer(
      "Examples:\n"
      "  imgpool thumbnail photos -o thumbs --size 256 -r            every photo under photos/, in 256x256\n"
      "  imgpool thumbnail *.jpg -o avatars --size 128 --crop smart   128x128 around the faces\n"
      "  imgpool thumbnail photos -o thumbs --size 256 --skip-existing --report run.jsonl");
  sub->add_option("-s,--size", o.size, "Box size in pixels, 1 to 65535")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& text) {
            int n = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (ec == std::errc() && end == text.data() + text.size() && n >= 1 && n <= 65535) return std::string();
            return fmt::format("the box size is a whole number of pixels from 1 to 65535, not \"{}\"", text);
          },
          "PIXELS"))
      ->default_str("");  // required: no default to show
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
