#pragma once
// Internal: the separable, antialiased convolution resampler behind Kernel::Linear, Cubic and Lanczos3.
//
// Written here because OpenCV has none: cv::resize's INTER_LINEAR, INTER_CUBIC and INTER_LANCZOS4 use
// a fixed window (2, 4, 8 taps) whatever the scale, so they alias on reduction; only INTER_AREA
// averages. This one widens the kernel's support by the reduction factor, as Pillow's and libvips'
// resamplers do.

#include <opencv2/core.hpp>

#include <imgpool/core/ops/kernel.hpp>

namespace imgpool::core::detail {

/// `src` (8U, 16U or 32F; 1 to 4 channels, processed alike) resampled to `target` with `kernel`
/// (Linear, Cubic or Lanczos3), as unrounded CV_32F with src's channel count and value scale.
/// Each axis is filtered on its own: a pass over rows, then over columns. Thread safe.
cv::Mat filtered_resize(const cv::Mat& src, cv::Size target, Kernel kernel);

}  // namespace imgpool::core::detail
