#pragma once
// The grayscale operation: one channel of luminance, plus alpha when there is one.

#include <array>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core {

/// grayscale: one 8-bit channel of BT.601 luma (as cv::COLOR_BGR2GRAY); an image with alpha becomes
/// gray+alpha (2 channels, as Pillow's convert("LA")), which PNG writes as such, WebP and TIFF as BGRA,
/// and JPEG flattens onto the background.
struct Grayscale {
  static constexpr std::string_view kName = "grayscale";
  static constexpr std::string_view kValueSyntax = "";  // takes no value
  static constexpr std::string_view kDescription = "convert to luminance (keeps alpha)";
  static constexpr std::array<ParamInfo, 0> kParams{};
  static constexpr std::string_view kExample = "grayscale";

  /// builds one from a spec's value (must be empty) and key=value pairs (must be none); throws UsageError
  static Grayscale parse(std::string_view value, ParamList params);
  std::string spec() const { return std::string(kName); }
  Size output_size(Size in) const { return in; }
  Size resample_size(Size in) const { return in; }  ///< `in`: it does not resample
  bool changes_geometry() const { return false; }
  bool needs_face_model() const { return false; }
  bool needs_colour() const { return false; }
  bool drops_colour() const { return true; }  ///< what follows sees luminance only
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;
};

}  // namespace imgpool::core
