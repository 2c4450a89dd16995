// Everything without a decoder of its own (TIFF, BMP, PNM, ...), and CMYK JPEG, through OpenCV's
// imgcodecs, which is loaded on first use (opencv_codecs.hpp).

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"
#include "codec/opencv_codecs.hpp"

namespace imgpool::core::detail {

cv::Mat opencv_decode(std::span<const std::uint8_t> bytes, int flags, Format format) {
  cv::Mat image;
  try {
    image = detail::imdecode(bytes, flags);
  } catch (const cv::Exception& e) {
    throw ImageError(fmt::format("cannot decode: {}", e.err));
  }
  if (image.empty()) {
    if (format == Format::Same) throw ImageError("not an image (unrecognised data)");
    constexpr const char* kLabels[] = {"image", "JPEG", "PNG", "WebP", "TIFF"};
    throw ImageError(fmt::format("corrupt {} (OpenCV cannot decode it)", kLabels[static_cast<int>(format)]));
  }
  return image;
}

DecodedImage decode_with_opencv(std::span<const std::uint8_t> bytes, const DecodeOptions& options, Format format) {
  // IMREAD_UNCHANGED keeps alpha and 16-bit samples (to_8bit scales them). OpenCV 4.6 reads EXIF
  // orientation only from JPEG, which never comes here except as CMYK, so nothing to orient.
  cv::Mat image = to_8bit(opencv_decode(bytes, cv::IMREAD_UNCHANGED, format), options.grayscale);
  // Formats without a header reader here (TIFF, BMP, ...) are checked after decoding; OpenCV itself
  // refuses more than 2^30 pixels.
  check_pixels(image.size(), options.max_pixels);
  const Size size = image.size();
  return decoded_result(format, std::move(image), size, size, options.grayscale);  // to_8bit again: a no-op
}

}  // namespace imgpool::core::detail
