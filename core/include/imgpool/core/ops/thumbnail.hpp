#pragma once
// The thumbnail operation: fit a square box, optionally cropped to fill it.

#include <array>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include <imgpool/core/ops/kernel.hpp>
#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core {

/// how thumbnail=N fills its N×N box
enum class Crop {
  None,    ///< fit inside the box, keep the aspect (like Pillow's Image.thumbnail)
  Centre,  ///< scale to cover the box, then take the centre N×N
  Smart,   ///< scale to cover the box, then take the N×N window centred on the faces found (Haar
           ///< cascade); with no face, the window with the most edge energy (Sobel magnitude)
};

/// thumbnail=N[,crop=none|centre|smart][,kernel=...]: never enlarges. Resampled with `kernel`
/// (antialiased Lanczos-3 by default; see Kernel). With a crop the output is N×N, or
/// min(N, scaled side) on a side where the image is smaller than the box.
struct Thumbnail {
  int size = 0;  ///< N, 1..65535
  Crop crop = Crop::None;
  Kernel kernel = Kernel::Lanczos3;

  static constexpr std::string_view kName = "thumbnail";
  static constexpr std::string_view kValueSyntax = "N";
  static constexpr std::string_view kDescription =
      "fit an NxN box keeping the aspect, never enlarging; crop=centre|smart fills it";
  static constexpr std::array kParams{
      ParamInfo{"crop", "none|centre|center|smart",
                "none (default): fit inside NxN; centre: exactly NxN from the middle; smart: exactly NxN "
                "centred on faces (Haar cascade), else on the busiest region"},
      kKernelParam,
  };
  static constexpr std::string_view kExample = "thumbnail=256,crop=smart";

  /// builds one from a spec's value ("256") and key=value pairs; throws UsageError naming the bad part
  static Thumbnail parse(std::string_view value, ParamList params);
  std::string spec() const;  ///< canonical spec, e.g. "thumbnail=256,crop=centre,kernel=area" (default kernel left out)
  Size output_size(Size in) const;          ///< the size apply() returns for an input this large
  Size resample_size(Size in) const;        ///< the size the input is scaled to (before the crop)
  bool changes_geometry() const { return true; }
  bool needs_face_model() const { return crop == Crop::Smart; }
  bool needs_colour() const { return false; }
  bool drops_colour() const { return false; }  ///< keeps the channels it is given
  /// throws ConfigError for crop=smart when the context has no face model
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;
  /// the window apply() keeps, in the coordinates of the input scaled to resample_size(logical
  /// input); `image` is the unscaled input (smart crop looks for faces in it). The whole scaled image
  /// for Crop::None. Public so that tests and callers can see where a smart crop lands.
  cv::Rect crop_window(const cv::Mat& image, const OperationContext& context) const;
};

}  // namespace imgpool::core
