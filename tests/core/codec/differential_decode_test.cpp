// Differential decoding: files of the kinds decoders get wrong while reporting success (16-bit planar,
// palette and bilevel TIFFs, associated and unassociated alpha, OS/2 BMPs, JPEG 2000 and PNM deeper
// than 8 bits, ...), decoded by imgpool and compared pixel by pixel with the same file decoded by an
// independent decoder (ImageMagick; tests/data/decode/make.sh made both). Every decode must either
// give the right picture or fail with a reason: none of these may fail.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <imgpool/core/codec/decoder.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;

cv::Mat as_bgra(const cv::Mat& image) {
  cv::Mat out;
  switch (image.channels()) {
    case 1: cv::cvtColor(image, out, cv::COLOR_GRAY2BGRA); break;
    case 3: cv::cvtColor(image, out, cv::COLOR_BGR2BGRA); break;
    default: out = image; break;
  }
  return out;
}

TEST(differential_decode, every_file_matches_an_independent_decoder) {
  const fs::path dir = test::data_path("decode");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path file = entry.path();
    const std::string name = file.filename().string();
    if (name.ends_with(".ref.png") || name.ends_with(".sh")) continue;
    ++files;
    const cv::Mat reference = decode_image(test::read_bytes(dir / (name + ".ref.png")));
    cv::Mat mine;
    try {
      mine = as_bgra(decode_image(test::read_bytes(file)));
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
      continue;
    }
    ASSERT_EQ(mine.size(), reference.size()) << name;
    ASSERT_EQ(mine.type(), CV_8UC4) << name;
    // Colour under fully transparent pixels is undefined: only alpha is compared there.
    double sum = 0;
    int worst = 0;
    for (int y = 0; y < mine.rows; ++y) {
      for (int x = 0; x < mine.cols; ++x) {
        const cv::Vec4b a = mine.at<cv::Vec4b>(y, x), b = reference.at<cv::Vec4b>(y, x);
        for (int c = b[3] == 0 ? 3 : 0; c < 4; ++c) {
          const int d = std::abs(int(a[c]) - int(b[c]));
          sum += d;
          worst = std::max(worst, d);
        }
      }
    }
    const double mean = sum / double(mine.total() * 4);
    EXPECT_LE(mean, 1.0) << name;  // rounding only: the failures this guards against are off by 40-230
    EXPECT_LE(worst, 2) << name;  // rounding of a scale or of a division by alpha
  }
  EXPECT_GE(files, 20);
}

}  // namespace
}  // namespace imgpool::core
