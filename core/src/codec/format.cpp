#include <imgpool/core/codec/format.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::core {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct FormatName {
  std::string_view name;
  Format format;
};

constexpr std::array kNames{
    FormatName{"same", Format::Same}, FormatName{"jpg", Format::Jpeg}, FormatName{"jpeg", Format::Jpeg},
    FormatName{"png", Format::Png},   FormatName{"webp", Format::Webp}, FormatName{"tif", Format::Tiff},
    FormatName{"tiff", Format::Tiff},
};

bool starts_with(std::span<const std::uint8_t> bytes, std::size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() && std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

}  // namespace

Format parse_format(std::string_view text) {
  const std::string key = lower(text);
  for (const auto& n : kNames) {
    if (n.name == key) return n.format;
  }
  throw UsageError(fmt::format("unknown format \"{}\" (allowed: same, jpg, jpeg, png, webp, tif, tiff)", text));
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Same: return "same";
    case Format::Jpeg: return "jpeg";
    case Format::Png: return "png";
    case Format::Webp: return "webp";
    case Format::Tiff: return "tiff";
  }
  return "same";
}

std::filesystem::path output_extension(Format format, const std::filesystem::path& input) {
  switch (format) {
    case Format::Same:
      // read but not written here (BMP, PNM): PNG keeps their pixels exactly, alpha included
      if (format_from_extension(input) == Format::Same && has_image_extension(input)) return ".png";
      return input.extension();
    case Format::Jpeg: return ".jpg";
    case Format::Png: return ".png";
    case Format::Webp: return ".webp";
    case Format::Tiff: return ".tif";
  }
  return input.extension();
}

Format format_from_extension(const std::filesystem::path& file) {
  std::string ext = lower(file.extension().string());
  if (ext.empty()) return Format::Same;
  ext.erase(0, 1);
  if (ext == "jpe" || ext == "jfif") return Format::Jpeg;
  for (const auto& n : kNames) {
    if (n.name == ext && n.format != Format::Same) return n.format;
  }
  return Format::Same;
}

bool has_image_extension(const std::filesystem::path& file) {
  static constexpr std::array<std::string_view, 13> kExtensions = {
      ".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".pbm", ".pgm", ".ppm", ".pnm", ".jfif"};
  const std::string ext = lower(file.extension().string());
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

Format sniff_format(std::span<const std::uint8_t> bytes) {
  if (starts_with(bytes, 0, "\xFF\xD8\xFF")) return Format::Jpeg;
  if (starts_with(bytes, 0, "\x89PNG\r\n\x1A\n")) return Format::Png;
  if (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBP")) return Format::Webp;
  if (starts_with(bytes, 0, std::string_view("II*\0", 4)) || starts_with(bytes, 0, std::string_view("MM\0*", 4))) {
    return Format::Tiff;
  }
  return Format::Same;
}

}  // namespace imgpool::core
