// The decoder's fast paths, each checked against a reference decode of the same file: DC-only decoding of
// progressive JPEGs at 1/8 scale against libjpeg-turbo's full 1/8 decode, libwebp's scaled decode
// against a full decode resized with INTER_AREA, and libspng against OpenCV's libpng reader on PngSuite.
#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/error.hpp>

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

// a real photo encoded by TurboJPEG with the given chroma subsampling, progressive or baseline
std::vector<std::uint8_t> photo_jpeg(int subsampling, bool progressive) {
  const cv::Mat photo = cv::imread(test::data_path("photo.jpg").string(), cv::IMREAD_COLOR);
  tjhandle handle = tjInitCompress();
  unsigned char* data = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(handle, photo.data, photo.cols, int(photo.step), photo.rows, TJPF_BGR, &data, &size,
                             subsampling, 85, progressive ? TJFLAG_PROGRESSIVE : 0);
  std::vector<std::uint8_t> bytes(data, data + size);
  tjFree(data);
  tjDestroy(handle);
  if (rc != 0) throw std::runtime_error("tjCompress2 failed");
  return bytes;
}

// libjpeg-turbo's full decode at 1/8 (all scans), the reference
cv::Mat full_eighth(const std::vector<std::uint8_t>& jpeg, bool grayscale) {
  const int flags = (grayscale ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8) | cv::IMREAD_IGNORE_ORIENTATION;
  return cv::imdecode(jpeg, flags);
}

// the decode options asking for 1/8 of `jpeg`'s oriented size
DecodeOptions eighth(const std::vector<std::uint8_t>& jpeg, bool grayscale) {
  const Size full = read_header(jpeg).oriented_size();
  DecodeOptions options;
  options.grayscale = grayscale;
  options.min_size = Size(full.width / 8, full.height / 8);
  return options;
}

double max_difference(const cv::Mat& a, const cv::Mat& b) {
  double most = 0;
  cv::minMaxLoc(cv::abs(a - b).operator cv::Mat().reshape(1), nullptr, &most);
  return most;
}

TEST(jpeg_dc, progressive_luma_is_identical_to_a_full_eighth_decode) {
  for (const int subsampling : {TJSAMP_444, TJSAMP_420}) {
    const auto jpeg = photo_jpeg(subsampling, true);
    const DecodedImage d = decode(jpeg, eighth(jpeg, true));
    EXPECT_TRUE(d.plan.dc_only);
    const cv::Mat reference = full_eighth(jpeg, true);
    ASSERT_EQ(d.image.size(), reference.size());
    EXPECT_EQ(max_difference(d.image, reference), 0) << "subsampling " << subsampling;
  }
}

TEST(jpeg_dc, progressive_444_colour_is_identical_to_a_full_eighth_decode) {
  const auto jpeg = photo_jpeg(TJSAMP_444, true);
  const DecodedImage d = decode(jpeg, eighth(jpeg, false));
  EXPECT_TRUE(d.plan.dc_only);
  EXPECT_EQ(max_difference(d.image, full_eighth(jpeg, false)), 0);
}

TEST(jpeg_dc, progressive_420_colour_is_close_to_a_full_eighth_decode) {
  // Subsampled chroma: a full 1/8 decode scales each chroma block to 2x2 with its first AC terms; the
  // DC path has one value per block. The difference is small and confined to chroma edges.
  const auto jpeg = photo_jpeg(TJSAMP_420, true);
  const DecodedImage d = decode(jpeg, eighth(jpeg, false));
  EXPECT_TRUE(d.plan.dc_only);
  const cv::Mat reference = full_eighth(jpeg, false);
  ASSERT_EQ(d.image.size(), reference.size());
  cv::Mat diff;
  cv::absdiff(d.image, reference, diff);
  EXPECT_LT(cv::mean(diff.reshape(1))[0], 2.0);
  EXPECT_LE(max_difference(d.image, reference), 32);
}

TEST(jpeg_dc, baseline_and_larger_scales_take_the_ordinary_path) {
  const auto baseline_jpeg = photo_jpeg(TJSAMP_420, false);
  const DecodedImage baseline = decode(baseline_jpeg, eighth(baseline_jpeg, false));
  EXPECT_FALSE(baseline.plan.dc_only);
  EXPECT_EQ(baseline.plan.denom, 8);

  const auto progressive_jpeg = photo_jpeg(TJSAMP_420, true);
  const Size full = read_header(progressive_jpeg).oriented_size();
  DecodeOptions quarter;
  quarter.min_size = Size(full.width / 4, full.height / 4);
  const DecodedImage progressive = decode(progressive_jpeg, quarter);
  EXPECT_FALSE(progressive.plan.dc_only);
  EXPECT_EQ(progressive.plan.denom, 4);
}

TEST(jpeg_dc, truncated_progressive_file_still_fails) {
  // Half a progressive file holds every DC scan, enough for the DC path; it must fail all the same.
  auto jpeg = photo_jpeg(TJSAMP_420, true);
  jpeg.resize(jpeg.size() / 2);
  EXPECT_THROW(decode(jpeg, eighth(jpeg, false)), ImageError);
}

TEST(jpeg_dc, orientation_applies_to_the_dc_path) {
  const auto jpeg = test::with_orientation(photo_jpeg(TJSAMP_444, true), 6);
  const DecodedImage d = decode(jpeg, eighth(jpeg, false));
  EXPECT_TRUE(d.plan.dc_only);
  cv::Mat expected;
  cv::rotate(full_eighth(jpeg, false), expected, cv::ROTATE_90_CLOCKWISE);
  EXPECT_EQ(max_difference(d.image, expected), 0);
}

TEST(webp_scaled, decodes_at_the_needed_size_close_to_full_decode_then_area_resize) {
  const cv::Mat photo = cv::imread(test::data_path("photo.jpg").string(), cv::IMREAD_COLOR);
  const auto webp = test::encoded(photo, ".webp");
  DecodeOptions options;
  options.min_size = Size(photo.cols / 6, photo.rows / 6);
  const DecodedImage d = decode(webp, options);
  const Size need(photo.cols / 6, photo.rows / 6);
  EXPECT_EQ(d.image.size(), need);
  EXPECT_EQ(d.plan.decoded, need);
  EXPECT_EQ(d.full_size, photo.size());
  cv::Mat reference;
  cv::resize(decode_image(webp), reference, need, 0, 0, cv::INTER_AREA);
  cv::Mat diff;
  cv::absdiff(d.image, reference, diff);
  EXPECT_LT(cv::mean(diff.reshape(1))[0], 2.0);
}

TEST(webp_scaled, keeps_full_size_when_the_need_is_not_smaller) {
  const cv::Mat photo = cv::imread(test::data_path("messi5.jpg").string(), cv::IMREAD_COLOR);
  const auto webp = test::encoded(photo, ".webp");
  DecodeOptions options;
  options.min_size = Size(photo.cols * 2, photo.rows / 2);
  EXPECT_EQ(decode(webp, options).image.size(), photo.size());
}

// OpenCV's reading of a PNG brought to what decode() promises: 8-bit, 1, 3 or 4 channels
cv::Mat opencv_png_reference(const std::filesystem::path& file) {
  cv::Mat image = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
  if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 256.0);  // the high byte, as libspng
  if (image.channels() == 2) cv::cvtColor(image, image, cv::COLOR_GRAY2BGRA);  // never happens with OpenCV 4.6
  return image;
}

TEST(png_spng, every_valid_pngsuite_file_decodes_as_opencv_reads_it) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::data_path("pngsuite"))) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".png" || name.front() == 'x') continue;
    const DecodedImage d = decode(test::read_bytes(entry.path()));
    cv::Mat reference = opencv_png_reference(entry.path());
    ASSERT_EQ(d.image.size(), reference.size()) << name;
    cv::Mat ours = d.image;
    // OpenCV ignores tRNS in some colour types; compare colour where it has no alpha
    if (ours.channels() == 4 && reference.channels() != 4) cv::cvtColor(ours, ours, cv::COLOR_BGRA2BGR);
    if (ours.channels() == 1 && reference.channels() == 3) cv::cvtColor(reference, reference, cv::COLOR_BGR2GRAY);
    if (ours.channels() == 3 && reference.channels() == 1) cv::cvtColor(ours, ours, cv::COLOR_BGR2GRAY);
    ASSERT_EQ(ours.channels(), reference.channels()) << name;
    EXPECT_LE(max_difference(ours, reference), 1) << name;
    ++checked;
  }
  EXPECT_GE(checked, 150);
}

TEST(png_spng, corrupt_png_fails_with_a_reason) {
  auto png = test::encoded(cv::imread(test::data_path("messi5.jpg").string()), ".png");
  png.resize(png.size() / 2);
  try {
    decode(png);
    FAIL() << "a truncated PNG decoded";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt PNG"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace imgpool::core
