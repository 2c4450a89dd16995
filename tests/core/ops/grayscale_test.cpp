#include <imgpool/core/ops/grayscale.hpp>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "run_operation.hpp"

namespace imgpool::core {
namespace {

using test::run;

TEST(grayscale, gives_one_channel_and_drops_alpha) {
  const cv::Mat bgr = test::corner_image(32, 16);
  const cv::Mat gray = run("grayscale", bgr);
  EXPECT_EQ(gray.channels(), 1);
  EXPECT_EQ(gray.size(), bgr.size());
  cv::Mat expected;
  cv::cvtColor(bgr, expected, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(test::mean_abs_diff(gray, expected), 0.0);
  EXPECT_EQ(run("grayscale", cv::Mat(8, 8, CV_8UC4, cv::Scalar(0, 0, 255, 0))).channels(), 1);
  EXPECT_EQ(run("grayscale", expected).channels(), 1);
}

}  // namespace
}  // namespace imgpool::core
