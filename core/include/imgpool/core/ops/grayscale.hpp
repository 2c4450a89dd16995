#pragma once
// The grayscale operation: one channel of luminance.

#include <array>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core {

/// grayscale: one 8-bit channel (BT.601 luma, as cv::COLOR_BGR2GRAY). Alpha is dropped, like Pillow's
/// convert("L"); a JPEG output cannot carry it anyway.
struct Grayscale {
  static constexpr std::string_view kName = "grayscale";
  static constexpr std::string_view kValueSyntax = "";  // takes no value
  static constexpr std::string_view kDescription = "convert to one-channel luminance (drops alpha)";
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
