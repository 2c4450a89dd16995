#pragma once
// Internal: the size arithmetic and resampling the operations share, so that all round alike.

#include <opencv2/core.hpp>

#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core::detail {

/// `x` rounded to the nearest whole pixel, at least 1
int rounded_side(double x);

/// `in` with both sides multiplied by `k`, each rounded, at least 1
Size scaled_by(Size in, double k);

/// the `inner`-sized rectangle in the middle of an `outer`-sized image (rounding towards the top left)
cv::Rect centred(Size outer, Size inner);

/// the size `image` stands for: the context's logical input, or the image's own size when unset
Size logical_size(const cv::Mat& image, const OperationContext& context);

/// `image` scaled to `target`: antialiased area averaging for reductions, bicubic for enlargements
/// (Pillow's defaults are alike); `image` itself when it already has that size
cv::Mat resample(const cv::Mat& image, Size target);

/// `image` resampled to `scaled`, then the `window` of it (a view, not a copy; all of it when the
/// window is the whole scaled image)
cv::Mat resample_then_crop(const cv::Mat& image, Size scaled, cv::Rect window);

}  // namespace imgpool::core::detail
