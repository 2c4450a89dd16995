#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/pipeline.hpp>

#include <gtest/gtest.h>

#include <iostream>
#include <string_view>
#include <utility>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

std::string decode_error(const std::vector<std::uint8_t>& bytes, const DecodeOptions& options = {}) {
  try {
    decode(bytes, options);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

// A valid 1x1 image then its IHDR patched to claim 65535x65535 (the CRC no longer matches, which
// does not matter: the size check must come first).
std::vector<std::uint8_t> png_claiming(std::uint32_t w, std::uint32_t h) {
  auto png = test::encoded(cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(0)), ".png");
  for (int i = 0; i < 4; ++i) {
    png[16 + i] = static_cast<std::uint8_t>(w >> (24 - 8 * i));
    png[20 + i] = static_cast<std::uint8_t>(h >> (24 - 8 * i));
  }
  return png;
}

// A tiny JPEG whose SOF0 claims w x h.
std::vector<std::uint8_t> jpeg_claiming(std::uint16_t w, std::uint16_t h) {
  auto jpeg = test::encoded(cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(0)), ".jpg");
  for (std::size_t i = 2; i + 8 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 5] = static_cast<std::uint8_t>(h >> 8);
      jpeg[i + 6] = static_cast<std::uint8_t>(h & 0xFF);
      jpeg[i + 7] = static_cast<std::uint8_t>(w >> 8);
      jpeg[i + 8] = static_cast<std::uint8_t>(w & 0xFF);
      return jpeg;
    }
  }
  throw std::runtime_error("no SOF0");
}

TEST(decode, reads_headers_without_decoding) {
  const cv::Mat image = test::corner_image(40, 30);
  const auto jpeg = test::with_orientation(test::encoded(image, ".jpg"), 6);
  ImageHeader h = read_header(jpeg);
  EXPECT_EQ(h.format, Format::Jpeg);
  EXPECT_EQ(h.size, Size(40, 30));
  EXPECT_EQ(h.orientation, 6);
  EXPECT_EQ(h.oriented_size(), Size(30, 40));
  EXPECT_EQ(read_header(test::encoded(image, ".png")).size, Size(40, 30));
  EXPECT_EQ(read_header(test::encoded(image, ".webp")).size, Size(40, 30));
  EXPECT_EQ(read_header(png_claiming(65535, 65535)).size, Size(65535, 65535));
}

TEST(decode, refuses_png_bomb_before_allocating) {
  const std::string e = decode_error(png_claiming(65535, 65535));
  EXPECT_EQ(e, "image is 65535x65535 (4.3 gigapixels), above max_pixels 178956970");
}

TEST(decode, refuses_jpeg_bomb_before_allocating) {
  DecodeOptions options;
  options.max_pixels = 100'000'000;
    // (libjpeg's own limit is 65500 a side)
  EXPECT_EQ(decode_error(jpeg_claiming(65500, 65500), options),
            "image is 65500x65500 (4.3 gigapixels), above max_pixels 100000000");
}

TEST(decode, max_pixels_is_inclusive_and_zero_disables) {
  const auto png = test::encoded(test::corner_image(100, 100), ".png");
  DecodeOptions options;
  options.max_pixels = 10'000;
  EXPECT_NO_THROW(decode(png, options));
  options.max_pixels = 9'999;
  EXPECT_EQ(decode_error(png, options), "image is 100x100 (10000 pixels), above max_pixels 9999");
  const auto tiff = test::encoded(test::corner_image(100, 100), ".tiff");  // checked after decoding
  EXPECT_NE(decode_error(tiff, options).find("above max_pixels"), std::string::npos);
  options.max_pixels = 0;
  EXPECT_NO_THROW(decode(png, options));
}

// Issue 14 item 7: a decoder handle reused between files kept the Huffman tables of the last one, so a
// valid JPEG without DHT (it relies on the standard tables, as Motion-JPEG frames do) failed with "bad
// Huffman code" after an optimised JPEG on the same thread.
TEST(decode, jpeg_without_huffman_tables_after_an_optimised_one) {
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 256);
  const cv::Mat image = test::corner_image(64, 64) / 2 + noise / 2;
  std::vector<std::uint8_t> optimised;
  ASSERT_TRUE(cv::imencode(".jpg", image, optimised, {cv::IMWRITE_JPEG_OPTIMIZE, 1}));
  const std::vector<std::uint8_t> standard = test::encoded(image, ".jpg");  // libjpeg's standard tables
  std::vector<std::uint8_t> no_dht(standard.begin(), standard.begin() + 2);
  for (std::size_t i = 2; i + 4 <= standard.size();) {  // copy the marker segments but DHT, up to SOS
    ASSERT_EQ(standard[i], 0xFF);
    const std::size_t length = std::size_t{standard[i + 2]} << 8 | standard[i + 3];
    if (standard[i + 1] == 0xDA) {
      no_dht.insert(no_dht.end(), standard.begin() + std::ptrdiff_t(i), standard.end());
      break;
    }
    if (standard[i + 1] != 0xC4) {
      no_dht.insert(no_dht.end(), standard.begin() + std::ptrdiff_t(i), standard.begin() + std::ptrdiff_t(i + 2 + length));
    }
    i += 2 + length;
  }
  ASSERT_LT(no_dht.size(), standard.size());
  const cv::Mat expected = decode_image(standard);
  EXPECT_NO_THROW(decode_image(optimised));
  cv::Mat got;
  ASSERT_NO_THROW(got = decode_image(no_dht)) << decode_error(no_dht);
  EXPECT_EQ(test::mean_abs_diff(got, expected), 0.0);
  EXPECT_NO_THROW(decode_image(optimised));  // and the other way round
  EXPECT_EQ(read_header(no_dht).size, Size(64, 64));
}

// Headers of the formats OpenCV decodes, each claiming 50000x30000 with no pixels after it.
std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }
void put(std::vector<std::uint8_t>& out, std::uint32_t v, int n, bool big_endian = false) {
  for (int i = 0; i < n; ++i) out.push_back(std::uint8_t(v >> (8 * (big_endian ? n - 1 - i : i))));
}

std::vector<std::uint8_t> bmp_rle8_claiming(std::uint32_t w, std::uint32_t h) {
  std::vector<std::uint8_t> b = {'B', 'M'};
  const std::uint32_t offset = 14 + 40 + 1024;
  for (std::uint32_t v : {offset + 2, 0u, offset, 40u, w, h}) put(b, v, 4);
  put(b, 1, 2);   // planes
  put(b, 8, 2);   // bits
  for (std::uint32_t v : {1u, 2u, 0u, 0u, 256u, 0u}) put(b, v, 4);  // BI_RLE8, data size, dpi, colours
  b.resize(offset, 0);  // a black palette
  b.insert(b.end(), {0, 1});  // RLE: end of bitmap (OpenCV fills the rest of the raster)
  return b;
}

std::vector<std::uint8_t> sun_claiming(std::uint32_t w, std::uint32_t h) {
  std::vector<std::uint8_t> b;
  for (std::uint32_t v : {0x59A66A95u, w, h, 8u, 0u, 1u, 0u, 0u}) put(b, v, 4, true);
  return b;
}

std::vector<std::uint8_t> j2k_claiming(std::uint32_t w, std::uint32_t h) {
  std::vector<std::uint8_t> b = {0xFF, 0x4F, 0xFF, 0x51};
  put(b, 41, 2, true);  // Lsiz for one component
  put(b, 0, 2, true);   // Rsiz
  for (std::uint32_t v : {w, h, 0u, 0u, w, h, 0u, 0u}) put(b, v, 4, true);
  put(b, 1, 2, true);   // Csiz
  b.insert(b.end(), {7, 1, 1, 0xFF, 0xD9});  // 8-bit unsigned, no subsampling; EOC
  return b;
}

std::vector<std::pair<std::string, std::vector<std::uint8_t>>> raster_bombs() {
  return {
      {"BMP RLE8", bmp_rle8_claiming(50000, 30000)},
      {"PGM", bytes_of("P5\n# a comment\n50000 30000\n255\n")},
      {"PBM", bytes_of("P4 50000 30000\n")},
      {"PAM", bytes_of("P7\nWIDTH 50000\nHEIGHT 30000\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n")},
      {"PFM", bytes_of("PF\n50000 30000\n-1.0\n")},
      {"Sun raster", sun_claiming(50000, 30000)},
      {"Radiance HDR", bytes_of("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 30000 +X 50000\n")},
      {"JPEG 2000", j2k_claiming(50000, 30000)},
  };
}

// Issue 14 item 4: these were decoded (a 1 KB RLE8 BMP filled a raster of 900 MB) before max_pixels
// was checked on what came out. The claimed size is read from the header and refused first.
// (50000x30000 is above OpenCV's own limit of 2^30 pixels, so without the header check OpenCV fails
// with its own message instead; the CLI test measures the memory of a bomb below that limit.)
TEST(decode, refuses_raster_bombs_from_their_headers) {
  for (const auto& [name, bytes] : raster_bombs()) {
    EXPECT_EQ(read_header(bytes).size, Size(50000, 30000)) << name;
    EXPECT_EQ(decode_error(bytes), "image is 50000x30000 (1.5 gigapixels), above max_pixels 178956970") << name;
  }
}

// Real files of those formats still decode, and read_header agrees with the decoder on their size.
TEST(decode, raster_headers_give_the_size_of_real_files) {
  const cv::Mat image = test::corner_image(77, 53);  // OpenJPEG needs 2^5 a side for its 6 resolutions
  for (const std::string ext : {".bmp", ".pgm", ".ppm", ".pbm", ".pam", ".pfm", ".ras", ".hdr", ".jp2"}) {
    cv::Mat input = image;
    if (ext == ".pgm" || ext == ".pbm") cv::cvtColor(image, input, cv::COLOR_BGR2GRAY);
    if (ext == ".pfm" || ext == ".hdr") input.convertTo(input, CV_32F, 1.0 / 255);
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(cv::imencode(ext, input, bytes)) << ext;
    EXPECT_EQ(read_header(bytes).size, Size(77, 53)) << ext;
    EXPECT_EQ(decode_image(bytes).size(), Size(77, 53)) << ext;
  }
}

TEST(decode, truncated_jpeg_fails_with_reason) {
  auto jpeg = test::read_bytes(test::data_path("photo.jpg"));
  jpeg.resize(jpeg.size() * 6 / 10);
  const std::string e = decode_error(jpeg);
  EXPECT_EQ(e.rfind("corrupt JPEG: ", 0), 0u) << e;
  EXPECT_NE(e.find("Premature end"), std::string::npos) << e;
}

TEST(decode, jpeg_with_extraneous_bytes_is_accepted) {
  // Garbage between two markers makes libjpeg warn "extraneous bytes before marker"; that is harmless.
  auto jpeg = test::encoded(test::corner_image(64, 64), ".jpg");
  ASSERT_EQ(jpeg[3], 0xE0);  // APP0 first; put the garbage after it, before the next marker
  const std::size_t next = 4 + ((std::size_t{jpeg[4]} << 8) | jpeg[5]);
  jpeg.insert(jpeg.begin() + static_cast<std::ptrdiff_t>(next), {0x00, 0x00, 0x00});
  const cv::Mat image = decode_image(jpeg);
  EXPECT_EQ(image.size(), Size(64, 64));
}

TEST(decode, garbage_and_empty_fail_with_reasons) {
  std::vector<std::uint8_t> noise(4096);
  cv::randu(cv::Mat(1, 4096, CV_8U, noise.data()), 0, 256);
  noise[0] = 'x';  // make sure it is not accidentally a known signature
  EXPECT_EQ(decode_error(noise), "not an image (unrecognised data)");
  EXPECT_EQ(decode_error({}), "empty file");
  std::vector<std::uint8_t> fake_jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3};
  EXPECT_EQ(decode_error(fake_jpeg).rfind("corrupt JPEG: ", 0), 0u);
  auto png = test::encoded(test::corner_image(64, 64), ".png");
  png.resize(png.size() / 2);
  EXPECT_EQ(decode_error(png).rfind("corrupt PNG: ", 0), 0u) << decode_error(png);
}

TEST(decode, jpeg_matches_opencv) {
  const auto jpeg = test::read_bytes(test::data_path("photo.jpg"));
  const cv::Mat ours = decode_image(jpeg);
  const cv::Mat theirs = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  ASSERT_EQ(ours.size(), Size(1600, 1067));
  EXPECT_LT(test::mean_abs_diff(ours, theirs), 0.01);
}

TEST(decode, jpeg_gray_decodes_luminance) {
  const auto jpeg = test::read_bytes(test::data_path("photo.jpg"));
  DecodeOptions options;
  options.grayscale = true;
  const cv::Mat gray = decode_image(jpeg, options);
  ASSERT_EQ(gray.type(), CV_8UC1);
  cv::Mat expected;
  cv::cvtColor(cv::imdecode(jpeg, cv::IMREAD_COLOR), expected, cv::COLOR_BGR2GRAY);
  EXPECT_LT(test::mean_abs_diff(gray, expected), 1.0);
}

TEST(decode, applies_exif_orientation_6) {
  const auto jpeg = test::with_orientation(test::encoded(test::corner_image(80, 40), ".jpg"), 6);
  EXPECT_EQ(jpeg_exif_orientation(jpeg), 6);
  const cv::Mat image = decode_image(jpeg);
  ASSERT_EQ(image.size(), Size(40, 80));
  // rotated 90° clockwise: the stored top-left (red) is now top-right, bottom-left (blue) top-left
  const cv::Vec3b top_right = image.at<cv::Vec3b>(0, 39);
  const cv::Vec3b top_left = image.at<cv::Vec3b>(0, 0);
  EXPECT_GT(top_right[2], 200);
  EXPECT_LT(top_right[0], 60);
  EXPECT_GT(top_left[0], 200);
  EXPECT_LT(top_left[2], 60);
}

TEST(decode, ignores_orientation_when_asked) {
  const auto jpeg = test::with_orientation(test::encoded(test::corner_image(80, 40), ".jpg"), 6);
  DecodeOptions options;
  options.auto_orient = false;
  const cv::Mat image = decode_image(jpeg, options);
  ASSERT_EQ(image.size(), Size(80, 40));
  EXPECT_GT(image.at<cv::Vec3b>(0, 0)[2], 200);  // red still top-left
}

TEST(decode, every_orientation_matches_opencv) {
  const auto plain = test::encoded(test::corner_image(48, 32), ".jpg");
  for (int o = 1; o <= 8; ++o) {
    const auto jpeg = test::with_orientation(plain, o);
    const cv::Mat ours = decode_image(jpeg);
    const cv::Mat theirs = cv::imdecode(jpeg, cv::IMREAD_COLOR);
    ASSERT_EQ(ours.size(), theirs.size()) << "orientation " << o;
    EXPECT_LT(test::mean_abs_diff(ours, theirs), 0.01) << "orientation " << o;
  }
}

TEST(decode, malformed_exif_means_no_rotation) {
  auto jpeg = test::with_orientation(test::encoded(test::corner_image(16, 8), ".jpg"), 6);
  jpeg[2 + 4 + 6 + 4] = 0x7F;  // IFD0 offset far past the segment
  EXPECT_EQ(jpeg_exif_orientation(jpeg), 1);
  auto bad_value = test::with_orientation(test::encoded(test::corner_image(16, 8), ".jpg"), 9);
  EXPECT_EQ(jpeg_exif_orientation(bad_value), 1);
  std::vector<std::uint8_t> cut(jpeg.begin(), jpeg.begin() + 12);
  EXPECT_EQ(jpeg_exif_orientation(cut), 1);
}

TEST(decode, png_keeps_alpha_and_reduces_16_bit) {
  cv::Mat bgra(10, 10, CV_8UC4, cv::Scalar(10, 20, 30, 40));
  const cv::Mat a = decode_image(test::encoded(bgra, ".png"));
  EXPECT_EQ(a.type(), CV_8UC4);
  EXPECT_EQ(a.at<cv::Vec4b>(5, 5), cv::Vec4b(10, 20, 30, 40));
  cv::Mat deep(10, 10, CV_16UC3, cv::Scalar(0, 32896, 65535));
  const cv::Mat b = decode_image(test::encoded(deep, ".png"));
  EXPECT_EQ(b.type(), CV_8UC3);
  EXPECT_EQ(b.at<cv::Vec3b>(1, 1), cv::Vec3b(0, 128, 255));
}

TEST(decode, webp_keeps_alpha) {
  cv::Mat bgra(16, 16, CV_8UC4, cv::Scalar(0, 0, 255, 255));
  bgra(cv::Rect(0, 0, 8, 16)).setTo(cv::Scalar(0, 0, 255, 0));
  std::vector<std::uint8_t> webp;
  ASSERT_TRUE(cv::imencode(".webp", bgra, webp, {cv::IMWRITE_WEBP_QUALITY, 101}));  // lossless
  const cv::Mat out = decode_image(webp);
  ASSERT_EQ(out.type(), CV_8UC4);
  EXPECT_EQ(out.at<cv::Vec4b>(8, 12)[3], 255);
  EXPECT_EQ(out.at<cv::Vec4b>(8, 2)[3], 0);
}

TEST(shrink_on_load, picks_smallest_sufficient_factor) {
  ShrinkOnLoadPlan p = plan_shrink_on_load({2048, 1536}, 1, {256, 192});
  EXPECT_EQ(p.num, 1);
  EXPECT_EQ(p.denom, 8);
  EXPECT_EQ(p.decoded, Size(256, 192));
  // 2000/8 = 250 < 256: never below the need, so 1/4
  p = plan_shrink_on_load({2000, 1333}, 1, {256, 171});
  EXPECT_EQ(p.denom, 4);
  EXPECT_EQ(p.decoded, Size(500, 334));
  p = plan_shrink_on_load({2000, 1333}, 1, {1001, 10});
  EXPECT_FALSE(p.shrinks());
  EXPECT_EQ(p.decoded, Size(2000, 1333));
}

TEST(shrink_on_load, swaps_need_for_rotated_images) {
  // stored 4000x1000 landscape, orientation 6 shows 1000x4000; the need is given in shown terms
  const ShrinkOnLoadPlan p = plan_shrink_on_load({4000, 1000}, 6, {250, 1000});
  EXPECT_EQ(p.denom, 4);
  EXPECT_EQ(p.decoded, Size(1000, 250));
  EXPECT_EQ(plan_shrink_on_load({4000, 1000}, 1, {250, 1000}).denom, 1);
}

TEST(shrink_on_load, decodes_at_reduced_scale) {
  const auto jpeg = test::read_bytes(test::data_path("photo.jpg"));
  const Pipeline pipeline = Pipeline::parse({"thumbnail=256"});
  DecodeOptions options;
  options.min_size = pipeline.min_source_size(read_header(jpeg).oriented_size());
  const DecodedImage d = decode(jpeg, options);
  EXPECT_EQ(d.full_size, Size(1600, 1067));
  EXPECT_EQ(d.plan.denom, 2);  // 1/4 would be 400x267, below the 2x margin 512x342 over 256x171
  EXPECT_EQ(d.image.size(), Size(800, 534));
}

TEST(shrink_on_load, output_matches_full_decode_then_resize) {
  const auto jpeg = test::read_bytes(test::data_path("photo.jpg"));
  for (const std::string spec : {"thumbnail=256", "thumbnail=180,crop=centre", "resize=10%"}) {
    const Pipeline pipeline = Pipeline::parse({spec});
    DecodeOptions options;
    options.min_size = pipeline.min_source_size(read_header(jpeg).oriented_size());
    const DecodedImage shrunk = decode(jpeg, options);
    EXPECT_TRUE(shrunk.plan.shrinks()) << spec;
    const cv::Mat fast = pipeline.apply(shrunk.image, nullptr, shrunk.full_size);
    const cv::Mat slow = pipeline.apply(decode_image(jpeg), nullptr);
    ASSERT_EQ(fast.size(), slow.size()) << spec;
    // 1/8 decodes are DC-only (an 8x8 box filter): a little softer than INTER_AREA from full size
    EXPECT_LT(test::mean_abs_diff(fast, slow), 3.0) << spec;
    std::cout << spec << ": 1/" << shrunk.plan.denom << " decode, mean abs diff "
              << test::mean_abs_diff(fast, slow) << "\n";
  }
}

TEST(shrink_on_load, respects_orientation) {
  const auto jpeg = test::with_orientation(test::encoded(test::corner_image(1600, 800), ".jpg"), 6);
  const Pipeline pipeline = Pipeline::parse({"thumbnail=100"});
  DecodeOptions options;
  options.min_size = pipeline.min_source_size(read_header(jpeg).oriented_size());
  const DecodedImage d = decode(jpeg, options);
  EXPECT_EQ(d.full_size, Size(800, 1600));
  EXPECT_EQ(d.plan.denom, 8);
  EXPECT_EQ(d.image.size(), Size(100, 200));
  EXPECT_EQ(pipeline.apply(d.image, nullptr, d.full_size).size(), Size(50, 100));
}

}  // namespace
}  // namespace imgpool::core
