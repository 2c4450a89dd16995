#pragma once
// Internal: the size arithmetic and resampling the operations share, so that all round alike.

#include <opencv2/core.hpp>

#include <imgpool/core/ops/kernel.hpp>
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

/// whether `image` has an alpha channel (2 or 4 channels, alpha last) that is not fully opaque
bool has_transparency(const cv::Mat& image);

/// `image` scaled to `target` with `kernel` (see Kernel); `image` itself when it already has that
/// size. Same type out as in. A large reduction with a convolution kernel first box-averages by a
/// whole factor that leaves at least 2x for the kernel (libvips' shrink-then-reduce, Pillow's
/// reducing_gap=2). An alpha channel that is not all opaque is resampled premultiplied (in float);
/// a pixel whose alpha rounds to 0 gets colour 0.
cv::Mat resample(const cv::Mat& image, Size target, Kernel kernel);

/// `image` resampled to `scaled` with `kernel`, then the `window` of it (a view, not a copy; all of
/// it when the window is the whole scaled image)
cv::Mat resample_then_crop(const cv::Mat& image, Size scaled, cv::Rect window, Kernel kernel);

}  // namespace imgpool::core::detail
