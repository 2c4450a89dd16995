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
  Fill,    ///< the smallest size covering WxH that keeps the aspect, not cropped (ImageMagick's WxH^)
};

/// which images a resize touches (ImageMagick's WxH> and WxH<); the others are left as they are
enum class Only {
  Any,      ///< every image
  Shrink,   ///< only those it makes smaller: an image it would enlarge on either side is left as it is
  Enlarge,  ///< only those it makes larger: an image it would shrink on either side is left as it is
};

/// resize=WxH[,fit=exact|inside|cover|fill][,kernel=...], resize=Wx / resize=xH (other side keeps the
/// aspect), resize=P%. Resampled with `kernel` (antialiased Lanczos-3 by default; see Kernel).
/// ImageMagick's geometry flags may end the size: WxH! (fit=exact), WxH^ (fit=fill), and > or < (Only:
/// shrink or enlarge only; also after Wx, xH and P%). Unlike ImageMagick, a plain WxH is exact.
struct Resize {
  int width = 0;    ///< 0: computed from height keeping the aspect (percent == 0 only)
  int height = 0;   ///< 0: computed from width keeping the aspect
  int percent = 0;  ///< 1..1000 when the size is relative; width and height are then 0
  Fit fit = Fit::Exact;
  Only only = Only::Any;
  Kernel kernel = Kernel::Lanczos3;

  static constexpr std::string_view kName = "resize";
  static constexpr std::string_view kValueSyntax = "WxH | Wx | xH | P%, then ! ^ > <";
  static constexpr std::string_view kDescription =
      "scale to WxH (fit=exact|inside|cover), to a width or height keeping the aspect, or by a percentage";
  static constexpr std::array kParams{
      ParamInfo{"fit", "exact|inside|cover|fill",
                "with WxH: exactly WxH (default), the largest size inside WxH keeping the aspect, cover WxH "
                "keeping the aspect and crop the centre, or the smallest size covering WxH (no crop)"},
      kKernelParam,
  };
  static constexpr std::string_view kExample = "resize=800x600,fit=inside";

  /// builds one from a spec's value ("800x600") and key=value pairs; throws UsageError naming the bad part
  static Resize parse(std::string_view value, ParamList params);
  std::string spec() const;  ///< canonical spec, e.g. "resize=800x600,fit=inside,kernel=cubic" (default kernel left out)
  Size output_size(Size in) const;          ///< the size apply() returns for an input this large
  Size resample_size(Size in) const;        ///< the size the input is scaled to (before a cover crop)
  Size target_size(Size in) const;          ///< resample_size before `only` (what the size asks for)
  bool changes_geometry() const { return true; }
  bool needs_face_model() const { return false; }
  bool needs_colour() const { return false; }
  bool drops_colour() const { return false; }  ///< keeps the channels it is given
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;

 private:
  std::string kernel_param() const;  ///< ",kernel=K" unless the default
};

}  // namespace imgpool::core
