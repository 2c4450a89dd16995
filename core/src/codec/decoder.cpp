#include <imgpool/core/codec/decoder.hpp>

#include <cstdint>

#include <fmt/format.h>
#include <webp/decode.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"

namespace imgpool::core {

namespace {

// The orientation `bytes` stores (1..8); 1 for formats that store none.
int stored_orientation(std::span<const std::uint8_t> bytes, Format format) {
  switch (format) {
    case Format::Jpeg: return jpeg_exif_orientation(bytes);
    case Format::Png: return detail::png_exif_orientation(bytes);
    case Format::Webp: return detail::webp_metadata(bytes).orientation;
    case Format::Tiff: return detail::tiff_metadata(bytes).orientation;
    default: return 1;
  }
}

DecodedImage decode_stored(std::span<const std::uint8_t> bytes, const DecodeOptions& options, Format format) {
  if (format == Format::Jpeg) return detail::decode_jpeg(bytes, options);
  if (format == Format::Webp) return detail::decode_webp(bytes, options);
  if (format == Format::Png) return detail::decode_png(bytes, options);
  if (format == Format::Tiff) return detail::decode_tiff(bytes, options);
  return detail::decode_with_opencv(bytes, options, format);
}

Size swapped(Size s) { return {s.height, s.width}; }

}  // namespace

ImageHeader read_header(std::span<const std::uint8_t> bytes) {
  ImageHeader header;
  header.format = sniff_format(bytes);
  switch (header.format) {
    case Format::Jpeg: {
      header.size = detail::jpeg_size(bytes);
      break;
    }
    case Format::Png: header.size = detail::png_size(bytes); break;
    case Format::Tiff: header.size = detail::tiff_header(bytes).size; break;
    case Format::Webp: {
      WebPBitstreamFeatures features;
      if (const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &features); status != VP8_STATUS_OK) {
        throw ImageError(fmt::format("corrupt WebP (libwebp status {})", int(status)));  // as decode_webp says
      }
      header.size = {features.width, features.height};
      break;
    }
    default: header.size = detail::raster_header(bytes).size; break;
  }
  if (!header.size.empty()) header.orientation = stored_orientation(bytes, header.format);
  return header;
}

DecodedImage decode(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  if (bytes.empty()) throw ImageError("empty file");
  const Format format = sniff_format(bytes);
  // The one place images are turned upright: the decoders work in stored orientation.
  const int orientation = options.auto_orient ? stored_orientation(bytes, format) : 1;
  if (orientation < 5) {
    DecodedImage out = decode_stored(bytes, options, format);
    out.image = detail::oriented(std::move(out.image), orientation);
    return out;
  }
  DecodeOptions stored = options;
  stored.min_size = swapped(options.min_size);
  DecodedImage out = decode_stored(bytes, stored, format);
  out.image = detail::oriented(std::move(out.image), orientation);
  out.full_size = swapped(out.full_size);
  return out;
}

cv::Mat decode_image(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  return decode(bytes, options).image;
}

}  // namespace imgpool::core

