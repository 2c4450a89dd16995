// Everything without a decoder of its own (BMP, PNM, JPEG 2000, TIFFs libtiff's RGBA reader cannot
// take, ...), and CMYK JPEG, through OpenCV's imgcodecs, which is loaded on first use
// (opencv_codecs.hpp). Two of OpenCV 4.6's readers are given their input in a form they read right:
// OS/2 1.x BMPs (their 3-byte palettes read as gray) and JPEG 2000 deeper than 8 bits (delivered in
// 16-bit samples at their own scale, which to_8bit would take for 16-bit and turn nearly black; PNM
// with a maxval between 255 and 65535 likewise).

#include <algorithm>
#include <cctype>
#include <cstring>
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
    if (format == Format::Same) throw ImageError("not an image (unrecognised data)");
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

// The sample precision (1..38 bits) of a JPEG 2000 codestream's first component, from its SIZ marker
// (in a JP2 file, inside the jp2c box); 0 when `bytes` holds none.
int jpeg2000_precision(std::span<const std::uint8_t> bytes) {
  static constexpr std::uint8_t kSocSiz[] = {0xFF, 0x4F, 0xFF, 0x51};
  const auto it = std::search(bytes.begin(), bytes.end(), std::begin(kSocSiz), std::end(kSocSiz));
  const std::size_t siz = std::size_t(it - bytes.begin()) + 2;
  if (it == bytes.end() || siz + 40 >= bytes.size()) return 0;
  return (bytes[siz + 40] & 0x7F) + 1;  // Ssiz: precision - 1; the top bit marks signed samples
}

// The maxval of a PNM (P2, P3, P5, P6) header, skipping comments; 0 for anything else.
int pnm_maxval(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 2 || bytes[0] != 'P' || !(bytes[1] == '2' || bytes[1] == '3' || bytes[1] == '5' || bytes[1] == '6')) return 0;
  std::size_t i = 2;
  long fields[3] = {0, 0, 0};
  for (long& field : fields) {
    while (i < bytes.size() && (std::isspace(bytes[i]) != 0 || bytes[i] == '#')) {
      if (bytes[i] == '#') {
        while (i < bytes.size() && bytes[i] != '\n') ++i;
      } else {
        ++i;
      }
    }
    if (i >= bytes.size() || std::isdigit(bytes[i]) == 0) return 0;
    while (i < bytes.size() && std::isdigit(bytes[i]) != 0 && field < 100000) field = field * 10 + (bytes[i++] - '0');
  }
  return fields[2] > 0 && fields[2] <= 65535 ? int(fields[2]) : 0;
}

bool is_jpeg2000(std::span<const std::uint8_t> bytes) {
  static constexpr std::uint8_t kJp2[] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '};
  static constexpr std::uint8_t kJ2k[] = {0xFF, 0x4F, 0xFF, 0x51};
  return (bytes.size() >= 8 && std::memcmp(bytes.data(), kJp2, 8) == 0) ||
         (bytes.size() >= 4 && std::memcmp(bytes.data(), kJ2k, 4) == 0);
}

}  // namespace

DecodedImage decode_with_opencv(std::span<const std::uint8_t> bytes, const DecodeOptions& options, Format format) {
  // IMREAD_UNCHANGED keeps alpha and 16-bit samples (to_8bit scales them), and ignores orientation:
  // decode() applies it.
  const std::vector<std::uint8_t> bmp = windows_bmp_from_os2(bytes);
  cv::Mat decoded = opencv_decode(bmp.empty() ? bytes : std::span<const std::uint8_t>(bmp), cv::IMREAD_UNCHANGED, format);
  if (decoded.depth() == CV_16U) {  // samples at their own scale, not at 16 bits
    const int precision = is_jpeg2000(bytes) ? jpeg2000_precision(bytes) : 0;
    const int maxval = precision > 8 && precision < 16 ? (1 << precision) - 1 : pnm_maxval(bytes);
    if (maxval > 255 && maxval < 65535) decoded.convertTo(decoded, CV_8U, 255.0 / double(maxval));
  }
  cv::Mat image = to_8bit(std::move(decoded), options.grayscale);
  // Formats without a header reader here (TIFF, BMP, ...) are checked after decoding; OpenCV itself
  // refuses more than 2^30 pixels.
  check_pixels(image.size(), options.max_pixels);
  const Size size = image.size();
  return decoded_result(format, std::move(image), size, size, options.grayscale);  // to_8bit again: a no-op
}

}  // namespace imgpool::core::detail
