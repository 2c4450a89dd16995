#pragma once
// What an image file carries besides its pixels, as raw blocks: the ICC colour profile, EXIF and XMP.
// Read without decoding pixels, bounded and lenient: malformed metadata is left out (an empty field),
// never an error, so a photo with a broken EXIF block still decodes. Which blocks an output keeps is
// KeepMetadata's policy (metadata_to_keep, below); how a profile is applied is codec/colour.hpp's.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
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

/// reads the metadata of encoded JPEG, PNG, WebP or TIFF data (TIFF: its ICC profile and XMP packet;
/// its EXIF sub-IFD is not read); other formats give an empty ImageMetadata.
/// Never throws for malformed metadata (the field is left empty). Thread safe.
ImageMetadata read_metadata(std::span<const std::uint8_t> bytes);

/// the orientation (tag 0x0112 of IFD0, 1..8) in a TIFF-structured EXIF block; 1 when absent or malformed
int exif_orientation(std::span<const std::uint8_t> exif);

/// the EXIF orientation (1..8) in a JPEG's APP1 segments; 1 when absent or malformed
int jpeg_exif_orientation(std::span<const std::uint8_t> jpeg);

/// which of an input's metadata its output keeps. The default keeps none of it: outputs carry only
/// the ICC profile their pixels need (codec/colour.hpp), never location, serial numbers or names.
struct KeepMetadata {
  bool exif = false;       ///< the EXIF block: orientation reset to 1 when the pixels were turned upright,
                           ///< the embedded thumbnail dropped (it shows the picture before processing)
  bool copyright = false;  ///< only EXIF Copyright and Artist, XMP dc:rights, dc:creator and xmpRights
  bool xmp = false;        ///< the XMP packet (tiff:Orientation reset as for EXIF)
  bool gps = false;        ///< location (EXIF's GPS IFD, XMP exif:GPS*) in what is kept; only when asked
  friend bool operator==(const KeepMetadata&, const KeepMetadata&) = default;
};

/// parses a comma-separated list of none, exif, copyright, xmp, gps, all (= exif, xmp and gps),
/// e.g. "exif,copyright". Throws UsageError naming a word that is none of these, and for gps without
/// exif, xmp or all (location is kept only inside a kept block).
KeepMetadata parse_keep_metadata(std::string_view list);

/// the metadata an output carries: `source.icc` as given (the profile its pixels are in), and the
/// EXIF and XMP `keep` asks for, rewritten with libexiv2 (orientation 1 when `upright`, i.e. when the
/// pixels were turned by their orientation; GPS removed unless keep.gps). A block libexiv2 cannot
/// parse is left out. Never throws for malformed metadata. Thread safe.
ImageMetadata metadata_to_keep(const ImageMetadata& source, const KeepMetadata& keep, bool upright);

}  // namespace imgpool::core
