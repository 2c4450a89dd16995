#include <imgpool/core/ops/thumbnail.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>

#include "ops/geometry.hpp"
#include "ops/params.hpp"
#include "ops/smart_crop.hpp"

namespace imgpool::core {

Thumbnail Thumbnail::parse(std::string_view value, ParamList params) {
  detail::reject_unknown(params, kName, kParams);
  if (value.empty()) throw UsageError("thumbnail needs a size N (the NxN box)");
  Thumbnail t;
  t.size = detail::parse_int(value, "size", 1, detail::kMaxSide);
  for (const auto& [key, v] : params) {
    if (key == "kernel") {
      t.kernel = detail::parse_kernel(v);
      continue;
    }
    if (v == "none") {
      t.crop = Crop::None;
    } else if (v == "centre" || v == "center") {
      t.crop = Crop::Centre;
    } else if (v == "smart") {
      t.crop = Crop::Smart;
    } else {
      throw UsageError(fmt::format("crop \"{}\" is not one of none, centre, smart", v));
    }
  }
  return t;
}

std::string Thumbnail::spec() const {
  std::string s = fmt::format("thumbnail={}", size);
  if (crop == Crop::Centre) s += ",crop=centre";
  if (crop == Crop::Smart) s += ",crop=smart";
  if (kernel != Thumbnail{}.kernel) s += fmt::format(",kernel={}", kernel_name(kernel));
  return s;
}

Size Thumbnail::resample_size(Size in) const {
  const double kx = double(size) / in.width;
  const double ky = double(size) / in.height;
  if (crop == Crop::None) {
    if (in.width <= size && in.height <= size) return in;
    const Size s = detail::scaled_by(in, std::min(kx, ky));
    return {std::min(s.width, size), std::min(s.height, size)};
  }
  const double k = std::max(kx, ky);
  if (k >= 1.0) return in;  // never enlarge
  const Size s = detail::scaled_by(in, k);
  return {std::max(s.width, size), std::max(s.height, size)};
}

Size Thumbnail::output_size(Size in) const {
  const Size s = resample_size(in);
  if (crop == Crop::None) return s;
  return {std::min(s.width, size), std::min(s.height, size)};
}

cv::Rect Thumbnail::crop_window(const cv::Mat& image, const OperationContext& context) const {
  const Size logical = detail::logical_size(image, context);
  const Size scaled = resample_size(logical);
  const Size window = output_size(logical);
  if (crop != Crop::Smart || window == scaled) return detail::centred(scaled, window);
  if (context.models == nullptr || !context.models->face_detector) {
    throw ConfigError("thumbnail crop=smart needs the face model (load it with WorkerModels::load)");
  }
  return detail::smart_crop_window(image, scaled, window, *context.models->face_detector);
}

cv::Mat Thumbnail::apply(const cv::Mat& image, const OperationContext& context) const {
  const Size logical = detail::logical_size(image, context);
  return detail::resample_then_crop(image, resample_size(logical), crop_window(image, context), kernel);
}

}  // namespace imgpool::core
