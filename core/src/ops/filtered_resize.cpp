#include "ops/filtered_resize.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

namespace {

double sinc(double x) {
  if (x == 0.0) return 1.0;
  x *= std::numbers::pi;
  return std::sin(x) / x;
}

// The kernels as Pillow defines them (libImaging/Resample.c), so that results are comparable.
double kernel_value(Kernel kernel, double x) {
  x = std::abs(x);
  switch (kernel) {
    case Kernel::Linear: return x < 1.0 ? 1.0 - x : 0.0;
    case Kernel::Cubic: {
      constexpr double a = -0.5;
      if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
      if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
      return 0.0;
    }
    case Kernel::Lanczos3: return x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
    default: return 0.0;
  }
}

double kernel_radius(Kernel kernel) {
  switch (kernel) {
    case Kernel::Linear: return 1.0;
    case Kernel::Cubic: return 2.0;
    case Kernel::Lanczos3: return 3.0;
    default: return 0.0;
  }
}

// For each output position along one axis: the first source index, how many taps, and their
// normalised weights (at `stride` floats per position).
struct Taps {
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;
  int stride = 0;
};

Taps taps_for(int in, int out, Kernel kernel) {
  const double scale = double(in) / out;
  const double filter_scale = std::max(1.0, scale);  // wider support when reducing: the antialiasing
  const double support = kernel_radius(kernel) * filter_scale;
  Taps taps;
  taps.stride = int(std::ceil(support)) * 2 + 1;
  taps.first.resize(out);
  taps.count.resize(out);
  taps.weights.assign(std::size_t(out) * taps.stride, 0.0f);
  std::vector<double> w(taps.stride);
  for (int x = 0; x < out; ++x) {
    const double centre = (x + 0.5) * scale;
    const int lo = std::max(0, int(std::floor(centre - support + 0.5)));
    const int hi = std::min(in, int(std::floor(centre + support + 0.5)));
    const int n = std::min(hi - lo, taps.stride);
    double sum = 0.0;
    for (int k = 0; k < n; ++k) {
      w[k] = kernel_value(kernel, (lo + k + 0.5 - centre) / filter_scale);
      sum += w[k];
    }
    taps.first[x] = lo;
    taps.count[x] = n;
    float* dst = &taps.weights[std::size_t(x) * taps.stride];
    for (int k = 0; k < n; ++k) dst[k] = float(sum != 0.0 ? w[k] / sum : 0.0);
  }
  return taps;
}

// Rows: each source row filtered along x into `out` (src.rows x target_width, float).
template <class T, int C>
void filter_rows(const cv::Mat& src, const Taps& taps, cv::Mat& out) {
  const int out_w = out.cols;
  for (int y = 0; y < src.rows; ++y) {
    const T* row = src.ptr<T>(y);
    float* dst = out.ptr<float>(y);
    for (int x = 0; x < out_w; ++x) {
      const T* s = row + std::ptrdiff_t(taps.first[x]) * C;
      const float* w = &taps.weights[std::size_t(x) * taps.stride];
      float acc[C] = {};
      for (int k = 0; k < taps.count[x]; ++k) {
        for (int c = 0; c < C; ++c) acc[c] += w[k] * float(s[k * C + c]);
      }
      for (int c = 0; c < C; ++c) dst[x * C + c] = acc[c];
    }
  }
}

// Columns: `src` (float) filtered along y into `out`.
void filter_columns(const cv::Mat& src, const Taps& taps, cv::Mat& out) {
  const int n = out.cols * out.channels();
  for (int y = 0; y < out.rows; ++y) {
    float* dst = out.ptr<float>(y);
    std::fill(dst, dst + n, 0.0f);
    const float* w = &taps.weights[std::size_t(y) * taps.stride];
    for (int k = 0; k < taps.count[y]; ++k) {
      const float* s = src.ptr<float>(taps.first[y] + k);
      const float wk = w[k];
      for (int i = 0; i < n; ++i) dst[i] += wk * s[i];
    }
  }
}

template <class T>
void filter_rows_any(const cv::Mat& src, const Taps& taps, cv::Mat& out) {
  switch (src.channels()) {
    case 1: return filter_rows<T, 1>(src, taps, out);
    case 2: return filter_rows<T, 2>(src, taps, out);
    case 3: return filter_rows<T, 3>(src, taps, out);
    case 4: return filter_rows<T, 4>(src, taps, out);
    default: throw ImageError("resampling takes 1 to 4 channels");
  }
}

}  // namespace

cv::Mat filtered_resize(const cv::Mat& src, cv::Size target, Kernel kernel) {
  const int channels = src.channels();
  if (channels < 1 || channels > 4) throw ImageError("resampling takes 1 to 4 channels");
  cv::Mat rows(src.rows, target.width, CV_32FC(channels));
  if (target.width == src.cols) {
    src.convertTo(rows, CV_32F);
  } else {
    const Taps taps = taps_for(src.cols, target.width, kernel);
    switch (src.depth()) {
      case CV_8U: filter_rows_any<std::uint8_t>(src, taps, rows); break;
      case CV_16U: filter_rows_any<std::uint16_t>(src, taps, rows); break;
      case CV_32F: filter_rows_any<float>(src, taps, rows); break;
      default: throw ImageError("resampling takes 8-bit, 16-bit or float pixels");
    }
  }
  if (target.height == src.rows) return rows;
  cv::Mat out(target, CV_32FC(channels));
  filter_columns(rows, taps_for(src.rows, target.height, kernel), out);
  return out;
}

}  // namespace imgpool::core::detail
