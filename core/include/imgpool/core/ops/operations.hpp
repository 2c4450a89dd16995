#pragma once
// The image operations: small value types with a name, declared parameters, the geometry they produce
// and apply(). Parse them from specs through operation.hpp's table; construct them directly when embedding.

#include <string>
#include <string_view>

#include <opencv2/core.hpp>

namespace imgpool::core {

using Size = cv::Size;
struct WorkerModels;

/// what an operation may use besides its input image
struct OperationContext {
  /// per-worker models (face detector); may be null when the pipeline needs none
  const WorkerModels* models = nullptr;
  /// the size the input stands for. Equal to the image's size except for the first operation after
  /// shrink-on-load, where the image is a reduced-scale decode of an image this large; operations
  /// compute their geometry from it so that the output does not depend on the decode scale.
  Size logical_input;
};

/// how resize=WxH treats the aspect ratio
enum class Fit {
  Exact,   ///< exactly WxH, aspect not kept (like Pillow's Image.resize)
  Inside,  ///< the largest size within WxH that keeps the aspect (may enlarge)
  Cover,   ///< scale to cover WxH keeping the aspect, then crop the centre to exactly WxH
};

/// resize=WxH[,fit=exact|inside|cover], resize=Wx / resize=xH (other side keeps the aspect), resize=P%.
/// Downscales use cv::INTER_AREA (antialiased), enlargements cv::INTER_CUBIC.
struct Resize {
  int width = 0;    ///< 0: computed from height keeping the aspect (percent == 0 only)
  int height = 0;   ///< 0: computed from width keeping the aspect
  int percent = 0;  ///< 1..1000 when the size is relative; width and height are then 0
  Fit fit = Fit::Exact;

  static constexpr std::string_view kName = "resize";
  static constexpr std::string_view kDescription = "scale to a size or a percentage";
  std::string spec() const;                 ///< canonical spec, e.g. "resize=800x600,fit=inside"
  Size output_size(Size in) const;          ///< the size apply() returns for an input this large
  Size resample_size(Size in) const;        ///< the size the input is scaled to (before a cover crop)
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;
};

/// grayscale: one 8-bit channel (BT.601 luma, as cv::COLOR_BGR2GRAY). Alpha is dropped, like Pillow's
/// convert("L"); a JPEG output cannot carry it anyway.
struct Grayscale {
  static constexpr std::string_view kName = "grayscale";
  static constexpr std::string_view kDescription = "convert to one-channel luminance (drops alpha)";
  std::string spec() const;
  Size output_size(Size in) const { return in; }
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;
};

/// how thumbnail=N fills its N×N box
enum class Crop {
  None,    ///< fit inside the box, keep the aspect (like Pillow's Image.thumbnail)
  Centre,  ///< scale to cover the box, then take the centre N×N
  Smart,   ///< scale to cover the box, then take the N×N window centred on the faces found (Haar
           ///< cascade); with no face, the window with the most edge energy (Sobel magnitude)
};

/// thumbnail=N[,crop=none|centre|smart]: never enlarges. With a crop the output is N×N, or
/// min(N, scaled side) on a side where the image is smaller than the box.
struct Thumbnail {
  int size = 0;  ///< N, 1..65535
  Crop crop = Crop::None;

  static constexpr std::string_view kName = "thumbnail";
  static constexpr std::string_view kDescription = "fit an NxN box keeping the aspect, never enlarging; optionally crop to it";
  std::string spec() const;
  Size output_size(Size in) const;
  Size resample_size(Size in) const;
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;
  /// the window apply() keeps, in the coordinates of the input scaled to resample_size(logical
  /// input); `image` is the unscaled input (smart crop looks for faces in it). The whole scaled image
  /// for Crop::None. Public so that tests and callers can see where a smart crop lands.
  cv::Rect crop_window(const cv::Mat& image, const OperationContext& context) const;
};

}  // namespace imgpool::core
