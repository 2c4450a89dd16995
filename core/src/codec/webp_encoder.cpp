// WebP output: libwebp's simple lossy encoder, then libwebpmux to add the metadata chunks (VP8X).
#include <memory>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <webp/encode.h>
#include <webp/mux.h>

#include <imgpool/core/error.hpp>

#include "codec/encoders.hpp"

namespace imgpool::core::detail {

namespace {

struct MuxDelete {
  void operator()(WebPMux* mux) const { WebPMuxDelete(mux); }
};

EncodedBytes with_chunks(const EncodedBytes& bitstream, const ImageMetadata& metadata) {
  std::unique_ptr<WebPMux, MuxDelete> mux(WebPMuxNew());
  if (!mux) throw ImageError("cannot encode WebP: out of memory");
  const WebPData image{bitstream.data(), bitstream.size()};
  if (WebPMuxSetImage(mux.get(), &image, 0) != WEBP_MUX_OK) throw ImageError("cannot encode WebP: bad bitstream");
  const auto add = [&](const char* fourcc, const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    const WebPData chunk{data, size};
    if (WebPMuxSetChunk(mux.get(), fourcc, &chunk, 0) != WEBP_MUX_OK) {
      throw ImageError(fmt::format("cannot encode WebP: cannot add its {} chunk", fourcc));
    }
  };
  add("ICCP", metadata.icc.data(), metadata.icc.size());
  add("EXIF", metadata.exif.data(), metadata.exif.size());
  add("XMP ", reinterpret_cast<const std::uint8_t*>(metadata.xmp.data()), metadata.xmp.size());
  WebPData assembled{};
  if (WebPMuxAssemble(mux.get(), &assembled) != WEBP_MUX_OK) throw ImageError("cannot encode WebP: cannot assemble");
  const std::unique_ptr<const std::uint8_t, void (*)(const std::uint8_t*)> owned(
      assembled.bytes, [](const std::uint8_t* p) { WebPFree(const_cast<std::uint8_t*>(p)); });
  return {assembled.bytes, assembled.bytes + assembled.size};
}

}  // namespace

EncodedBytes encode_webp(const cv::Mat& input, const EncodeSettings& settings, const ImageMetadata& metadata) {
  if (input.cols > WEBP_MAX_DIMENSION || input.rows > WEBP_MAX_DIMENSION) {
    throw ImageError(fmt::format("cannot encode WebP: {}x{} is above its {}x{} limit", input.cols, input.rows,
                                 WEBP_MAX_DIMENSION, WEBP_MAX_DIMENSION));
  }
  cv::Mat image = input;
  if (image.channels() == 1) cv::cvtColor(input, image, cv::COLOR_GRAY2BGR);
  if (image.channels() == 2) image = gray_alpha_to_bgra(input);
  std::uint8_t* data = nullptr;
  const float q = static_cast<float>(settings.quality);
  const std::size_t size = image.channels() == 4
                               ? WebPEncodeBGRA(image.data, image.cols, image.rows, int(image.step), q, &data)
                               : WebPEncodeBGR(image.data, image.cols, image.rows, int(image.step), q, &data);
  std::unique_ptr<std::uint8_t, decltype(&WebPFree)> owned(data, &WebPFree);
  if (size == 0 || data == nullptr) throw ImageError("cannot encode WebP");
  EncodedBytes bitstream(data, data + size);
  if (metadata.icc.empty() && metadata.exif.empty() && metadata.xmp.empty()) return bitstream;
  return with_chunks(bitstream, metadata);
}

}  // namespace imgpool::core::detail
