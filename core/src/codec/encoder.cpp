#include <imgpool/core/codec/encoder.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <imgpool/core/error.hpp>

#include "codec/encoders.hpp"
#include "codec/opencv_codecs.hpp"

namespace imgpool::core {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

bool hex_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

int hex_value(std::string_view two) {
  int v = 0;
  std::from_chars(two.data(), two.data() + two.size(), v, 16);
  return v;
}

std::vector<std::uint8_t> encode_tiff(const cv::Mat& input) {
  const cv::Mat image = input.channels() == 2 ? detail::gray_alpha_to_bgra(input) : input;
  std::vector<std::uint8_t> out;
  bool ok = false;
  try {
    ok = detail::imencode(".tiff", image, out, {});
  } catch (const cv::Exception& e) {
    throw ImageError(fmt::format("cannot encode tiff: {}", e.err));
  }
  if (!ok) throw ImageError("cannot encode tiff");
  return out;
}

}  // namespace

Chroma parse_chroma(std::string_view text) {
  std::string t = lower(text);
  t.erase(std::remove(t.begin(), t.end(), ':'), t.end());
  if (t == "420") return Chroma::S420;
  if (t == "422") return Chroma::S422;
  if (t == "444") return Chroma::S444;
  throw UsageError(fmt::format("chroma subsampling \"{}\" is not one of 420, 422, 444", text));
}

Rgb parse_colour(std::string_view text) {
  const std::string t = lower(text);
  if (t == "white") return {255, 255, 255};
  if (t == "black") return {0, 0, 0};
  if (t == "gray" || t == "grey") return {128, 128, 128};
  std::string_view hex = t;
  if (!hex.empty() && hex.front() == '#') hex.remove_prefix(1);
  if (hex_digits(hex) && hex.size() == 6) {
    return {std::uint8_t(hex_value(hex.substr(0, 2))), std::uint8_t(hex_value(hex.substr(2, 2))),
            std::uint8_t(hex_value(hex.substr(4, 2)))};
  }
  if (hex_digits(hex) && hex.size() == 3) {
    const auto twice = [&](std::size_t i) { return std::uint8_t(hex_value(hex.substr(i, 1)) * 17); };
    return {twice(0), twice(1), twice(2)};
  }
  // r,g,b
  int v[3] = {-1, -1, -1};
  std::string_view rest = t;
  for (int i = 0; i < 3; ++i) {
    const auto comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v[i]);
    if (ec != std::errc() || end != part.data() + part.size() || part.empty() || v[i] < 0 || v[i] > 255 ||
        (i < 2) == (comma == std::string_view::npos)) {
      throw UsageError(fmt::format("colour \"{}\" is not #rrggbb, #rgb, r,g,b (0-255), white, black or gray", text));
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return {std::uint8_t(v[0]), std::uint8_t(v[1]), std::uint8_t(v[2])};
}

namespace detail {

cv::Mat flatten(const cv::Mat& image, Rgb background) {
  const int channels = image.channels() - 1;  // colour channels before alpha
  // background in the image's channel order: BGR, or its luma (Rec. 601, as the gray conversion) for gray
  const int luma = (299 * background.r + 587 * background.g + 114 * background.b + 500) / 1000;
  const int bg[3] = {channels == 1 ? luma : background.b, background.g, background.r};
  cv::Mat out(image.size(), CV_8UC(channels));
  for (int y = 0; y < image.rows; ++y) {
    const std::uint8_t* src = image.ptr<std::uint8_t>(y);
    std::uint8_t* dst = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < image.cols; ++x, src += channels + 1, dst += channels) {
      const int a = src[channels];
      for (int c = 0; c < channels; ++c) dst[c] = std::uint8_t((src[c] * a + bg[c] * (255 - a) + 127) / 255);
    }
  }
  return out;
}

cv::Mat gray_alpha_to_bgra(const cv::Mat& gray_alpha) {
  cv::Mat out(gray_alpha.size(), CV_8UC4);
  const int from_to[] = {0, 0, 0, 1, 0, 2, 1, 3};
  cv::mixChannels(&gray_alpha, 1, &out, 1, from_to, 4);
  return out;
}

}  // namespace detail

std::vector<std::uint8_t> encode(const cv::Mat& image, Format format, const EncodeSettings& settings,
                                 const ImageMetadata& metadata) {
  if (settings.quality < 1 || settings.quality > 100) {
    throw UsageError(fmt::format("quality {} is out of range (1..100)", settings.quality));
  }
  if (image.empty()) throw ImageError("cannot encode an empty image");
  if (image.depth() != CV_8U || image.channels() > 4) {
    throw ImageError(fmt::format("cannot encode: expected 8-bit gray, gray+alpha, BGR or BGRA, got type {}", image.type()));
  }
  switch (format) {
    case Format::Jpeg: {
      const bool alpha = image.channels() == 2 || image.channels() == 4;
      return detail::encode_jpeg(alpha ? detail::flatten(image, settings.background) : image, settings, metadata);
    }
    case Format::Png: return detail::encode_png(image, metadata);
    case Format::Webp: return detail::encode_webp(image, settings, metadata);
    case Format::Tiff: return encode_tiff(image);
    case Format::Same: break;
  }
  throw UsageError("encode needs a concrete format, not \"same\"");
}

std::vector<std::uint8_t> encode(const cv::Mat& image, Format format, int quality) {
  EncodeSettings settings;
  settings.quality = quality;
  return encode(image, format, settings);
}

}  // namespace imgpool::core
