// Metadata blocks by hand for JPEG (TurboJPEG 2.1 does not expose APP markers and OpenCV's ExifReader is
// private to imgcodecs): a bounded walk over the segments before the first scan, and the one EXIF tag
// decoding needs, the orientation. Every read is bounds-checked; anything malformed is left out. PNG's
// come from libspng and WebP's from libwebpdemux, in their decoders' files.

#include <imgpool/core/codec/metadata.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <map>
#include <string_view>

#include <imgpool/core/codec/format.hpp>

#include "codec/decode_common.hpp"

namespace imgpool::core {

namespace {

class TiffReader {
 public:
  TiffReader(std::span<const std::uint8_t> data, bool big_endian) : data_(data), big_(big_endian) {}
  bool has(std::size_t offset, std::size_t n) const { return offset <= data_.size() && n <= data_.size() - offset; }
  std::uint32_t u16(std::size_t o) const {
    return big_ ? (std::uint32_t{data_[o]} << 8) | data_[o + 1] : (std::uint32_t{data_[o + 1]} << 8) | data_[o];
  }
  std::uint32_t u32(std::size_t o) const {
    return big_ ? (u16(o) << 16) | u16(o + 2) : (u16(o + 2) << 16) | u16(o);
  }

 private:
  std::span<const std::uint8_t> data_;
  bool big_;
};

// The orientation in a TIFF-structured block, or 0 when there is none.
int orientation_in_tiff(std::span<const std::uint8_t> tiff) {
  if (tiff.size() < 8) return 0;
  bool big_endian = false;
  if (tiff[0] == 'M' && tiff[1] == 'M') {
    big_endian = true;
  } else if (!(tiff[0] == 'I' && tiff[1] == 'I')) {
    return 0;
  }
  const TiffReader r(tiff, big_endian);
  if (r.u16(2) != 42) return 0;
  const std::size_t ifd = r.u32(4);
  if (!r.has(ifd, 2)) return 0;
  const std::size_t count = r.u16(ifd);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    if (!r.has(entry, 12)) return 0;
    if (r.u16(entry) != 0x0112) continue;
    const std::uint32_t type = r.u16(entry + 2);
    std::uint32_t value = 0;
    if (type == 3) {  // SHORT, stored in the first two bytes of the value field
      value = r.u16(entry + 8);
    } else if (type == 4) {  // LONG: not what the standard says, but some writers do it
      value = r.u32(entry + 8);
    } else {
      return 0;
    }
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 0;
  }
  return 0;
}

bool starts_with(std::span<const std::uint8_t> payload, std::string_view prefix) {
  return payload.size() >= prefix.size() && std::memcmp(payload.data(), prefix.data(), prefix.size()) == 0;
}

constexpr std::string_view kExifPrefix{"Exif\0\0", 6};
constexpr std::string_view kXmpPrefix{"http://ns.adobe.com/xap/1.0/\0", 29};
constexpr std::string_view kIccPrefix{"ICC_PROFILE\0", 12};

// Calls `segment(marker, payload)` for each marker segment before the first scan, in order, while it
// returns true. Stops at a malformed length.
void for_each_segment(std::span<const std::uint8_t> jpeg,
                      const std::function<bool(std::uint8_t, std::span<const std::uint8_t>)>& segment) {
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return;
  std::size_t pos = 2;
  while (pos + 4 <= jpeg.size()) {
    if (jpeg[pos] != 0xFF) return;
    const std::uint8_t marker = jpeg[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      pos += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return;  // start of scan / end: no metadata follows
    const std::size_t length = (std::size_t{jpeg[pos + 2]} << 8) | jpeg[pos + 3];
    if (length < 2 || pos + 2 + length > jpeg.size()) return;
    if (!segment(marker, jpeg.subspan(pos + 4, length - 2))) return;
    pos += 2 + length;
  }
}

}  // namespace

int exif_orientation(std::span<const std::uint8_t> exif) {
  const int o = orientation_in_tiff(exif);
  return o == 0 ? 1 : o;
}

int jpeg_exif_orientation(std::span<const std::uint8_t> jpeg) {
  int orientation = 1;
  for_each_segment(jpeg, [&](std::uint8_t marker, std::span<const std::uint8_t> payload) {
    if (marker != 0xE1 || !starts_with(payload, kExifPrefix)) return true;
    const int o = orientation_in_tiff(payload.subspan(kExifPrefix.size()));
    if (o == 0) return true;  // an APP1 without a usable orientation: look at the next
    orientation = o;
    return false;
  });
  return orientation;
}

bool detail::jpeg_has_adobe_marker(std::span<const std::uint8_t> jpeg) {
  bool found = false;
  for_each_segment(jpeg, [&](std::uint8_t marker, std::span<const std::uint8_t> payload) {
    found = marker == 0xEE && starts_with(payload, "Adobe");
    return !found;
  });
  return found;
}

ImageMetadata detail::jpeg_metadata(std::span<const std::uint8_t> jpeg) {
  ImageMetadata out;
  std::map<int, std::span<const std::uint8_t>> icc_chunks;  // sequence number (1..count) -> chunk
  int icc_count = 0;
  bool icc_bad = false;
  for_each_segment(jpeg, [&](std::uint8_t marker, std::span<const std::uint8_t> payload) {
    if (marker == 0xE1 && out.exif.empty() && starts_with(payload, kExifPrefix)) {
      const auto tiff = payload.subspan(kExifPrefix.size());
      out.exif.assign(tiff.begin(), tiff.end());
    } else if (marker == 0xE1 && out.xmp.empty() && starts_with(payload, kXmpPrefix)) {
      const auto xmp = payload.subspan(kXmpPrefix.size());
      out.xmp.assign(xmp.begin(), xmp.end());
    } else if (marker == 0xE2 && starts_with(payload, kIccPrefix) && payload.size() >= kIccPrefix.size() + 2) {
      // ICC.1 Annex B.4: sequence number and chunk count, then the chunk
      const int seq = payload[kIccPrefix.size()];
      const int count = payload[kIccPrefix.size() + 1];
      if (seq < 1 || seq > count || (icc_count != 0 && count != icc_count) || icc_chunks.contains(seq)) icc_bad = true;
      icc_count = count;
      icc_chunks.emplace(seq, payload.subspan(kIccPrefix.size() + 2));
    }
    return true;
  });
  if (!icc_bad && icc_count > 0 && static_cast<int>(icc_chunks.size()) == icc_count) {
    for (const auto& [seq, chunk] : icc_chunks) out.icc.insert(out.icc.end(), chunk.begin(), chunk.end());
  }
  out.orientation = exif_orientation(out.exif);
  return out;
}

ImageMetadata read_metadata(std::span<const std::uint8_t> bytes) {
  switch (sniff_format(bytes)) {
    case Format::Jpeg: return detail::jpeg_metadata(bytes);
    case Format::Png: return detail::png_metadata(bytes);
    case Format::Webp: return detail::webp_metadata(bytes);
    case Format::Tiff: return detail::tiff_metadata(bytes);
    default: return {};
  }
}

}  // namespace imgpool::core
