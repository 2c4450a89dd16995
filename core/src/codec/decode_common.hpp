#pragma once
// Internal to codec/: what the per-format decoders share, and the decoders themselves. decode()
// (decoder.cpp) sniffs the format and calls one of them; read_header() uses their header readers.
// Orientation lives in one place, decode(): the decoders of formats that store an orientation (JPEG,
// PNG, WebP, TIFF) return pixels, full_size and the plan in STORED orientation, and are given min_size in
// stored orientation too; decode() turns the result.

#include <cstdint>
#include <filesystem>
#include <span>

#include <opencv2/core.hpp>

#include <imgpool/core/codec/decoder.hpp>

namespace imgpool::core::detail {

/// throws ImageError("image is WxH (...), above max_pixels N") when `size` has more than `max_pixels`
/// pixels (0 = no limit)
void check_pixels(Size size, std::uint64_t max_pixels);

/// `image` turned by EXIF `orientation` (1..8), with the same transforms as OpenCV's ExifTransform
cv::Mat oriented(cv::Mat image, int orientation);

/// `image` as 8-bit gray, BGR or BGRA; when `grayscale`, colour without alpha becomes gray and images
/// with alpha keep it (gray+alpha, BGRA); throws ImageError above 4 channels
cv::Mat to_8bit(cv::Mat image, bool grayscale);

/// the result of a decoder that scales by size, not by a JPEG factor: `image` as to_8bit(image,
/// grayscale), in `format`, standing for `full_size`, decoded at `decoded` (plan 1/1)
DecodedImage decoded_result(Format format, cv::Mat image, Size full_size, Size decoded, bool grayscale);

/// a JPEG's stored size from its SOF (TurboJPEG's header reader); throws ImageError when malformed
Size jpeg_size(std::span<const std::uint8_t> bytes);
/// What the header of a format OpenCV decodes here (BMP, PNM, PAM, PFM, Sun raster, Radiance HDR,
/// JPEG 2000) claims, read without decoding: the size (empty for other formats, or a header too short
/// to say) and the largest sample value where the format states one (a PNM's maxval, 2^precision - 1
/// for JPEG 2000 up to 16 bits; 0 otherwise).
struct RasterHeader {
  Size size;
  int sample_max = 0;
};
RasterHeader raster_header(std::span<const std::uint8_t> bytes);
bool is_jpeg2000(std::span<const std::uint8_t> bytes);
/// a PNG's size from its IHDR; throws ImageError when it is missing or impossible
Size png_size(std::span<const std::uint8_t> bytes);

/// the orientation in a PNG's eXIf chunk (wherever it is: it may follow the image data), by a walk over
/// the chunk headers without inflating anything; 1 when there is none
int png_exif_orientation(std::span<const std::uint8_t> bytes);

/// the metadata of PNG / WebP data (read_metadata's per-format parts); lenient, never throw for bad data
ImageMetadata png_metadata(std::span<const std::uint8_t> bytes);
ImageMetadata webp_metadata(std::span<const std::uint8_t> bytes);
/// the metadata of JPEG data (metadata.cpp)
ImageMetadata jpeg_metadata(std::span<const std::uint8_t> bytes);

/// whether a JPEG carries Adobe's APP14 marker: its CMYK samples are then stored inverted (Photoshop's
/// convention, which ImageMagick follows too)
bool jpeg_has_adobe_marker(std::span<const std::uint8_t> jpeg);

/// `cmyk` (8-bit, 4 channels, inverted as Adobe stores it when `inverted`) converted to sRGB BGR with
/// lcms: through `embedded` when it is a usable CMYK profile, else through the profile file `fallback`
/// (empty: kDefaultCmykProfile). Throws ConfigError when that file cannot be used (colour.cpp).
cv::Mat cmyk_to_bgr(const cv::Mat& cmyk, bool inverted, std::span<const std::uint8_t> embedded,
                    const std::filesystem::path& fallback);

/// a TIFF's first image: its stored size and Orientation tag (1..8); throws ImageError when libtiff
/// cannot read its header
struct TiffHeader {
  Size size;
  int orientation = 1;
};
TiffHeader tiff_header(std::span<const std::uint8_t> bytes);
/// a TIFF's ICC profile and XMP packet, and its orientation; lenient
ImageMetadata tiff_metadata(std::span<const std::uint8_t> bytes);

/// the decoders, each for data of its format (see decode() for what they promise; pixels in stored
/// orientation, `options.min_size` given in stored orientation)
DecodedImage decode_jpeg(std::span<const std::uint8_t> bytes, const DecodeOptions& options);
DecodedImage decode_png(std::span<const std::uint8_t> bytes, const DecodeOptions& options);
DecodedImage decode_webp(std::span<const std::uint8_t> bytes, const DecodeOptions& options);
DecodedImage decode_tiff(std::span<const std::uint8_t> bytes, const DecodeOptions& options);
/// BMP, PNM, ... through OpenCV's imgcodecs (`format` as sniffed, Same when unknown)
DecodedImage decode_with_opencv(std::span<const std::uint8_t> bytes, const DecodeOptions& options, Format format);
/// cv::imdecode with imgpool's error texts ("not an image (unrecognised data)", "corrupt TIFF ...")
cv::Mat opencv_decode(std::span<const std::uint8_t> bytes, int flags, Format format);

}  // namespace imgpool::core::detail
