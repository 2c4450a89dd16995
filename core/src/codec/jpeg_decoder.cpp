// JPEG through TurboJPEG: scaled IDCT (shrink-on-load), optional gray output; progressive files at 1/8
// from their DC scans only (jpeg_dc.hpp); CMYK through OpenCV, which TurboJPEG 2.1 cannot convert.

#include <memory>
#include <string>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <turbojpeg.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"
#include "codec/jpeg_dc.hpp"

namespace imgpool::core::detail {

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

}  // namespace

Size jpeg_size(std::span<const std::uint8_t> bytes) { return jpeg_header(thread_decompressor(), bytes).size; }

DecodedImage decode_jpeg(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  const tjhandle handle = thread_decompressor();
  const JpegHeader header = jpeg_header(handle, bytes);
  check_pixels(header.size, options.max_pixels);

  DecodedImage out;
  out.format = Format::Jpeg;
  out.metadata = jpeg_metadata(bytes);
  out.full_size = header.size;

  if (header.colorspace == TJCS_CMYK || header.colorspace == TJCS_YCCK) {
    // TurboJPEG 2.1 cannot convert CMYK to BGR; OpenCV's libjpeg reader can (Adobe inverted CMYK too).
    const int flags = (options.grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR) | cv::IMREAD_IGNORE_ORIENTATION;
    out.image = opencv_decode(bytes, flags, Format::Jpeg);
    out.plan.decoded = header.size;
    return out;
  }

  out.plan = options.min_size.empty() ? ShrinkOnLoadPlan{1, 1, header.size}
                                      : plan_shrink_on_load(header.size, 1, options.min_size);
  cv::Mat image;
  if (out.plan.denom == 8 &&
      detail::decode_progressive_dc(bytes, options.grayscale, image) == detail::DcDecode::Done) {
    out.plan.dc_only = true;
    out.image = std::move(image);
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
  out.image = std::move(image);
  return out;
}

}  // namespace imgpool::core::detail
