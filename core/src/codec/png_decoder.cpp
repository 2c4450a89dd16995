// PNG through libspng.

#include <memory>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <spng.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"

namespace imgpool::core::detail {

namespace {

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t o) {
  return (std::uint32_t{b[o]} << 24) | (std::uint32_t{b[o + 1]} << 16) | (std::uint32_t{b[o + 2]} << 8) | b[o + 3];
}

}  // namespace

// PNG's IHDR must be the first chunk: 8 signature bytes, length, "IHDR", width, height (big-endian).
Size png_size(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 24 || std::string_view(reinterpret_cast<const char*>(bytes.data()) + 12, 4) != "IHDR") {
    throw ImageError("corrupt PNG: no IHDR header");
  }
  const std::uint32_t w = be32(bytes, 16);
  const std::uint32_t h = be32(bytes, 20);
  if (w == 0 || h == 0 || w > 0x7FFFFFFFu || h > 0x7FFFFFFFu) {
    throw ImageError(fmt::format("corrupt PNG: impossible size {}x{}", w, h));
  }
  return {int(w), int(h)};
}

// A bounded walk over the chunk headers: 8 signature bytes, then length, type, data, CRC per chunk.
// libspng could only give eXIf after decoding the image (it may follow IDAT), which read_header must not.
int png_exif_orientation(std::span<const std::uint8_t> bytes) {
  std::size_t at = 8;
  while (bytes.size() >= 12 && at <= bytes.size() - 12) {
    const std::size_t length = be32(bytes, at);
    const std::string_view type(reinterpret_cast<const char*>(bytes.data()) + at + 4, 4);
    if (length > bytes.size() - at - 12) return 1;  // truncated
    if (type == "eXIf") return exif_orientation(bytes.subspan(at + 8, length));
    if (type == "IEND") return 1;
    at += 12 + length;
  }
  return 1;
}

// PNG through libspng: one small library (OpenCV's path is libpng inside imgcodecs, which must be loaded
// first, and libpng prints warnings on stderr). Every colour type and bit depth comes out as 8-bit gray,
// BGR or BGRA, as OpenCV's IMREAD_UNCHANGED plus to_8bit would give: gray stays one channel, transparency
// (an alpha channel or a tRNS chunk) becomes BGRA, 16-bit samples keep their high byte.
struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};
using SpngContext = std::unique_ptr<spng_ctx, SpngFree>;

namespace {

// A context over `bytes` whose ancillary chunks (text, ICC profiles) may not claim much memory: a
// malicious one is refused, not allocated.
SpngContext open_png(std::span<const std::uint8_t> bytes) {
  SpngContext ctx(spng_ctx_new(0));
  if (!ctx) throw ImageError("cannot start the PNG decoder");
  spng_set_chunk_limits(ctx.get(), std::size_t{64} << 20, std::size_t{64} << 20);
  if (const int status = spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()); status != 0) {
    throw ImageError(fmt::format("corrupt PNG: {}", spng_strerror(status)));
  }
  return ctx;
}

// The iCCP, eXIf and XMP (iTXt "XML:com.adobe.xmp") chunks libspng has read so far; a missing or
// malformed one is left out.
ImageMetadata metadata_of(spng_ctx* ctx) {
  ImageMetadata out;
  if (spng_iccp iccp{}; spng_get_iccp(ctx, &iccp) == 0 && iccp.profile != nullptr) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(iccp.profile);
    out.icc.assign(p, p + iccp.profile_len);
  }
  if (spng_exif exif{}; spng_get_exif(ctx, &exif) == 0 && exif.data != nullptr) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(exif.data);
    out.exif.assign(p, p + exif.length);
  }
  std::uint32_t n_text = 0;
  if (spng_get_text(ctx, nullptr, &n_text) == 0 && n_text > 0) {
    std::vector<spng_text> texts(n_text);
    if (spng_get_text(ctx, texts.data(), &n_text) == 0) {
      for (const spng_text& t : texts) {
        if (std::string_view(t.keyword) == "XML:com.adobe.xmp" && t.text != nullptr) {
          out.xmp.assign(t.text, t.length);
          break;
        }
      }
    }
  }
  out.orientation = exif_orientation(out.exif);
  return out;
}

}  // namespace

ImageMetadata png_metadata(std::span<const std::uint8_t> bytes) {
  try {
    const SpngContext ctx = open_png(bytes);
    return metadata_of(ctx.get());
  } catch (const ImageError&) {
    return {};  // lenient: decode() judges the file
  }
}

DecodedImage decode_png(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  const Size size = png_size(bytes);
  check_pixels(size, options.max_pixels);
  const SpngContext ctx = open_png(bytes);
  const auto check = [](int status) {
    if (status != 0) throw ImageError(fmt::format("corrupt PNG: {}", spng_strerror(status)));
  };
  spng_ihdr ihdr{};
  check(spng_get_ihdr(ctx.get(), &ihdr));
  spng_trns trns{};
  const bool has_trns = spng_get_trns(ctx.get(), &trns) == 0;
  const bool alpha = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ||
                     ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR_ALPHA || has_trns;
  const bool gray = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE && !alpha;
  // G8 serves gray up to 8 bits; 16-bit gray goes through RGB8 (three equal samples) and back.
  const int format = alpha ? SPNG_FMT_RGBA8 : (gray && ihdr.bit_depth <= 8) ? SPNG_FMT_G8 : SPNG_FMT_RGB8;
  const int channels = format == SPNG_FMT_RGBA8 ? 4 : format == SPNG_FMT_G8 ? 1 : 3;
  cv::Mat image(size, CV_8UC(channels));
  check(spng_decode_image(ctx.get(), image.data, image.total() * image.elemSize(), format, SPNG_DECODE_TRNS));
  // The chunks after the image data, to IEND: a bad IDAT checksum or a truncated end fails as with libpng.
  check(spng_decode_chunks(ctx.get()));
  if (channels == 4) cv::cvtColor(image, image, cv::COLOR_RGBA2BGRA);
  if (channels == 3) cv::cvtColor(image, image, gray ? cv::COLOR_RGB2GRAY : cv::COLOR_RGB2BGR);
  DecodedImage out = decoded_result(Format::Png, std::move(image), size, size, options.grayscale);
  out.metadata = metadata_of(ctx.get());  // after the image: eXIf may follow IDAT
  return out;
}

}  // namespace imgpool::core::detail
