#include <imgpool/core/ops/resize.hpp>

#include <algorithm>
#include <optional>

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
  const std::string_view given = value;
  std::optional<Fit> flag_fit;
  // ImageMagick's geometry flags, at the end, in any order: ! exact, ^ fill, > shrink only, < enlarge only
  while (!value.empty() && std::string_view("!^<>").find(value.back()) != std::string_view::npos) {
    const char flag = value.back();
    value.remove_suffix(1);
    if (flag == '>' || flag == '<') {
      const Only only = flag == '>' ? Only::Shrink : Only::Enlarge;
      if (r.only != Only::Any && r.only != only) throw UsageError(fmt::format("size \"{}\" has both > and <", given));
      r.only = only;
    } else {
      const Fit fit = flag == '!' ? Fit::Exact : Fit::Fill;
      if (flag_fit && *flag_fit != fit) throw UsageError(fmt::format("size \"{}\" has both ! and ^", given));
      flag_fit = fit;
    }
  }
  if (value.empty()) throw UsageError("resize needs a size: WxH, Wx, xH or P%");
  if (value.back() == '%') {
    if (flag_fit) throw UsageError(fmt::format("size \"{}\": ! and ^ go with WxH, not a percentage", given));
    r.percent = parse_int(detail::trim(value.substr(0, value.size() - 1)), "percentage", 1, 1000);
  } else {
    const auto x = value.find_first_of("xX");
    if (x == std::string_view::npos) throw UsageError(fmt::format("size \"{}\" is not WxH, Wx, xH or P%", given));
    const auto w = detail::trim(value.substr(0, x));
    const auto h = detail::trim(value.substr(x + 1));
    if (w.empty() && h.empty()) throw UsageError("width and height missing");
    if (!w.empty()) r.width = parse_int(w, "width", 1, detail::kMaxSide);
    if (!h.empty()) r.height = parse_int(h, "height", 1, detail::kMaxSide);
  }
  if (flag_fit) {
    if (r.width == 0 || r.height == 0) {
      throw UsageError(fmt::format("size \"{}\": ! and ^ need both width and height (WxH)", given));
    }
    r.fit = *flag_fit;
  }
  for (const auto& [key, v] : params) {
    if (key == "kernel") {
      r.kernel = detail::parse_kernel(v);
      continue;
    }
    Fit fit = Fit::Exact;
    if (v == "exact") {
      fit = Fit::Exact;
    } else if (v == "inside") {
      fit = Fit::Inside;
    } else if (v == "cover") {
      fit = Fit::Cover;
    } else if (v == "fill") {
      fit = Fit::Fill;
    } else {
      throw UsageError(fmt::format("fit \"{}\" is not one of exact, inside, cover, fill", v));
    }
    if (r.width == 0 || r.height == 0) {
      throw UsageError(fmt::format("fit={} needs both width and height (WxH)", v));
    }
    if (flag_fit && *flag_fit != fit) throw UsageError(fmt::format("size \"{}\" and fit={} disagree", given, v));
    r.fit = fit;
  }
  return r;
}

std::string Resize::spec() const {
  const std::string_view flag = only == Only::Shrink ? ">" : only == Only::Enlarge ? "<" : "";  // ends the size
  if (percent > 0) return fmt::format("resize={}%{}{}", percent, flag, kernel_param());
  std::string fit_param;
  if (width > 0 && height > 0 && fit != Fit::Exact) {
    fit_param = fit == Fit::Inside ? ",fit=inside" : fit == Fit::Cover ? ",fit=cover" : ",fit=fill";
  }
  return fmt::format("resize={}x{}{}{}{}", width > 0 ? std::to_string(width) : std::string(),
                     height > 0 ? std::to_string(height) : std::string(), flag, fit_param, kernel_param());
}

std::string Resize::kernel_param() const {
  return kernel != Resize{}.kernel ? fmt::format(",kernel={}", kernel_name(kernel)) : std::string();
}

namespace {
// what Only leaves alone: `to` would enlarge (Shrink) or shrink (Enlarge) `in` on either side
bool left_as_is(Only only, Size in, Size to) {
  if (only == Only::Shrink) return to.width > in.width || to.height > in.height;
  if (only == Only::Enlarge) return to.width < in.width || to.height < in.height;
  return false;
}
}  // namespace

Size Resize::resample_size(Size in) const {
  const Size to = target_size(in);
  return left_as_is(only, in, to) ? in : to;
}

Size Resize::target_size(Size in) const {
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
    case Fit::Cover:
    case Fit::Fill: {
      Size s = scaled_by(in, std::max(kx, ky));
      return {std::max(s.width, width), std::max(s.height, height)};
    }
  }
  return {width, height};
}

Size Resize::output_size(Size in) const {
  if (percent == 0 && width > 0 && height > 0 && fit == Fit::Cover && !left_as_is(only, in, target_size(in))) {
    return {width, height};
  }
  return resample_size(in);
}

cv::Mat Resize::apply(const cv::Mat& image, const OperationContext& context) const {
  const Size logical = detail::logical_size(image, context);
  const Size scaled = resample_size(logical);
  return detail::resample_then_crop(image, scaled, detail::centred(scaled, output_size(logical)), kernel);
}

}  // namespace imgpool::core
