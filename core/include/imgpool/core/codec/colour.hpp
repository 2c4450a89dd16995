#pragma once
// Colour management with lcms2: the pixels of an image that embeds an ICC profile (JPEG APP2, PNG
// iCCP, WebP ICCP) are converted to sRGB by default, so that wide-gamut photos (Display P3, Adobe RGB,
// ProPhoto) keep their colours; CMYK JPEGs are converted with their profile, or a default CMYK profile.
// Untagged images are taken as sRGB and left alone.
//
// Rendering intent: relative colorimetric, without black-point compensation. Colours inside the
// destination gamut keep their measured value (ΔE ≈ 0, the faithful choice for photos moving to a
// wider-or-equal display space); colours outside are clipped to the nearest the gamut holds. For the
// matrix/tone-curve profiles cameras and phones embed, perceptual would give the same result (such
// profiles have no perceptual tables); libvips and sharp default to relative colorimetric too.

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace imgpool::core {

/// what happens to the colours of an image that embeds an ICC profile
enum class ColourHandling {
  ToSrgb,     ///< convert to sRGB and tag the output with imgpool's sRGB profile (the default)
  Keep,       ///< leave the pixels as stored and embed the source profile in the output
  ToProfile,  ///< convert to ColourOptions::output_profile and embed that profile
};

/// the CMYK profile used for CMYK JPEGs without one of their own (Ghostscript's default CMYK profile,
/// a SWOP-like press profile from Debian's libgs-common package)
inline constexpr const char* kDefaultCmykProfile = "/usr/share/color/icc/ghostscript/default_cmyk.icc";

/// colour-management options of a job
struct ColourOptions {
  ColourHandling handling = ColourHandling::ToSrgb;
  /// the RGB ICC profile file to convert to, for ColourHandling::ToProfile
  std::filesystem::path output_profile;
  /// the CMYK ICC profile file for CMYK JPEGs that embed none; empty: kDefaultCmykProfile
  std::filesystem::path cmyk_profile;
};

/// the profile imgpool tags converted outputs with: lcms2's built-in sRGB (ICC v4, parametric tone
/// curves, 588 bytes)
const std::vector<std::uint8_t>& srgb_profile();

/// the bytes of an ICC profile file, read once per process and kept (thread safe). Throws ConfigError
/// ("cannot use the ICC profile FILE: ...") when the file cannot be read or is not a profile.
const std::vector<std::uint8_t>& load_profile(const std::filesystem::path& path);

/// checks `options` before any file is touched: ToProfile needs an RGB `output_profile` (UsageError
/// when none is set, ConfigError when it is not a usable RGB profile); a set `cmyk_profile` must be
/// a CMYK profile (ConfigError).
void check_colour_options(const ColourOptions& options);

/// an image and the profile its pixels are in (empty: untagged, taken as sRGB)
struct ColouredImage {
  cv::Mat image;
  std::vector<std::uint8_t> profile;
};

/// converts `image` (8-bit gray, gray+alpha, BGR or BGRA; alpha is copied), whose pixels are in the
/// ICC profile `source` (empty: untagged sRGB), as `options` say. An untagged image is returned as is
/// (ToProfile converts it from sRGB). A profile that lcms cannot read, or whose colour space does not
/// match the pixels (an RGB profile on a gray image), is ignored: the image is taken as untagged.
/// Gray images stay gray: a gray profile converts to sRGB's tone curve (the result is untagged, as gray
/// outputs are). Transforms are built once per (profile, pixel layout) and kept per thread.
/// Throws ConfigError as load_profile for ToProfile's file. Thread safe.
ColouredImage convert_colour(cv::Mat image, std::span<const std::uint8_t> source, const ColourOptions& options);

}  // namespace imgpool::core
