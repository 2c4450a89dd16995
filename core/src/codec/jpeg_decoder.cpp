// JPEG through TurboJPEG: scaled IDCT (shrink-on-load), optional gray output; progressive files at 1/8
// from their DC scans only (jpeg_dc.hpp); CMYK as CMYK samples, converted to sRGB by lcms (colour.cpp).

#include <memory>
#include <string>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <turbojpeg.h>

#include <imgpool/core/codec/colour.hpp>
#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"
#include "codec/jpeg_dc.hpp"
#include "codec/warnings.hpp"

namespace imgpool::core::detail {

namespace {

struct TjDestroy {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDestroy>;

// A fresh decompressor for every file. A reused one keeps state between files: libjpeg keeps the
// Huffman tables of the last file in the handle, so a valid JPEG without DHT (it relies on the standard
// tables, as Motion-JPEG frames do) decoded after an optimised one read that file's tables ("bad Huffman
// code"); and TurboJPEG 2.1 leaves a handle mid-header after an error. Creating and destroying one costs
// ~0.2 µs here (20,000 tjInitDecompress + tjDestroy in a loop), nothing beside a decode.
TjHandle new_decompressor() {
  TjHandle handle(tjInitDecompress());
  if (!handle) throw ImageError(fmt::format("cannot start the JPEG decoder: {}", tjGetErrorStr2(nullptr)));
  return handle;
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
      throw ImageError(fmt::format("corrupt JPEG: {}", tjGetErrorStr2(handle)));
    }
  }
  // TurboJPEG 2.1 answers a tables-only stream (no SOF before EOI, e.g. FF D8 FF D9) with success and 0x0
  if (w <= 0 || h <= 0) throw ImageError("corrupt JPEG: no image in the data (tables only)");
  return {{w, h}, colorspace};
}

// Decompresses `bytes` into `image` (already sized to the planned scale) as `pixel_format`.
void decompress(tjhandle handle, std::span<const std::uint8_t> bytes, cv::Mat& image, int pixel_format) {
  if (tjDecompress2(handle, bytes.data(), bytes.size(), image.data, image.cols, int(image.step), image.rows,
                    pixel_format, 0) != 0) {
    // Without TJFLAG_STOPONWARNING libjpeg recovers as far as it can and reports the last problem.
    // Warnings are failures too (a truncated file must not become a grey half image), except the
    // harmless "extraneous bytes before marker" that many camera files carry.
    const std::string why = tjGetErrorStr2(handle);
    const bool harmless =
        tjGetErrorCode(handle) == TJERR_WARNING && why.find("extraneous bytes") != std::string::npos;
    if (!harmless) throw ImageError(fmt::format("corrupt JPEG: {}", why));
    note_warning("JPEG", why);  // kept with the file's result
  }
}

}  // namespace

Size jpeg_size(std::span<const std::uint8_t> bytes) { return jpeg_header(new_decompressor().get(), bytes).size; }

DecodedImage decode_jpeg(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  const TjHandle owned = new_decompressor();
  const tjhandle handle = owned.get();
  const JpegHeader header = jpeg_header(handle, bytes);
  check_pixels(header.size, options.max_pixels);

  DecodedImage out;
  out.format = Format::Jpeg;
  out.metadata = jpeg_metadata(bytes);
  out.full_size = header.size;
  out.plan = options.min_size.empty() ? ShrinkOnLoadPlan{1, 1, header.size}
                                      : plan_shrink_on_load(header.size, 1, options.min_size);

  const bool cmyk = header.colorspace == TJCS_CMYK || header.colorspace == TJCS_YCCK;
  cv::Mat image;
  if (cmyk) {
    // TurboJPEG gives CMYK samples only (at any scale); lcms turns them into sRGB with the file's profile.
    image.create(out.plan.decoded, CV_8UC4);
    decompress(handle, bytes, image, TJPF_CMYK);
    image = cmyk_to_bgr(image, jpeg_has_adobe_marker(bytes), out.metadata.icc, options.cmyk_profile);
    out.metadata.icc = srgb_profile();
    if (options.grayscale) cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
    out.image = std::move(image);
    return out;
  }
  if (out.plan.denom == 8 &&
      detail::decode_progressive_dc(bytes, options.grayscale, image) == detail::DcDecode::Done) {
    out.plan.dc_only = true;
    out.image = std::move(image);
    return out;
  }
  image.create(out.plan.decoded, options.grayscale ? CV_8UC1 : CV_8UC3);
  decompress(handle, bytes, image, options.grayscale ? TJPF_GRAY : TJPF_BGR);
  out.image = std::move(image);
  return out;
}

}  // namespace imgpool::core::detail
