#pragma once
// The resampling kernels resize and thumbnail offer (their kernel=... parameter).

#include <optional>
#include <string_view>

#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core {

/// how an operation that scales computes its output pixels. All but `Nearest` and `Area` are
/// separable convolutions whose support widens with the reduction factor (antialiased, as Pillow's and
/// libvips' resamplers). Images with an alpha channel (2 or 4 channels, alpha last) are resampled
/// premultiplied, so colour under transparent pixels never bleeds into visible ones.
enum class Kernel {
  Nearest,   ///< the nearest source pixel (no averaging: blocky, fastest)
  Linear,    ///< triangle filter (bilinear when enlarging)
  Cubic,     ///< Catmull-Rom-like cubic, a = -0.5 (Pillow's BICUBIC)
  Lanczos3,  ///< windowed sinc of 3 lobes: the sharpest without visible ringing; the default
  Area,      ///< box average (cv::INTER_AREA) when reducing, cubic when enlarging: the old default
};

/// the kernel=... parameter as resize and thumbnail declare it
inline constexpr ParamInfo kKernelParam{
    "kernel", "nearest|linear|cubic|lanczos3|area",
    "resampling kernel: lanczos3 (default; sharpest, antialiased), cubic, linear, area (box average), nearest"};

/// the word a spec uses for `kernel`, e.g. "lanczos3"
std::string_view kernel_name(Kernel kernel);

/// the kernel a spec word names ("nearest", "linear", "cubic", "lanczos3", "area"), or none
std::optional<Kernel> kernel_from_name(std::string_view name);

}  // namespace imgpool::core
