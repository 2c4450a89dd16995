#include <imgpool/core/ops/operations.hpp>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>

#include "ops/smart_crop.hpp"

namespace imgpool::core {

namespace {

int side(double x) { return std::max(1, int(std::lround(x))); }

Size scaled_by(Size in, double k) { return {side(in.width * k), side(in.height * k)}; }

Size logical_of(const cv::Mat& image, const OperationContext& context) {
  return context.logical_input.empty() ? image.size() : context.logical_input;
}

// Antialiased area averaging for reductions, bicubic for enlargements (Pillow's defaults are alike).
cv::Mat resample(const cv::Mat& image, Size target) {
  if (image.size() == target) return image;
  cv::Mat out;
  const bool reduces = target.width <= image.cols && target.height <= image.rows;
  cv::resize(image, out, target, 0, 0, reduces ? cv::INTER_AREA : cv::INTER_CUBIC);
  return out;
}

cv::Rect centred(Size outer, Size inner) {
  return {(outer.width - inner.width) / 2, (outer.height - inner.height) / 2, inner.width, inner.height};
}

}  // namespace

// ---- resize ----------------------------------------------------------------------------------------

std::string Resize::spec() const {
  if (percent > 0) return fmt::format("resize={}%", percent);
  std::string s = fmt::format("resize={}x{}", width > 0 ? std::to_string(width) : std::string(),
                              height > 0 ? std::to_string(height) : std::string());
  if (width > 0 && height > 0 && fit != Fit::Exact) s += fit == Fit::Inside ? ",fit=inside" : ",fit=cover";
  return s;
}

Size Resize::resample_size(Size in) const {
  if (percent > 0) return scaled_by(in, percent / 100.0);
  if (height == 0) return {width, side(double(in.height) * width / in.width)};
  if (width == 0) return {side(double(in.width) * height / in.height), height};
  const double kx = double(width) / in.width;
  const double ky = double(height) / in.height;
  switch (fit) {
    case Fit::Exact: return {width, height};
    case Fit::Inside: {
      Size s = scaled_by(in, std::min(kx, ky));
      return {std::min(s.width, width), std::min(s.height, height)};
    }
    case Fit::Cover: {
      Size s = scaled_by(in, std::max(kx, ky));
      return {std::max(s.width, width), std::max(s.height, height)};
    }
  }
  return {width, height};
}

Size Resize::output_size(Size in) const {
  if (percent == 0 && width > 0 && height > 0 && fit == Fit::Cover) return {width, height};
  return resample_size(in);
}

cv::Mat Resize::apply(const cv::Mat& image, const OperationContext& context) const {
  const Size logical = logical_of(image, context);
  cv::Mat scaled = resample(image, resample_size(logical));
  const Size out = output_size(logical);
  if (scaled.size() == out) return scaled;
  return scaled(centred(scaled.size(), out));
}

// ---- grayscale -------------------------------------------------------------------------------------

std::string Grayscale::spec() const { return "grayscale"; }

cv::Mat Grayscale::apply(const cv::Mat& image, const OperationContext&) const {
  if (image.channels() == 1) return image;
  cv::Mat out;
  cv::cvtColor(image, out, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return out;
}

// ---- thumbnail -------------------------------------------------------------------------------------

std::string Thumbnail::spec() const {
  switch (crop) {
    case Crop::None: return fmt::format("thumbnail={}", size);
    case Crop::Centre: return fmt::format("thumbnail={},crop=centre", size);
    case Crop::Smart: return fmt::format("thumbnail={},crop=smart", size);
  }
  return fmt::format("thumbnail={}", size);
}

Size Thumbnail::resample_size(Size in) const {
  const double kx = double(size) / in.width;
  const double ky = double(size) / in.height;
  if (crop == Crop::None) {
    if (in.width <= size && in.height <= size) return in;
    const Size s = scaled_by(in, std::min(kx, ky));
    return {std::min(s.width, size), std::min(s.height, size)};
  }
  const double k = std::max(kx, ky);
  if (k >= 1.0) return in;  // never enlarge
  const Size s = scaled_by(in, k);
  return {std::max(s.width, size), std::max(s.height, size)};
}

Size Thumbnail::output_size(Size in) const {
  const Size s = resample_size(in);
  if (crop == Crop::None) return s;
  return {std::min(s.width, size), std::min(s.height, size)};
}

cv::Rect Thumbnail::crop_window(const cv::Mat& image, const OperationContext& context) const {
  const Size logical = logical_of(image, context);
  const Size scaled = resample_size(logical);
  const Size window = output_size(logical);
  if (crop != Crop::Smart || window == scaled) return centred(scaled, window);
  if (context.models == nullptr || !context.models->face_detector) {
    throw ConfigError("thumbnail crop=smart needs the face model (load it with WorkerModels::load)");
  }
  return detail::smart_crop_window(image, scaled, window, *context.models->face_detector);
}

cv::Mat Thumbnail::apply(const cv::Mat& image, const OperationContext& context) const {
  const Size logical = logical_of(image, context);
  const cv::Rect window = crop_window(image, context);
  cv::Mat scaled = resample(image, resample_size(logical));
  if (window.size() == scaled.size()) return scaled;
  return scaled(window);
}

}  // namespace imgpool::core
