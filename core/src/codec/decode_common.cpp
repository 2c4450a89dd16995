#include "codec/decode_common.hpp"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

namespace {

std::string size_text(std::uint64_t pixels) {
  if (pixels >= 1'000'000'000) return fmt::format("{:.1f} gigapixels", double(pixels) / 1e9);
  if (pixels >= 1'000'000) return fmt::format("{:.1f} megapixels", double(pixels) / 1e6);
  return fmt::format("{} pixels", pixels);
}

}  // namespace

void check_pixels(Size size, std::uint64_t max_pixels) {
  const std::uint64_t pixels = std::uint64_t(size.width) * std::uint64_t(size.height);
  if (max_pixels != 0 && pixels > max_pixels) {
    throw ImageError(fmt::format("image is {}x{} ({}), above max_pixels {}", size.width, size.height,
                                 size_text(pixels), max_pixels));
  }
}

// The same transforms as OpenCV's own ExifTransform, so both decode paths agree.
cv::Mat oriented(cv::Mat image, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(image, out, 1); return out;
    case 3: cv::flip(image, out, -1); return out;
    case 4: cv::flip(image, out, 0); return out;
    case 5: cv::transpose(image, out); return out;
    case 6: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 7: cv::transpose(image, out); cv::flip(out, out, -1); return out;
    case 8: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    default: return image;
  }
}

// Everything becomes 8-bit gray, BGR or BGRA; gray+alpha stays so when only luminance is needed, and
// BGRA stays BGRA then too (the grayscale operation keeps alpha: one place turns colour into luma).
cv::Mat to_8bit(cv::Mat image, bool grayscale) {
  switch (image.depth()) {
    case CV_8U: break;
    case CV_16U: image.convertTo(image, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: image.convertTo(image, CV_8U, 255.0); break;
    default: image.convertTo(image, CV_8U); break;
  }
  if (image.channels() == 2 && !grayscale) {  // gray + alpha
    cv::Mat planes[2], bgra;
    cv::split(image, planes);
    cv::Mat parts[] = {planes[0], planes[0], planes[0], planes[1]};
    cv::merge(parts, 4, bgra);
    image = bgra;
  }
  if (grayscale && image.channels() == 3) cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
  if (image.channels() > 4) throw ImageError(fmt::format("unsupported image: {} channels", image.channels()));
  return image;
}

DecodedImage decoded_result(Format format, cv::Mat image, Size full_size, Size decoded, bool grayscale) {
  DecodedImage out;
  out.format = format;
  out.full_size = full_size;
  out.plan.decoded = decoded;
  out.image = to_8bit(std::move(image), grayscale);
  return out;
}

}  // namespace imgpool::core::detail
