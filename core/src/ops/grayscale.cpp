#include <imgpool/core/ops/grayscale.hpp>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <imgpool/core/error.hpp>

#include "ops/params.hpp"

namespace imgpool::core {

Grayscale Grayscale::parse(std::string_view value, ParamList params) {
  detail::reject_unknown(params, kName, kParams);
  if (!value.empty()) throw UsageError(fmt::format("grayscale takes no value (got \"{}\")", value));
  return {};
}

cv::Mat Grayscale::apply(const cv::Mat& image, const OperationContext&) const {
  if (image.channels() <= 2) return image;  // gray, gray+alpha
  cv::Mat gray;
  cv::cvtColor(image, gray, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  if (image.channels() == 3) return gray;
  cv::Mat alpha, out;
  cv::extractChannel(image, alpha, 3);
  cv::merge(std::vector<cv::Mat>{gray, alpha}, out);
  return out;
}

}  // namespace imgpool::core
