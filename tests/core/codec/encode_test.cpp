#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/error.hpp>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

TEST(encode, round_trips_every_format) {
  const cv::Mat image = test::corner_image(64, 48);
  for (Format f : {Format::Jpeg, Format::Png, Format::Webp, Format::Tiff}) {
    const auto bytes = encode(image, f, 90);
    EXPECT_EQ(sniff_format(bytes), f) << format_name(f);
    const cv::Mat back = decode_image(bytes);
    ASSERT_EQ(back.size(), image.size()) << format_name(f);
    ASSERT_EQ(back.type(), CV_8UC3) << format_name(f);
    EXPECT_LT(test::mean_abs_diff(back, image), f == Format::Png || f == Format::Tiff ? 0.001 : 4.0)
        << format_name(f);
  }
}

TEST(encode, jpeg_quality_changes_size) {
  const cv::Mat noise(128, 128, CV_8UC3);
  cv::randu(noise, 0, 255);
  EXPECT_LT(encode(noise, Format::Jpeg, 20).size(), encode(noise, Format::Jpeg, 95).size());
  EXPECT_LT(encode(noise, Format::Webp, 20).size(), encode(noise, Format::Webp, 95).size());
}

TEST(encode, jpeg_uses_420_chroma) {
  // libjpeg-turbo's SOF0 lists the luma component's sampling factors: 0x22 means 4:2:0.
  const auto jpeg = encode(test::corner_image(32, 32), Format::Jpeg, 85);
  bool found = false;
  for (std::size_t i = 2; i + 11 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      EXPECT_EQ(jpeg[i + 11], 0x22);
      found = true;
      break;
    }
  }
  EXPECT_TRUE(found);
}

TEST(encode, gray_stays_one_channel) {
  const cv::Mat gray(20, 20, CV_8UC1, cv::Scalar(77));
  for (Format f : {Format::Jpeg, Format::Png, Format::Tiff}) {
    EXPECT_EQ(cv::imdecode(encode(gray, f, 90), cv::IMREAD_UNCHANGED).channels(), 1) << format_name(f);
  }
  EXPECT_EQ(decode_image(encode(gray, Format::Webp, 90)).size(), Size(20, 20));
}

TEST(encode, jpeg_flattens_alpha_onto_white) {
  cv::Mat bgra(16, 16, CV_8UC4, cv::Scalar(0, 0, 0, 0));  // fully transparent black
  bgra(cv::Rect(0, 0, 16, 8)).setTo(cv::Scalar(0, 0, 0, 255));
  const cv::Mat back = decode_image(encode(bgra, Format::Jpeg, 95));
  EXPECT_GT(back.at<cv::Vec3b>(12, 8)[0], 240);  // transparent became white
  EXPECT_LT(back.at<cv::Vec3b>(2, 8)[0], 15);    // opaque black stayed black
}

TEST(encode, png_and_webp_keep_alpha) {
  cv::Mat bgra(16, 16, CV_8UC4, cv::Scalar(10, 200, 30, 99));
  EXPECT_EQ(decode_image(encode(bgra, Format::Png, 85)).at<cv::Vec4b>(3, 3), cv::Vec4b(10, 200, 30, 99));
  const cv::Mat webp = decode_image(encode(bgra, Format::Webp, 90));
  ASSERT_EQ(webp.type(), CV_8UC4);
  EXPECT_NEAR(webp.at<cv::Vec4b>(3, 3)[3], 99, 2);
  EXPECT_EQ(decode_image(encode(bgra, Format::Tiff, 85)).type(), CV_8UC4);
}

TEST(encode, encodes_roi_views) {
  const cv::Mat image = test::corner_image(100, 100);
  const cv::Mat roi = image(cv::Rect(10, 20, 30, 40));
  for (Format f : {Format::Jpeg, Format::Png, Format::Webp}) {
    const cv::Mat back = decode_image(encode(roi, f, 95));
    ASSERT_EQ(back.size(), Size(30, 40));
    EXPECT_LT(test::mean_abs_diff(back, roi.clone()), 4.0) << format_name(f);
  }
}

TEST(encode, validates_quality_and_format) {
  const cv::Mat image = test::corner_image(8, 8);
  EXPECT_THROW(encode(image, Format::Jpeg, 0), UsageError);
  EXPECT_THROW(encode(image, Format::Png, 101), UsageError);
  EXPECT_THROW(encode(image, Format::Same, 85), UsageError);
  EXPECT_THROW(encode(cv::Mat(), Format::Png, 85), ImageError);
  EXPECT_THROW(encode(cv::Mat(4, 4, CV_32FC3), Format::Png, 85), ImageError);
}

TEST(encode, webp_size_limit_is_an_image_error) {
  const cv::Mat wide(1, 16384, CV_8UC3, cv::Scalar::all(0));
  EXPECT_THROW(encode(wide, Format::Webp, 80), ImageError);
}

}  // namespace
}  // namespace imgpool::core
