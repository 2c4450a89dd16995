#include "ops/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <opencv2/imgproc.hpp>

#include "ops/filtered_resize.hpp"

namespace imgpool::core::detail {

int rounded_side(double x) { return std::max(1, int(std::lround(x))); }

Size scaled_by(Size in, double k) { return {rounded_side(in.width * k), rounded_side(in.height * k)}; }

cv::Rect centred(Size outer, Size inner) {
  return {(outer.width - inner.width) / 2, (outer.height - inner.height) / 2, inner.width, inner.height};
}

Size logical_size(const cv::Mat& image, const OperationContext& context) {
  return context.logical_input.empty() ? image.size() : context.logical_input;
}

namespace {

// What the box pre-reduction leaves the convolution kernel, at least (Pillow's reducing_gap).
constexpr double kReducingGap = 2.0;

template <class T>
constexpr double full_alpha() {
  if constexpr (std::is_floating_point_v<T>) {
    return 1.0;
  } else {
    return double(std::numeric_limits<T>::max());
  }
}

template <class T>
bool any_transparent(const cv::Mat& image) {
  const int c = image.channels();
  const T opaque = T(full_alpha<T>());
  for (int y = 0; y < image.rows; ++y) {
    const T* p = image.ptr<T>(y) + (c - 1);
    for (int x = 0; x < image.cols; ++x) {
      if (p[std::ptrdiff_t(x) * c] < opaque) return true;  // stops at the first one: opaque images pay one read
    }
  }
  return false;
}

// colour times alpha / full, in float; alpha kept as is
template <class T>
cv::Mat premultiplied(const cv::Mat& image) {
  const int c = image.channels();
  const float inv_full = float(1.0 / full_alpha<T>());
  cv::Mat out(image.size(), CV_32FC(c));
  for (int y = 0; y < image.rows; ++y) {
    const T* s = image.ptr<T>(y);
    float* d = out.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x, s += c, d += c) {
      const float a = float(s[c - 1]);
      const float k = a * inv_full;
      for (int i = 0; i < c - 1; ++i) d[i] = float(s[i]) * k;
      d[c - 1] = a;
    }
  }
  return out;
}

// back from premultiplied float to T, rounded; where alpha rounds to 0 the colour is 0
template <class T>
cv::Mat unpremultiplied(const cv::Mat& image) {
  const int c = image.channels();
  const float full = float(full_alpha<T>());
  cv::Mat out(image.size(), CV_MAKETYPE(cv::DataType<T>::depth, c));
  for (int y = 0; y < image.rows; ++y) {
    const float* s = image.ptr<float>(y);
    T* d = out.ptr<T>(y);
    for (int x = 0; x < image.cols; ++x, s += c, d += c) {
      const float a = std::clamp(s[c - 1], 0.0f, full);
      const T a_out = cv::saturate_cast<T>(a);
      if (a_out == T(0)) {
        for (int i = 0; i < c; ++i) d[i] = T(0);
        continue;
      }
      const float k = full / a;
      for (int i = 0; i < c - 1; ++i) d[i] = cv::saturate_cast<T>(std::clamp(s[i] * k, 0.0f, full));
      d[c - 1] = a_out;
    }
  }
  return out;
}

cv::Mat premultiplied_any(const cv::Mat& image) {
  switch (image.depth()) {
    case CV_8U: return premultiplied<std::uint8_t>(image);
    case CV_16U: return premultiplied<std::uint16_t>(image);
    default: return premultiplied<float>(image);
  }
}

cv::Mat unpremultiplied_as(const cv::Mat& image, int depth) {
  switch (depth) {
    case CV_8U: return unpremultiplied<std::uint8_t>(image);
    case CV_16U: return unpremultiplied<std::uint16_t>(image);
    default: return unpremultiplied<float>(image);
  }
}

// The whole factor (>= 1) a side of `in` can be box-reduced by and still leave kReducingGap x `out`.
int box_factor(int in, int out) { return std::max(1, int(std::floor(double(in) / out / kReducingGap))); }

}  // namespace

bool has_transparency(const cv::Mat& image) {
  if (image.channels() != 2 && image.channels() != 4) return false;
  switch (image.depth()) {
    case CV_8U: return any_transparent<std::uint8_t>(image);
    case CV_16U: return any_transparent<std::uint16_t>(image);
    case CV_32F: return any_transparent<float>(image);
    default: return false;
  }
}

cv::Mat resample(const cv::Mat& image, Size target, Kernel kernel) {
  if (image.size() == target) return image;
  cv::Mat out;
  if (kernel == Kernel::Nearest) {  // picks pixels, mixes none: nothing can bleed
    cv::resize(image, out, target, 0, 0, cv::INTER_NEAREST);
    return out;
  }
  const bool reduces = target.width <= image.cols && target.height <= image.rows;
  if (kernel == Kernel::Area && !reduces) kernel = Kernel::Cubic;
  const int depth = image.depth();
  const bool supported = depth == CV_8U || depth == CV_16U || depth == CV_32F;
  if (!supported) {  // the decoders give none of these; resample without the alpha care
    cv::resize(image, out, target, 0, 0, kernel == Kernel::Area ? cv::INTER_AREA : cv::INTER_CUBIC);
    return out;
  }
  const bool premultiply = has_transparency(image);
  cv::Mat work = premultiply ? premultiplied_any(image) : image;
  if (kernel == Kernel::Area) {
    cv::resize(work, out, target, 0, 0, cv::INTER_AREA);
    return premultiply ? unpremultiplied_as(out, depth) : out;
  }
  const int fx = box_factor(work.cols, target.width);
  const int fy = box_factor(work.rows, target.height);
  if (fx > 1 || fy > 1) {
    cv::Mat shrunk;
    cv::resize(work, shrunk, Size(rounded_side(double(work.cols) / fx), rounded_side(double(work.rows) / fy)), 0, 0,
               cv::INTER_AREA);
    work = shrunk;
  }
  const cv::Mat filtered = filtered_resize(work, target, kernel);
  if (premultiply) return unpremultiplied_as(filtered, depth);
  filtered.convertTo(out, depth);  // rounds and saturates
  return out;
}

cv::Mat resample_then_crop(const cv::Mat& image, Size scaled, cv::Rect window, Kernel kernel) {
  cv::Mat out = resample(image, scaled, kernel);
  if (window.size() == out.size()) return out;
  return out(window);
}

}  // namespace imgpool::core::detail
