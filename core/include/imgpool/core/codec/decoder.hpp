#pragma once
// Decoding encoded images in memory: header first (size, orientation) so that oversized images are
// refused and JPEGs are decoded at the smallest sufficient scale (shrink-on-load).
//
// Decode is told what to deliver (DecodeOptions::min_size), never asks back: a caller reads the header,
// works out the least size it needs (a pipeline's min_source_size), and passes that number.
//
// JPEG goes through TurboJPEG (scaled IDCT, optional gray output; progressive files at 1/8 through
// libjpeg's buffered mode, DC scans only); WebP through libwebp (scaled decode); PNG through
// libspng; TIFF through libtiff (its RGBA reader: every photometric kind, depth and layout, alpha
// kept straight); everything else through cv::imdecode. One file per decoder in core/src/codec/. Every result is 8-bit with 1 (gray), 3 (BGR) or 4 (BGRA) channels, or 2 (gray+alpha)
// when DecodeOptions::grayscale.
// All functions are thread safe.

#include <cstdint>
#include <filesystem>
#include <span>

#include <opencv2/core.hpp>

#include <imgpool/core/codec/format.hpp>
#include <imgpool/core/codec/metadata.hpp>

namespace imgpool::core {

using Size = cv::Size;

/// the default of DecodeOptions::max_pixels (and the CLI's --max-pixels): Pillow's decompression-bomb error threshold (2 × 89,478,485 pixels),
/// so that imgpool refuses what Pillow refuses. About 716 MB of BGRA.
inline constexpr std::uint64_t kDefaultMaxPixels = 178'956'970;

/// what the first bytes of an image say, without decoding pixels
struct ImageHeader {
  Format format = Format::Same;  ///< Same: not sniffed (OpenCV may still read it)
  Size size;                     ///< stored size (before orientation); 0×0 when the header is not read
  int orientation = 1;           ///< orientation 1..8 (JPEG APP1, PNG eXIf, WebP EXIF, TIFF Orientation; 1 otherwise)
  /// size after applying `orientation` (sides swapped for 5..8)
  Size oriented_size() const { return orientation >= 5 ? Size(size.height, size.width) : size; }
};

/// reads the header: JPEG via tjDecompressHeader3, PNG's IHDR, WebP via WebPGetFeatures, plus the
/// orientation each may carry (JPEG APP1, PNG eXIf wherever it is, WebP EXIF, TIFF's Orientation tag). Other formats get size 0×0. Throws ImageError for a malformed header, with
/// the text decode() gives for it.
ImageHeader read_header(std::span<const std::uint8_t> bytes);

/// a reduced-scale decode: TurboJPEG scaling factor num/denom, and the sizes involved
struct ShrinkOnLoadPlan {
  int num = 1;
  int denom = 1;
  Size decoded;  ///< size of the decoded image, in stored orientation
  /// set by decode(): a progressive JPEG at 1/8 was decoded from its DC scans only (its AC scans,
  /// most of the file, were never read; see core/src/codec/jpeg_dc.hpp)
  bool dc_only = false;
  bool shrinks() const { return num < denom; }
};

/// picks the smallest TurboJPEG scaling factor (n/8) whose decode of a `stored`-size JPEG is still at
/// least `min_oriented` (given after orientation; sides swapped for orientation 5..8) on both sides.
/// Never goes below the need; 1/1 when no factor < 1 qualifies.
ShrinkOnLoadPlan plan_shrink_on_load(Size stored, int orientation, Size min_oriented);

/// how to decode
struct DecodeOptions {
  bool auto_orient = true;                    ///< apply the stored orientation (JPEG, PNG, WebP, TIFF)
  std::uint64_t max_pixels = kDefaultMaxPixels;  ///< refuse larger images (header size); 0 = no limit
  /// only luminance is needed: one channel out (TurboJPEG decodes luma only); images with alpha keep
  /// it (gray+alpha or BGRA), for the grayscale operation to keep
  bool grayscale = false;
  /// shrink-on-load: the least size (after orientation) the decode must deliver; a JPEG is then
  /// decoded at the smallest sufficient scale (progressive ones at 1/8 from their DC scans only), a
  /// WebP at exactly that size (libwebp's scaled decode) when it is smaller on both sides. Empty: full
  /// size. The job passes its pipeline's min_source_size of the header's oriented size.
  Size min_size;
  /// the CMYK ICC profile file for CMYK JPEGs that embed none; empty: kDefaultCmykProfile (colour.hpp)
  std::filesystem::path cmyk_profile;
};

/// a decoded image and what it stands for
struct DecodedImage {
  cv::Mat image;         ///< 8-bit, 1/3/4 channels (gray/BGR/BGRA; 2, gray+alpha, when grayscale), oriented as asked
  Size full_size;        ///< the oriented size at full scale (equals image.size() unless shrunk)
  Format format = Format::Same;
  ShrinkOnLoadPlan plan; ///< the scale used (1/1 for non-JPEG; `decoded` is a scaled WebP's size)
  /// the file's ICC profile, EXIF and XMP as stored (JPEG, PNG, WebP); except that a CMYK JPEG, whose
  /// pixels are converted to sRGB while decoding (with its profile, or DecodeOptions::cmyk_profile),
  /// carries srgb_profile() as `icc`: the profile the pixels are in
  ImageMetadata metadata;
};

/// decodes `bytes`. Throws ImageError with a one-line reason: "not an image (unrecognised data)",
/// "corrupt JPEG: Premature end of JPEG file", "image is WxH (...), above max_pixels N", ...
/// JPEG warnings are errors (a truncated file fails instead of giving a grey half image), except
/// libjpeg's harmless "extraneous bytes before marker".
DecodedImage decode(std::span<const std::uint8_t> bytes, const DecodeOptions& options = {});

/// decode(bytes, options).image
cv::Mat decode_image(std::span<const std::uint8_t> bytes, const DecodeOptions& options = {});

}  // namespace imgpool::core
