// The sizes that the headers of the formats OpenCV decodes for imgpool claim (BMP, PNM/PAM/PFM, Sun
// raster, Radiance HDR, JPEG 2000), read without decoding anything, so that max_pixels refuses a bomb
// before OpenCV allocates its raster (a 1 KB RLE8 BMP can claim 30000×30000, and OpenCV fills it in).
// Hand-written: OpenCV 4.6 has no header-only API, and each header is a few fixed fields.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "codec/decode_common.hpp"

namespace imgpool::core::detail {

namespace {

using Bytes = std::span<const std::uint8_t>;

std::uint32_t le(Bytes b, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | b[at + std::size_t(i)];
  return v;
}
std::uint32_t be32(Bytes b, std::size_t at) {
  return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 | std::uint32_t(b[at + 2]) << 8 | b[at + 3];
}

bool starts_with(Bytes b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

// a size as claimed, clamped into int (a claim past INT_MAX is a bomb all the same)
Size claimed(std::uint64_t width, std::uint64_t height) {
  constexpr std::uint64_t kMax = 0x7FFFFFFF;
  return {int(std::min(width, kMax)), int(std::min(height, kMax))};
}

Size bmp_size(Bytes b) {
  if (b.size() < 26) return {};
  const std::uint32_t header = le(b, 14, 4);
  if (header == 12) return claimed(le(b, 18, 2), le(b, 20, 2));  // OS/2 1.x BITMAPCOREHEADER
  if (header < 40 || b.size() < 26) return {};
  const auto width = std::int32_t(le(b, 18, 4));
  const auto height = std::int32_t(le(b, 22, 4));  // negative: stored top-down
  if (width <= 0 || height == 0 || height == INT32_MIN) return {};
  return claimed(std::uint64_t(width), std::uint64_t(height < 0 ? -std::int64_t(height) : height));
}

// The decimal fields after a PNM-style magic, skipping white space and # comments.
bool pnm_fields(Bytes b, std::size_t i, std::uint64_t* fields, int count) {
  for (int f = 0; f < count; ++f) {
    while (i < b.size() && (std::isspace(b[i]) != 0 || b[i] == '#')) {
      if (b[i] == '#') {
        while (i < b.size() && b[i] != '\n') ++i;
      } else {
        ++i;
      }
    }
    if (i >= b.size() || std::isdigit(b[i]) == 0) return false;
    std::uint64_t v = 0;
    while (i < b.size() && std::isdigit(b[i]) != 0) v = std::min<std::uint64_t>(v * 10 + (b[i++] - '0'), 1ull << 40);
    fields[f] = v;
  }
  return true;
}

// P1..P6 and PFM: width, height and (P2, P3, P5, P6) the maxval
RasterHeader pnm_header(Bytes b) {
  const bool has_maxval = b[1] == '2' || b[1] == '3' || b[1] == '5' || b[1] == '6';
  std::uint64_t f[3] = {0, 0, 0};
  if (!pnm_fields(b, 2, f, has_maxval ? 3 : 2)) return {};
  return {claimed(f[0], f[1]), has_maxval && f[2] <= 65535 ? int(f[2]) : 0};
}

// PAM (P7): "WIDTH n" and "HEIGHT n" lines before ENDHDR
Size pam_size(Bytes b) {
  const std::string_view text(reinterpret_cast<const char*>(b.data()), std::min<std::size_t>(b.size(), 4096));
  std::uint64_t width = 0, height = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    if (line.starts_with("ENDHDR")) break;
    const auto field = [&](std::string_view name, std::uint64_t& value) {
      if (!line.starts_with(name)) return;
      std::uint64_t v[1] = {0};
      if (pnm_fields(Bytes(b.data() + at, line.size()), name.size(), v, 1)) value = v[0];
    };
    field("WIDTH", width);
    field("HEIGHT", height);
    at = end + 1;
  }
  return width && height ? claimed(width, height) : Size{};
}

// Radiance: header lines, an empty line, then "-Y h +X w" (or another of the eight orders)
Size hdr_size(Bytes b) {
  const std::string_view text(reinterpret_cast<const char*>(b.data()), std::min<std::size_t>(b.size(), 65536));
  const std::size_t blank = text.find("\n\n");
  if (blank == std::string_view::npos) return {};
  const std::size_t at = blank + 2;
  if (at + 2 > text.size() || (text[at] != '-' && text[at] != '+')) return {};
  const bool y_first = text[at + 1] == 'Y';
  std::uint64_t first[1] = {0}, second[1] = {0};
  std::size_t i = at + 2;
  if (!pnm_fields(b, i, first, 1)) return {};
  while (i < text.size() && text[i] != 'X' && text[i] != 'Y' && text[i] != '\n') ++i;
  if (i >= text.size() || text[i] == '\n' || !pnm_fields(b, i + 1, second, 1)) return {};
  return y_first ? claimed(second[0], first[0]) : claimed(first[0], second[0]);
}

// JPEG 2000: the SIZ marker segment of the codestream (in a JP2 file, inside its jp2c box): the size
// and the sample precision of the first component
RasterHeader jpeg2000_header(Bytes b) {
  static constexpr std::uint8_t kSocSiz[] = {0xFF, 0x4F, 0xFF, 0x51};
  const Bytes head = b.first(std::min<std::size_t>(b.size(), 1 << 20));
  const auto it = std::search(head.begin(), head.end(), std::begin(kSocSiz), std::end(kSocSiz));
  if (it == head.end()) return {};
  // after FF51: Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz(4 each) Csiz(2) Ssiz(1)...
  const std::size_t siz = std::size_t(it - head.begin()) + 4;
  if (siz + 20 > b.size()) return {};
  const std::uint32_t x = be32(b, siz + 4), y = be32(b, siz + 8), x0 = be32(b, siz + 12), y0 = be32(b, siz + 16);
  if (x <= x0 || y <= y0) return {};
  RasterHeader header{claimed(x - x0, y - y0), 0};
  if (siz + 38 < b.size()) {
    const int precision = (b[siz + 38] & 0x7F) + 1;  // Ssiz: precision - 1; the top bit marks signed samples
    if (precision <= 16) header.sample_max = (1 << precision) - 1;
  }
  return header;
}

}  // namespace

bool is_jpeg2000(std::span<const std::uint8_t> b) {
  static constexpr std::uint8_t kJp2[] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '};
  return (b.size() >= 8 && std::memcmp(b.data(), kJp2, 8) == 0) || starts_with(b, "\xFF\x4F\xFF\x51");
}

RasterHeader raster_header(std::span<const std::uint8_t> b) {
  if (starts_with(b, "BM")) return {bmp_size(b), 0};
  if (b.size() >= 2 && b[0] == 'P' && ((b[1] >= '1' && b[1] <= '6') || b[1] == 'F' || b[1] == 'f')) return pnm_header(b);
  if (starts_with(b, "P7")) return {pam_size(b), 0};
  if (starts_with(b, "\x59\xA6\x6A\x95") && b.size() >= 12) return {claimed(be32(b, 4), be32(b, 8)), 0};  // Sun raster
  if (starts_with(b, "#?RADIANCE") || starts_with(b, "#?RGBE")) return {hdr_size(b), 0};
  if (is_jpeg2000(b)) return jpeg2000_header(b);
  return {};
}

}  // namespace imgpool::core::detail
