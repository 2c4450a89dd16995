#include <imgpool/core/codec/decoder.hpp>

#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include <imgpool/core/error.hpp>

#include "codec/jpeg_dc.hpp"
#include "codec/opencv_codecs.hpp"

namespace imgpool::core {

namespace {

struct TjDestroy {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDestroy>;

// One decompressor per thread, reused for every image: creating one per file costs an allocation of
// libjpeg's state each time. IMPORTANT: TurboJPEG 2.1 does not reset a handle after an error in
// tjDecompressHeader3 (libjpeg stays mid-header), so every later JPEG on that thread would fail with
// the same error ("Bogus Huffman table definition" for good files); a handle that reported an error
// is dropped (drop_decompressor) and the next file gets a fresh one.
TjHandle& thread_handle() {
  thread_local TjHandle handle;
  return handle;
}

tjhandle thread_decompressor() {
  TjHandle& handle = thread_handle();
  if (!handle) handle.reset(tjInitDecompress());
  if (!handle) throw ImageError(fmt::format("cannot start the JPEG decoder: {}", tjGetErrorStr2(nullptr)));
  return handle.get();
}

// Returns the error text of this thread's decompressor and drops it (see thread_decompressor).
std::string drop_decompressor(tjhandle handle) {
  std::string why = tjGetErrorStr2(handle);
  thread_handle().reset();
  return why;
}

std::string size_text(std::uint64_t pixels) {
  if (pixels >= 1'000'000'000) return fmt::format("{:.1f} gigapixels", double(pixels) / 1e9);
  if (pixels >= 1'000'000) return fmt::format("{:.1f} megapixels", double(pixels) / 1e6);
  return fmt::format("{} pixels", pixels);
}

void check_pixels(Size size, std::uint64_t max_pixels) {
  const std::uint64_t pixels = std::uint64_t(size.width) * std::uint64_t(size.height);
  if (max_pixels != 0 && pixels > max_pixels) {
    throw ImageError(fmt::format("image is {}x{} ({}), above --max-pixels {}", size.width, size.height,
                                 size_text(pixels), max_pixels));
  }
}

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t o) {
  return (std::uint32_t{b[o]} << 24) | (std::uint32_t{b[o + 1]} << 16) | (std::uint32_t{b[o + 2]} << 8) | b[o + 3];
}

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

struct JpegHeader {
  Size size;
  int colorspace = TJCS_YCbCr;
};

JpegHeader jpeg_header(tjhandle handle, std::span<const std::uint8_t> bytes) {
  int w = 0, h = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, bytes.data(), bytes.size(), &w, &h, &subsampling, &colorspace) != 0) {
    // A warning while reading the header (e.g. extraneous bytes before DQT) still gives the size;
    // tjDecompress2 meets it again, and decode_jpeg judges it there.
    if (tjGetErrorCode(handle) != TJERR_WARNING || w <= 0 || h <= 0) {
      throw ImageError(fmt::format("corrupt JPEG: {}", drop_decompressor(handle)));
    }
  }
  // TurboJPEG 2.1 answers a tables-only stream (no SOF before EOI, e.g. FF D8 FF D9) with success and 0x0
  if (w <= 0 || h <= 0) throw ImageError("corrupt JPEG: no image in the data (tables only)");
  return {{w, h}, colorspace};
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

// Everything becomes 8-bit gray, BGR or BGRA.
cv::Mat to_8bit(cv::Mat image, bool grayscale) {
  switch (image.depth()) {
    case CV_8U: break;
    case CV_16U: image.convertTo(image, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: image.convertTo(image, CV_8U, 255.0); break;
    default: image.convertTo(image, CV_8U); break;
  }
  if (image.channels() == 2) {  // gray + alpha
    cv::Mat planes[2], bgra;
    cv::split(image, planes);
    cv::Mat parts[] = {planes[0], planes[0], planes[0], planes[1]};
    cv::merge(parts, 4, bgra);
    image = bgra;
  }
  if (grayscale && image.channels() != 1) {
    cv::cvtColor(image, image, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  }
  if (image.channels() > 4) throw ImageError(fmt::format("unsupported image: {} channels", image.channels()));
  return image;
}

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

DecodedImage decode_jpeg(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  const tjhandle handle = thread_decompressor();
  const JpegHeader header = jpeg_header(handle, bytes);
  check_pixels(header.size, options.max_pixels);
  const int orientation = options.auto_orient ? jpeg_exif_orientation(bytes) : 1;

  DecodedImage out;
  out.format = Format::Jpeg;
  out.full_size = orientation >= 5 ? Size(header.size.height, header.size.width) : header.size;

  if (header.colorspace == TJCS_CMYK || header.colorspace == TJCS_YCCK) {
    // TurboJPEG 2.1 cannot convert CMYK to BGR; OpenCV's libjpeg reader can (Adobe inverted CMYK too).
    const int flags = (options.grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR) | cv::IMREAD_IGNORE_ORIENTATION;
    out.image = oriented(opencv_decode(bytes, flags, Format::Jpeg), orientation);
    out.plan.decoded = header.size;
    return out;
  }

  out.plan = options.min_size ? plan_shrink_on_load(header.size, orientation, options.min_size(out.full_size))
                              : ShrinkOnLoadPlan{1, 1, header.size};
  cv::Mat image;
  if (out.plan.denom == 8 &&
      detail::decode_progressive_dc(bytes, options.grayscale, image) == detail::DcDecode::Done) {
    out.plan.dc_only = true;
    out.image = oriented(std::move(image), orientation);
    return out;
  }
  image.create(out.plan.decoded, options.grayscale ? CV_8UC1 : CV_8UC3);
  if (tjDecompress2(handle, bytes.data(), bytes.size(), image.data, image.cols, int(image.step), image.rows,
                    options.grayscale ? TJPF_GRAY : TJPF_BGR, 0) != 0) {
    // Without TJFLAG_STOPONWARNING libjpeg recovers as far as it can and reports the last problem.
    // Warnings are failures too (a truncated file must not become a grey half image), except the
    // harmless "extraneous bytes before marker" that many camera files carry.
    const std::string why = tjGetErrorStr2(handle);
    const bool harmless =
        tjGetErrorCode(handle) == TJERR_WARNING && why.find("extraneous bytes") != std::string::npos;
    if (!harmless) throw ImageError(fmt::format("corrupt JPEG: {}", drop_decompressor(handle)));
  }
  out.image = oriented(std::move(image), orientation);
  return out;
}

// The smaller size a WebP is decoded at when the pipeline needs less: libwebp's scaled decode averages
// the source pixels into the target while decoding (an area filter, like INTER_AREA), without ever
// holding the full-size image. Full size when the need is not smaller on both sides.
Size webp_target(Size size, const DecodeOptions& options) {
  if (!options.min_size) return size;
  const Size need = options.min_size(size);
  const bool smaller = need.width > 0 && need.height > 0 && need.width < size.width && need.height < size.height;
  return smaller ? need : size;
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
  const bool alpha = config.input.has_alpha && !options.grayscale;
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
  DecodedImage out;
  out.format = Format::Webp;
  out.full_size = size;
  out.plan.decoded = target;
  out.image = to_8bit(std::move(image), options.grayscale);
  return out;
}

// PNG through libspng: one small library (OpenCV's path is libpng inside imgcodecs, which must be loaded
// first, and libpng prints warnings on stderr). Every colour type and bit depth comes out as 8-bit gray,
// BGR or BGRA, as OpenCV's IMREAD_UNCHANGED plus to_8bit would give: gray stays one channel, transparency
// (an alpha channel or a tRNS chunk) becomes BGRA, 16-bit samples keep their high byte.
struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

DecodedImage decode_png(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  const Size size = png_size(bytes);
  check_pixels(size, options.max_pixels);
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(0));
  if (!ctx) throw ImageError("cannot start the PNG decoder");
  // Ancillary chunks (text, ICC profiles) are not used: a malicious one may not claim much memory.
  spng_set_chunk_limits(ctx.get(), std::size_t{64} << 20, std::size_t{64} << 20);
  const auto check = [](int status) {
    if (status != 0) throw ImageError(fmt::format("corrupt PNG: {}", spng_strerror(status)));
  };
  check(spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()));
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
  DecodedImage out;
  out.format = Format::Png;
  out.full_size = size;
  out.plan.decoded = size;
  out.image = to_8bit(std::move(image), options.grayscale);
  return out;
}

}  // namespace

ImageHeader read_header(std::span<const std::uint8_t> bytes) {
  ImageHeader header;
  header.format = sniff_format(bytes);
  switch (header.format) {
    case Format::Jpeg: {
      header.size = jpeg_header(thread_decompressor(), bytes).size;
      header.orientation = jpeg_exif_orientation(bytes);
      break;
    }
    case Format::Png: header.size = png_size(bytes); break;
    case Format::Webp: {
      int w = 0, h = 0;
      if (WebPGetInfo(bytes.data(), bytes.size(), &w, &h) == 0) throw ImageError("corrupt WebP: bad header");
      header.size = {w, h};
      break;
    }
    default: break;
  }
  return header;
}

ShrinkOnLoadPlan plan_shrink_on_load(Size stored, int orientation, Size min_oriented) {
  const Size need = orientation >= 5 ? Size(min_oriented.height, min_oriented.width) : min_oriented;
  ShrinkOnLoadPlan best{1, 1, stored};
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  for (int i = 0; factors != nullptr && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    // Only 1/2, 1/4 and 1/8: libjpeg-turbo has SIMD code for those reduced IDCTs; the other n/8
    // factors run plain C and can be slower than a full-size decode. (Pillow's draft() uses the same.)
    if (f.num != 1 || (f.denom != 2 && f.denom != 4 && f.denom != 8)) continue;
    const Size scaled(TJSCALED(stored.width, f), TJSCALED(stored.height, f));
    if (scaled.width < need.width || scaled.height < need.height) continue;
    // 64-bit areas: Size::area() is int and overflows above 46340x46340 (--max-pixels 0 lets such through)
    if (std::int64_t(scaled.width) * scaled.height < std::int64_t(best.decoded.width) * best.decoded.height) {
      best = {f.num, f.denom, scaled};
    }
  }
  return best;
}

DecodedImage decode(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  if (bytes.empty()) throw ImageError("empty file");
  const Format format = sniff_format(bytes);
  if (format == Format::Jpeg) return decode_jpeg(bytes, options);
  if (format == Format::Webp) return decode_webp(bytes, options);
  if (format == Format::Png) return decode_png(bytes, options);

  // IMREAD_UNCHANGED keeps alpha and 16-bit samples (to_8bit scales them). OpenCV 4.6 reads EXIF
  // orientation only from JPEG, which never comes here except as CMYK, so nothing to orient.
  const int flags = options.grayscale ? cv::IMREAD_GRAYSCALE | cv::IMREAD_IGNORE_ORIENTATION : cv::IMREAD_UNCHANGED;
  DecodedImage out;
  out.format = format;
  out.image = to_8bit(opencv_decode(bytes, flags, format), options.grayscale);
  // Formats without a header reader here (TIFF, BMP, ...) are checked after decoding; OpenCV itself
  // refuses more than 2^30 pixels.
  check_pixels(out.image.size(), options.max_pixels);
  out.full_size = out.image.size();
  out.plan.decoded = out.image.size();
  return out;
}

cv::Mat decode_image(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  return decode(bytes, options).image;
}

}  // namespace imgpool::core
