#include <imgpool/core/ops/resize.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

#include "ops/geometry.hpp"
#include "ops/params.hpp"

namespace imgpool::core {

using detail::parse_int;
using detail::rounded_side;
using detail::scaled_by;

Resize Resize::parse(std::string_view value, ParamList params) {
  detail::reject_unknown(params, kName, kParams);
  Resize r;
  if (value.empty()) throw UsageError("resize needs a size: WxH, Wx, xH or P%");
  if (value.back() == '%') {
    r.percent = parse_int(detail::trim(value.substr(0, value.size() - 1)), "percentage", 1, 1000);
  } else {
    const auto x = value.find_first_of("xX");
    if (x == std::string_view::npos) throw UsageError(fmt::format("size \"{}\" is not WxH, Wx, xH or P%", value));
    const auto w = detail::trim(value.substr(0, x));
    const auto h = detail::trim(value.substr(x + 1));
    if (w.empty() && h.empty()) throw UsageError("width and height missing");
    if (!w.empty()) r.width = parse_int(w, "width", 1, detail::kMaxSide);
    if (!h.empty()) r.height = parse_int(h, "height", 1, detail::kMaxSide);
  }
  for (const auto& [key, v] : params) {
    if (key == "kernel") {
      r.kernel = detail::parse_kernel(v);
      continue;
    }
    if (v == "exact") {
      r.fit = Fit::Exact;
    } else if (v == "inside") {
      r.fit = Fit::Inside;
    } else if (v == "cover") {
      r.fit = Fit::Cover;
    } else {
      throw UsageError(fmt::format("fit \"{}\" is not one of exact, inside, cover", v));
    }
    if (r.width == 0 || r.height == 0) {
      throw UsageError(fmt::format("fit={} needs both width and height (WxH)", v));
    }
  }
  return r;
}

std::string Resize::spec() const {
  std::string s;
  if (percent > 0) {
    s = fmt::format("resize={}%", percent);
  } else {
    s = fmt::format("resize={}x{}", width > 0 ? std::to_string(width) : std::string(),
                    height > 0 ? std::to_string(height) : std::string());
    if (width > 0 && height > 0 && fit != Fit::Exact) s += fit == Fit::Inside ? ",fit=inside" : ",fit=cover";
  }
  if (kernel != Resize{}.kernel) s += fmt::format(",kernel={}", kernel_name(kernel));
  return s;
}

Size Resize::resample_size(Size in) const {
  if (percent > 0) return scaled_by(in, percent / 100.0);
  if (height == 0) return {width, rounded_side(double(in.height) * width / in.width)};
  if (width == 0) return {rounded_side(double(in.width) * height / in.height), height};
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
  const Size logical = detail::logical_size(image, context);
  const Size scaled = resample_size(logical);
  return detail::resample_then_crop(image, scaled, detail::centred(scaled, output_size(logical)), kernel);
}

}  // namespace imgpool::core
