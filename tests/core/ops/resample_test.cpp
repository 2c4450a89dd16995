// Resampling as every operation that scales does it (ops/geometry): alpha, kernels, fidelity.

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "ops/geometry.hpp"
#include "run_operation.hpp"

namespace imgpool::core {
namespace {

using test::run;

// A white disc on a transparent ground whose hidden colour is `garbage` (alpha last).
cv::Mat disc_on_transparent(int side, int channels, const cv::Scalar& garbage) {
  cv::Mat image(side, side, CV_8UC(channels), garbage);  // alpha (last) 0 from the Scalar
  cv::Scalar white = cv::Scalar::all(255);
  cv::circle(image, {side / 2, side / 2}, side / 3, white, cv::FILLED, cv::LINE_8);  // hard edge: no partly white pixel
  return image;
}

// Every pixel that is not fully transparent must show the disc's white, not the hidden colour.
void expect_no_halo(const cv::Mat& out, const std::string& what) {
  const int c = out.channels();
  int visible = 0;
  for (int y = 0; y < out.rows; ++y) {
    const std::uint8_t* p = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < out.cols; ++x, p += c) {
      if (p[c - 1] == 0) {
        for (int i = 0; i < c - 1; ++i) ASSERT_EQ(p[i], 0) << what << " at " << x << "," << y << ": colour under alpha 0";
        continue;
      }
      ++visible;
      for (int i = 0; i < c - 1; ++i) {
        ASSERT_GE(p[i], 253) << what << " at " << x << "," << y << " alpha " << int(p[c - 1]);
      }
    }
  }
  EXPECT_GT(visible, 0) << what;
}

TEST(resample, alpha_hides_the_colour_under_transparent_pixels) {
  const std::vector<std::string> kernels{"linear", "cubic", "lanczos3", "area"};
  for (const int channels : {4, 2}) {
    // pure red (BGRA) or black (gray+alpha) under alpha 0
    const cv::Mat image = disc_on_transparent(301, channels, channels == 4 ? cv::Scalar(0, 0, 255, 0) : cv::Scalar(0, 0));
    for (const std::string& k : kernels) {
      for (const char* size : {"150x150", "77x77", "31x31", "10x10", "400x400", "777x777"}) {
        const std::string spec = std::string("resize=") + size + ",kernel=" + k;
        const cv::Mat out = run(spec, image);
        ASSERT_EQ(out.channels(), channels);
        expect_no_halo(out, spec + " on " + std::to_string(channels) + " channels");
      }
      expect_no_halo(run("thumbnail=64,crop=centre,kernel=" + k, image), "thumbnail, " + k);
    }
  }
}

TEST(resample, opaque_alpha_resamples_like_no_alpha) {
  // the premultiplied path is skipped for an all-255 alpha: the colour comes out as without alpha
  const cv::Mat bgr = test::corner_image(300, 200);
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  EXPECT_FALSE(detail::has_transparency(bgra));
  const cv::Mat a = run("resize=97x61", bgr);
  cv::Mat b;
  cv::cvtColor(run("resize=97x61", bgra), b, cv::COLOR_BGRA2BGR);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0);
}

TEST(resample, every_kernel_keeps_a_flat_image_flat) {
  const cv::Mat grey(123, 77, CV_8UC3, cv::Scalar(40, 128, 220));
  for (const char* k : {"nearest", "linear", "cubic", "lanczos3", "area"}) {
    for (const char* size : {"30x20", "300x200", "77x123"}) {
      const cv::Mat out = run(std::string("resize=") + size + ",kernel=" + k, grey);
      cv::Mat diff;
      cv::absdiff(out, cv::Scalar(40, 128, 220), diff);
      EXPECT_EQ(cv::norm(diff, cv::NORM_INF), 0) << k << " " << size;
    }
  }
}

// An independent reference: antialiased Lanczos-3 computed directly in double for each output pixel
// (2-D sum, no separable passes, no box pre-reduction).
cv::Mat lanczos3_reference(const cv::Mat& gray, cv::Size out) {
  const auto lanczos = [](double x) {
    x = std::abs(x);
    if (x >= 3.0) return 0.0;
    if (x < 1e-12) return 1.0;
    const double px = std::numbers::pi * x;
    return 3.0 * std::sin(px) * std::sin(px / 3.0) / (px * px);
  };
  const auto weights = [&](int in, int n, int i, int& first) {
    const double scale = double(in) / n;
    const double fs = std::max(1.0, scale);
    const double centre = (i + 0.5) * scale;
    first = std::max(0, int(std::floor(centre - 3 * fs)));
    const int last = std::min(in - 1, int(std::ceil(centre + 3 * fs)));
    std::vector<double> w;
    double sum = 0;
    for (int s = first; s <= last; ++s) sum += w.emplace_back(lanczos((s + 0.5 - centre) / fs));
    for (double& v : w) v /= sum;
    return w;
  };
  cv::Mat ref(out, CV_64F);
  for (int y = 0; y < out.height; ++y) {
    int fy = 0;
    const std::vector<double> wy = weights(gray.rows, out.height, y, fy);
    for (int x = 0; x < out.width; ++x) {
      int fx = 0;
      const std::vector<double> wx = weights(gray.cols, out.width, x, fx);
      double acc = 0;
      for (std::size_t j = 0; j < wy.size(); ++j) {
        for (std::size_t i = 0; i < wx.size(); ++i) acc += wy[j] * wx[i] * gray.at<std::uint8_t>(fy + int(j), fx + int(i));
      }
      ref.at<double>(y, x) = acc;
    }
  }
  return ref;
}

TEST(resample, lanczos3_matches_a_direct_reference_on_a_photo) {
  cv::Mat photo = cv::imread(test::data_path("photo.jpg").string(), cv::IMREAD_GRAYSCALE);
  ASSERT_FALSE(photo.empty());
  const cv::Mat region = photo(cv::Rect(0, 0, std::min(photo.cols, 480), std::min(photo.rows, 360))).clone();
  for (const double k : {1 / 2.0, 1 / 3.3, 1 / 7.0}) {  // the last one goes through the box pre-reduction
    const Size out = detail::scaled_by(region.size(), k);
    const cv::Mat ref = lanczos3_reference(region, out);
    cv::Mat ref8;
    ref.convertTo(ref8, CV_8U);
    const cv::Mat lanczos = detail::resample(region, out, Kernel::Lanczos3);
    const cv::Mat area = detail::resample(region, out, Kernel::Area);
    const double err = test::mean_abs_diff(lanczos, ref8);
    EXPECT_LT(err, k > 0.2 ? 0.6 : 1.5) << "1/" << 1 / k;
    EXPECT_LE(cv::norm(lanczos, ref8, cv::NORM_INF), k > 0.2 ? 2 : 12) << "1/" << 1 / k;
    // and it is the sharper one: closer to the reference than the box average
    EXPECT_LT(err, test::mean_abs_diff(area, ref8)) << "1/" << 1 / k;
  }
}

}  // namespace
}  // namespace imgpool::core
