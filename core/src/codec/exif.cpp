// The EXIF orientation of a JPEG, read by hand. TurboJPEG 2.1 does not expose APP markers and OpenCV's
// ExifReader is private to imgcodecs, so this small parser reads exactly one tag: 0x0112 in IFD0 of
// the first APP1 "Exif" segment. Every read is bounds-checked; anything malformed means "no rotation".

#include <cstddef>
#include <cstdint>
#include <span>

#include <imgpool/core/codec/decoder.hpp>

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

// The orientation in an APP1 payload ("Exif\0\0" + TIFF), or 0 when there is none.
int orientation_in_app1(std::span<const std::uint8_t> app1) {
  constexpr std::uint8_t kExif[] = {'E', 'x', 'i', 'f', 0, 0};
  if (app1.size() < sizeof kExif + 8) return 0;
  for (std::size_t i = 0; i < sizeof kExif; ++i) {
    if (app1[i] != kExif[i]) return 0;
  }
  const auto tiff = app1.subspan(sizeof kExif);
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

}  // namespace

int jpeg_exif_orientation(std::span<const std::uint8_t> jpeg) {
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return 1;
  std::size_t pos = 2;
  while (pos + 4 <= jpeg.size()) {
    if (jpeg[pos] != 0xFF) return 1;
    const std::uint8_t marker = jpeg[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      pos += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;  // start of scan / end: no metadata follows
    const std::size_t length = (std::size_t{jpeg[pos + 2]} << 8) | jpeg[pos + 3];
    if (length < 2 || pos + 2 + length > jpeg.size()) return 1;
    if (marker == 0xE1) {
      if (const int o = orientation_in_app1(jpeg.subspan(pos + 4, length - 2)); o != 0) return o;
    }
    pos += 2 + length;
  }
  return 1;
}

}  // namespace imgpool::core
