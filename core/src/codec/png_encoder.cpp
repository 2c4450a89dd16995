// PNG output through libspng (the library the PNG decoder uses), which writes gray+alpha and the
// metadata chunks that OpenCV's writer cannot.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <spng.h>

#include <imgpool/core/error.hpp>

#include "codec/encoders.hpp"

namespace imgpool::core::detail {

namespace {

struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

void check(int error, const char* what) {
  if (error != 0) throw ImageError(fmt::format("cannot encode PNG: {}: {}", what, spng_strerror(error)));
}

// PNG's colour types for 1..4 channels: gray, gray+alpha, RGB, RGBA
constexpr std::uint8_t kColourType[] = {SPNG_COLOR_TYPE_GRAYSCALE, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA,
                                        SPNG_COLOR_TYPE_TRUECOLOR, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};

}  // namespace

EncodedBytes encode_png(const cv::Mat& image, const ImageMetadata& metadata) {
  cv::Mat pixels;  // in PNG's channel order, rows packed
  if (image.channels() == 3) {
    cv::cvtColor(image, pixels, cv::COLOR_BGR2RGB);
  } else if (image.channels() == 4) {
    cv::cvtColor(image, pixels, cv::COLOR_BGRA2RGBA);
  } else {
    pixels = image.isContinuous() ? image : image.clone();
  }
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) throw ImageError("cannot encode PNG: out of memory");
  check(spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1), "buffer");
  check(spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_LEVEL, kPngCompression), "compression level");
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(pixels.cols);
  ihdr.height = static_cast<std::uint32_t>(pixels.rows);
  ihdr.bit_depth = 8;
  ihdr.color_type = kColourType[pixels.channels() - 1];
  check(spng_set_ihdr(ctx.get(), &ihdr), "header");

  // libspng copies none of these before spng_encode_image: they stay alive until then.
  std::string icc(metadata.icc.begin(), metadata.icc.end());
  std::string exif(metadata.exif.begin(), metadata.exif.end());
  std::string xmp = metadata.xmp;
  char empty[1] = {0};
  if (!icc.empty()) {
    spng_iccp iccp{};
    std::strcpy(iccp.profile_name, "ICC profile");
    iccp.profile_len = icc.size();
    iccp.profile = icc.data();
    check(spng_set_iccp(ctx.get(), &iccp), "ICC profile");
  }
  if (!exif.empty()) {
    spng_exif block{exif.size(), exif.data()};
    // libspng accepts only a TIFF-structured block: a malformed one is left out, not an error
    if (spng_set_exif(ctx.get(), &block) != 0) exif.clear();
  }
  if (!xmp.empty()) {
    spng_text text{};
    std::strcpy(text.keyword, "XML:com.adobe.xmp");
    text.type = SPNG_ITXT;
    text.length = xmp.size();
    text.text = xmp.data();
    text.language_tag = empty;
    text.translated_keyword = empty;
    check(spng_set_text(ctx.get(), &text, 1), "XMP");
  }
  check(spng_encode_image(ctx.get(), pixels.data, pixels.total() * pixels.elemSize(), SPNG_FMT_PNG,
                          SPNG_ENCODE_FINALIZE),
        "image");
  std::size_t size = 0;
  int error = 0;
  const std::unique_ptr<void, decltype(&std::free)> png(spng_get_png_buffer(ctx.get(), &size, &error), &std::free);
  check(error, "buffer");
  const auto* bytes = static_cast<const std::uint8_t*>(png.get());
  return {bytes, bytes + size};
}

}  // namespace imgpool::core::detail
