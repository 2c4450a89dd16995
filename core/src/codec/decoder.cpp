#include <imgpool/core/codec/decoder.hpp>

#include <cstdint>

#include <fmt/format.h>
#include <webp/decode.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"

namespace imgpool::core {

ImageHeader read_header(std::span<const std::uint8_t> bytes) {
  ImageHeader header;
  header.format = sniff_format(bytes);
  switch (header.format) {
    case Format::Jpeg: {
      header.size = detail::jpeg_size(bytes);
      header.orientation = jpeg_exif_orientation(bytes);
      break;
    }
    case Format::Png: header.size = detail::png_size(bytes); break;
    case Format::Webp: {
      WebPBitstreamFeatures features;
      if (const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &features); status != VP8_STATUS_OK) {
        throw ImageError(fmt::format("corrupt WebP (libwebp status {})", int(status)));  // as decode_webp says
      }
      header.size = {features.width, features.height};
      break;
    }
    default: break;
  }
  return header;
}

DecodedImage decode(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  if (bytes.empty()) throw ImageError("empty file");
  const Format format = sniff_format(bytes);
  if (format == Format::Jpeg) return detail::decode_jpeg(bytes, options);
  if (format == Format::Webp) return detail::decode_webp(bytes, options);
  if (format == Format::Png) return detail::decode_png(bytes, options);

  return detail::decode_with_opencv(bytes, options, format);
}

cv::Mat decode_image(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  return decode(bytes, options).image;
}

}  // namespace imgpool::core

