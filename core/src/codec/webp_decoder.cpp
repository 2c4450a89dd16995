// WebP through libwebp, with its scaled decode for shrink-on-load.

#include <algorithm>

#include <fmt/format.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"

namespace imgpool::core::detail {

namespace {

// The smaller size a WebP is decoded at when the pipeline needs less: libwebp's scaled decode averages
// the source pixels into the target while decoding (an area filter, like INTER_AREA), without ever
// holding the full-size image. Full size when the need is not smaller on both sides.
Size webp_target(Size size, const DecodeOptions& options) {
  const Size need = options.min_size;
  const bool smaller = need.width > 0 && need.height > 0 && need.width < size.width && need.height < size.height;
  return smaller ? need : size;
}

}  // namespace

ImageMetadata webp_metadata(std::span<const std::uint8_t> bytes) {
  ImageMetadata out;
  const WebPData data{bytes.data(), bytes.size()};
  WebPDemuxer* demux = WebPDemux(&data);
  if (demux == nullptr) return out;  // lenient: decode() judges the file
  const auto chunk = [&](const char* fourcc, auto& into) {
    WebPChunkIterator it;
    if (WebPDemuxGetChunk(demux, fourcc, 1, &it) != 0) {
      into.assign(it.chunk.bytes, it.chunk.bytes + it.chunk.size);
      WebPDemuxReleaseChunkIterator(&it);
    }
  };
  chunk("ICCP", out.icc);
  chunk("EXIF", out.exif);
  chunk("XMP ", out.xmp);
  WebPDemuxDelete(demux);
  // Some writers keep JPEG's "Exif\0\0" prefix in the chunk
  if (out.exif.size() >= 6 && std::equal(out.exif.begin(), out.exif.begin() + 6, "Exif\0\0")) {
    out.exif.erase(out.exif.begin(), out.exif.begin() + 6);
  }
  out.orientation = exif_orientation(out.exif);
  return out;
}

DecodedImage decode_webp(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  WebPDecoderConfig config;
  if (WebPInitDecoderConfig(&config) == 0) throw ImageError("cannot start the WebP decoder (libwebp version mismatch)");
  if (const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &config.input);
      status != VP8_STATUS_OK) {
    throw ImageError(fmt::format("corrupt WebP (libwebp status {})", int(status)));
  }
  if (config.input.has_animation) throw ImageError("animated WebP is not supported");
  const Size size(config.input.width, config.input.height);
  check_pixels(size, options.max_pixels);
  const Size target = webp_target(size, options);
  const bool alpha = config.input.has_alpha;
  cv::Mat image(target, alpha ? CV_8UC4 : CV_8UC3);
  if (target != size) {
    config.options.use_scaling = 1;
    config.options.scaled_width = target.width;
    config.options.scaled_height = target.height;
  }
  config.output.colorspace = alpha ? MODE_BGRA : MODE_BGR;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = image.data;
  config.output.u.RGBA.stride = int(image.step);
  config.output.u.RGBA.size = image.step * std::size_t(image.rows);
  const VP8StatusCode status = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);  // nothing to free with external memory; frees libwebp's own state
  if (status != VP8_STATUS_OK) throw ImageError(fmt::format("corrupt WebP: decoding failed (libwebp status {})", int(status)));
  DecodedImage out = decoded_result(Format::Webp, std::move(image), size, target, options.grayscale);
  out.metadata = webp_metadata(bytes);
  return out;
}

}  // namespace imgpool::core::detail
