#pragma once
// Encoding images in memory: the pixels, the encoder settings peers offer, and the metadata to embed.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <imgpool/core/codec/format.hpp>
#include <imgpool/core/codec/metadata.hpp>

namespace imgpool::core {

/// the zlib level PNG outputs use: 6, zlib's and Pillow's default (OpenCV's own default, 1, writes
/// files about a third larger)
inline constexpr int kPngCompression = 6;

/// JPEG chroma subsampling: 4:2:0 (half width and height: the web's default, smallest), 4:2:2 (half
/// width), 4:4:4 (none: sharpest colour edges, largest)
enum class Chroma : std::uint8_t { S420, S422, S444 };

/// parses "420", "422", "444" (also "4:2:0" etc.). Throws UsageError naming the value.
Chroma parse_chroma(std::string_view text);

/// an 8-bit sRGB colour
struct Rgb {
  std::uint8_t r = 255, g = 255, b = 255;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

/// parses a colour: "#rrggbb", "rrggbb", "#rgb", "r,g,b" (0..255 each), or white, black, gray/grey.
/// Throws UsageError naming the value and the accepted forms.
Rgb parse_colour(std::string_view text);

/// how an image is encoded, besides its format
struct EncodeSettings {
  int quality = 85;              ///< JPEG/WebP quality 1..100 (PNG and TIFF are lossless: unused)
  Chroma chroma = Chroma::S420;  ///< JPEG chroma subsampling (gray images have none)
  bool progressive = false;      ///< JPEG: progressive scans (often a little smaller; decodes in passes)
  bool optimize = true;          ///< JPEG: optimised Huffman tables (about 5% smaller, costs little)
  Rgb background;                ///< what alpha is flattened onto where the format has none (JPEG): white
};

/// encodes an 8-bit gray, gray+alpha, BGR or BGRA image and embeds `metadata`'s blocks where the
/// format has a place for them (all but `orientation`, which is read from `exif` itself):
/// - JPEG (libjpeg): `settings`' quality, chroma, progressive and optimize; alpha flattened onto
///   `settings.background`; ICC in APP2 chunks, EXIF in APP1 "Exif", XMP in APP1.
/// - PNG (libspng): alpha kept, gray stays gray, zlib level kPngCompression; iCCP, eXIf, iTXt XMP.
/// - WebP (libwebp, lossy at quality): alpha kept; ICCP, EXIF and XMP chunks (libwebpmux).
/// - TIFF (OpenCV's writer): alpha kept; no metadata (TIFF outputs are untagged).
/// `settings.quality` must be 1..100 (UsageError, checked for every format); Format::Same is a
/// UsageError. Throws ImageError when the image cannot be encoded (e.g. larger than WebP's
/// 16383×16383, or an ICC profile over JPEG's 16 MB). Thread safe.
std::vector<std::uint8_t> encode(const cv::Mat& image, Format format, const EncodeSettings& settings,
                                 const ImageMetadata& metadata = {});

/// encode(image, format, {quality}) with the other settings at their defaults and no metadata
std::vector<std::uint8_t> encode(const cv::Mat& image, Format format, int quality);

}  // namespace imgpool::core
