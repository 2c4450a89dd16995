#pragma once
// The resize operation: scale to a size or by a percentage.

#include <array>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include <imgpool/core/ops/kernel.hpp>
#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core {

/// how resize=WxH treats the aspect ratio
enum class Fit {
  Exact,   ///< exactly WxH, aspect not kept (like Pillow's Image.resize)
  Inside,  ///< the largest size within WxH that keeps the aspect (may enlarge)
  Cover,   ///< scale to cover WxH keeping the aspect, then crop the centre to exactly WxH
};

/// resize=WxH[,fit=exact|inside|cover][,kernel=...], resize=Wx / resize=xH (other side keeps the
/// aspect), resize=P%. Resampled with `kernel` (antialiased Lanczos-3 by default; see Kernel).
struct Resize {
  int width = 0;    ///< 0: computed from height keeping the aspect (percent == 0 only)
  int height = 0;   ///< 0: computed from width keeping the aspect
  int percent = 0;  ///< 1..1000 when the size is relative; width and height are then 0
  Fit fit = Fit::Exact;
  Kernel kernel = Kernel::Lanczos3;

  static constexpr std::string_view kName = "resize";
  static constexpr std::string_view kValueSyntax = "WxH | Wx | xH | P%";
  static constexpr std::string_view kDescription =
      "scale to WxH (fit=exact|inside|cover), to a width or height keeping the aspect, or by a percentage";
  static constexpr std::array kParams{
      ParamInfo{"fit", "exact|inside|cover",
                "with WxH: exactly WxH (default), the largest size inside WxH keeping the aspect, or "
                "cover WxH keeping the aspect and crop the centre"},
      kKernelParam,
  };
  static constexpr std::string_view kExample = "resize=800x600,fit=inside";

  /// builds one from a spec's value ("800x600") and key=value pairs; throws UsageError naming the bad part
  static Resize parse(std::string_view value, ParamList params);
  std::string spec() const;  ///< canonical spec, e.g. "resize=800x600,fit=inside,kernel=cubic" (default kernel left out)
  Size output_size(Size in) const;          ///< the size apply() returns for an input this large
  Size resample_size(Size in) const;        ///< the size the input is scaled to (before a cover crop)
  bool changes_geometry() const { return true; }
  bool needs_face_model() const { return false; }
  bool needs_colour() const { return false; }
  bool drops_colour() const { return false; }  ///< keeps the channels it is given
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;
};

}  // namespace imgpool::core
