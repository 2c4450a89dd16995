#include <imgpool/core/ops/grayscale.hpp>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "run_operation.hpp"

namespace imgpool::core {
namespace {

using test::run;

TEST(grayscale, gives_one_channel_or_gray_and_alpha) {
  const cv::Mat bgr = test::corner_image(32, 16);
  const cv::Mat gray = run("grayscale", bgr);
  EXPECT_EQ(gray.channels(), 1);
  EXPECT_EQ(gray.size(), bgr.size());
  cv::Mat expected;
  cv::cvtColor(bgr, expected, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(test::mean_abs_diff(gray, expected), 0.0);
  EXPECT_EQ(run("grayscale", expected).channels(), 1);
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  for (int x = 0; x < bgra.cols; ++x) bgra.at<cv::Vec4b>(5, x)[3] = static_cast<std::uint8_t>(8 * x);
  const cv::Mat ga = run("grayscale", bgra);
  ASSERT_EQ(ga.type(), CV_8UC2);
  cv::Mat luma, alpha, alpha_in;
  cv::extractChannel(ga, luma, 0);
  cv::extractChannel(ga, alpha, 1);
  cv::extractChannel(bgra, alpha_in, 3);
  EXPECT_EQ(test::mean_abs_diff(luma, expected), 0.0);
  EXPECT_EQ(test::mean_abs_diff(alpha, alpha_in), 0.0) << "alpha kept";
  EXPECT_EQ(run("grayscale", ga).type(), CV_8UC2);
}

}  // namespace
}  // namespace imgpool::core
