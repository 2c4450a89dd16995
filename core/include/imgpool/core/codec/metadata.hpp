#pragma once
// What an image file carries besides its pixels, as raw blocks: the ICC colour profile, EXIF and XMP.
// Read without decoding pixels, bounded and lenient: malformed metadata is left out (an empty field),
// never an error, so a photo with a broken EXIF block still decodes. What is kept in outputs, and how a
// profile is applied, is decided elsewhere (the job); this only reads.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace imgpool::core {

/// the metadata blocks of one image, as stored
struct ImageMetadata {
  /// the embedded ICC profile: JPEG's APP2 "ICC_PROFILE" chunks joined in order, PNG's iCCP (inflated),
  /// WebP's ICCP chunk; empty when there is none
  std::vector<std::uint8_t> icc;
  /// the EXIF block as TIFF-structured bytes ("II*\0..." or "MM\0*..."), without JPEG's "Exif\0\0"
  /// prefix: JPEG's first APP1 "Exif", PNG's eXIf, WebP's EXIF chunk; empty when there is none
  std::vector<std::uint8_t> exif;
  /// the XMP packet: JPEG's APP1 "http://ns.adobe.com/xap/1.0/", PNG's iTXt "XML:com.adobe.xmp",
  /// WebP's XMP chunk; empty when there is none
  std::string xmp;
  /// the EXIF orientation 1..8 in `exif`; 1 when absent or malformed
  int orientation = 1;
};

/// reads the metadata of encoded JPEG, PNG or WebP data; other formats give an empty ImageMetadata.
/// Never throws for malformed metadata (the field is left empty). Thread safe.
ImageMetadata read_metadata(std::span<const std::uint8_t> bytes);

/// the orientation (tag 0x0112 of IFD0, 1..8) in a TIFF-structured EXIF block; 1 when absent or malformed
int exif_orientation(std::span<const std::uint8_t> exif);

/// the EXIF orientation (1..8) in a JPEG's APP1 segments; 1 when absent or malformed
int jpeg_exif_orientation(std::span<const std::uint8_t> jpeg);

}  // namespace imgpool::core
