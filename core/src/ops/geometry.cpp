#include "ops/geometry.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace imgpool::core::detail {

int rounded_side(double x) { return std::max(1, int(std::lround(x))); }

Size scaled_by(Size in, double k) { return {rounded_side(in.width * k), rounded_side(in.height * k)}; }

cv::Rect centred(Size outer, Size inner) {
  return {(outer.width - inner.width) / 2, (outer.height - inner.height) / 2, inner.width, inner.height};
}

Size logical_size(const cv::Mat& image, const OperationContext& context) {
  return context.logical_input.empty() ? image.size() : context.logical_input;
}

cv::Mat resample(const cv::Mat& image, Size target) {
  if (image.size() == target) return image;
  cv::Mat out;
  const bool reduces = target.width <= image.cols && target.height <= image.rows;
  cv::resize(image, out, target, 0, 0, reduces ? cv::INTER_AREA : cv::INTER_CUBIC);
  return out;
}

cv::Mat resample_then_crop(const cv::Mat& image, Size scaled, cv::Rect window) {
  cv::Mat out = resample(image, scaled);
  if (window.size() == out.size()) return out;
  return out(window);
}

}  // namespace imgpool::core::detail
