// Everything without a decoder of its own (BMP, PNM, JPEG 2000, TIFFs libtiff's RGBA reader cannot
// take, ...), and CMYK JPEG, through OpenCV's imgcodecs, which is loaded on first use
// (opencv_codecs.hpp). Two of OpenCV 4.6's readers are given their input in a form they read right:
// OS/2 1.x BMPs (their 3-byte palettes read as gray) and JPEG 2000 deeper than 8 bits (delivered in
// 16-bit samples at their own scale, which to_8bit would take for 16-bit and turn nearly black; PNM
// with a maxval between 255 and 65535 likewise).

#include <algorithm>
#include <vector>

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
    // a header read here (BMP, PNM, ...) makes it an image, if a broken one
    if (format == Format::Same && raster_header(bytes).size.empty()) throw ImageError("not an image (unrecognised data)");
    constexpr const char* kLabels[] = {"image", "JPEG", "PNG", "WebP", "TIFF"};
    throw ImageError(fmt::format("corrupt {} (OpenCV cannot decode it)", kLabels[static_cast<int>(format)]));
  }
  return image;
}

namespace {

std::uint32_t le16(const std::uint8_t* p) { return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8; }
void put_le(std::vector<std::uint8_t>& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
}

// An OS/2 1.x BMP (12-byte BITMAPCOREHEADER, 3-byte palette entries) rewritten as the Windows BMP with
// the same pixels (40-byte BITMAPINFOHEADER, 4-byte entries); empty when `bytes` is no such file.
std::vector<std::uint8_t> windows_bmp_from_os2(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 26 || bytes[0] != 'B' || bytes[1] != 'M' || le16(&bytes[14]) != 12 || le16(&bytes[16]) != 0) return {};
  const std::uint32_t offset = le16(&bytes[10]) | le16(&bytes[12]) << 16;
  const std::uint32_t width = le16(&bytes[18]), height = le16(&bytes[20]), bits = le16(&bytes[24]);
  if (offset < 26 || offset > bytes.size()) return {};
  const std::uint32_t colours = bits <= 8 ? std::min<std::uint32_t>(1u << bits, (offset - 26) / 3) : 0;
  std::vector<std::uint8_t> out = {'B', 'M'};
  const std::uint32_t new_offset = 14 + 40 + 4 * colours;
  put_le(out, new_offset + std::uint32_t(bytes.size() - offset), 4);
  put_le(out, 0, 4);
  put_le(out, new_offset, 4);
  put_le(out, 40, 4);
  put_le(out, width, 4);
  put_le(out, height, 4);
  put_le(out, 1, 2);     // planes
  put_le(out, bits, 2);
  put_le(out, 0, 4);     // BI_RGB: OS/2 1.x has no compression
  put_le(out, 0, 4);     // image size: may be 0 for BI_RGB
  put_le(out, 0, 4);
  put_le(out, 0, 4);     // resolution
  put_le(out, colours, 4);
  put_le(out, 0, 4);
  for (std::uint32_t i = 0; i < colours; ++i) {
    const std::uint8_t* entry = &bytes[26 + 3 * i];
    out.insert(out.end(), {entry[0], entry[1], entry[2], 0});
  }
  out.insert(out.end(), bytes.begin() + offset, bytes.end());
  return out;
}

}  // namespace

DecodedImage decode_with_opencv(std::span<const std::uint8_t> bytes, const DecodeOptions& options, Format format) {
  // IMREAD_UNCHANGED keeps alpha and 16-bit samples (to_8bit scales them), and ignores orientation:
  // decode() applies it.
  // max_pixels from the header, before OpenCV allocates (and, for RLE BMPs, fills) the raster
  const RasterHeader header = raster_header(bytes);
  check_pixels(header.size, options.max_pixels);
  const std::vector<std::uint8_t> bmp = windows_bmp_from_os2(bytes);
  cv::Mat decoded = opencv_decode(bmp.empty() ? bytes : std::span<const std::uint8_t>(bmp), cv::IMREAD_UNCHANGED, format);
  if (decoded.depth() == CV_16U) {  // samples at their own scale, not at 16 bits
    const int maxval = header.sample_max;
    if (maxval > 255 && maxval < 65535) decoded.convertTo(decoded, CV_8U, 255.0 / double(maxval));
  }
  cv::Mat image = to_8bit(std::move(decoded), options.grayscale);
  // Again on what came out: formats without a header reader here (raster_header) are checked
  // only now; OpenCV itself refuses more than 2^30 pixels.
  check_pixels(image.size(), options.max_pixels);
  const Size size = image.size();
  return decoded_result(format, std::move(image), size, size, options.grayscale);  // to_8bit again: a no-op
}

}  // namespace imgpool::core::detail
