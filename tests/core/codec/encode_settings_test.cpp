// Encoder settings (chroma, progressive, optimised tables, background), gray+alpha output, and the
// metadata each format embeds, read back by read_metadata.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <imgpool/core/codec/colour.hpp>
#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/codec/metadata.hpp>
#include <imgpool/core/error.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

using Bytes = std::vector<std::uint8_t>;

// the byte after a marker's length field, or -1: for SOFn, component 1's sampling byte is at +9
std::ptrdiff_t find_marker(const Bytes& jpeg, std::uint8_t marker) {
  for (std::size_t i = 2; i + 3 < jpeg.size();) {
    if (jpeg[i] != 0xFF) return -1;
    if (jpeg[i + 1] == marker) return std::ptrdiff_t(i + 4);
    if (jpeg[i + 1] == 0xDA) return -1;  // start of scan: no more header markers
    i += 2 + (std::size_t(jpeg[i + 2]) << 8 | jpeg[i + 3]);
  }
  return -1;
}

cv::Mat photo() { return cv::imread(test::data_path("photo.jpg").string(), cv::IMREAD_COLOR); }

TEST(encode_settings, jpeg_chroma_subsampling_is_the_one_asked_for) {
  const cv::Mat image = test::corner_image(64, 64);
  const std::pair<Chroma, int> cases[] = {{Chroma::S420, 0x22}, {Chroma::S422, 0x21}, {Chroma::S444, 0x11}};
  for (const auto& [chroma, factors] : cases) {
    EncodeSettings s;
    s.chroma = chroma;
    const Bytes jpeg = encode(image, Format::Jpeg, s);
    const std::ptrdiff_t sof = find_marker(jpeg, 0xC0);
    ASSERT_GE(sof, 0);
    EXPECT_EQ(jpeg[std::size_t(sof) + 7], factors) << int(chroma);  // P, Y, X, Nf, then C1 id, C1 factors
  }
}

TEST(encode_settings, optimised_huffman_tables_are_the_default_and_smaller) {
  const cv::Mat image = photo();
  ASSERT_FALSE(image.empty());
  EncodeSettings standard;
  standard.optimize = false;
  const Bytes optimised = encode(image, Format::Jpeg, EncodeSettings{});
  const Bytes plain = encode(image, Format::Jpeg, standard);
  EXPECT_LT(double(optimised.size()), 0.98 * double(plain.size()));
  EXPECT_LT(test::mean_abs_diff(decode_image(optimised), decode_image(plain)), 0.01);  // same pixels
}

TEST(encode_settings, progressive_jpeg_is_progressive_and_decodes_alike) {
  const cv::Mat image = photo();
  EncodeSettings s;
  s.progressive = true;
  const Bytes jpeg = encode(image, Format::Jpeg, s);
  EXPECT_GE(find_marker(jpeg, 0xC2), 0);
  EXPECT_LT(find_marker(jpeg, 0xC0), 0);
  EXPECT_LT(test::mean_abs_diff(decode_image(jpeg), decode_image(encode(image, Format::Jpeg, 85))), 0.5);
}

TEST(encode_settings, alpha_is_flattened_onto_the_background_for_jpeg) {
  cv::Mat bgra(16, 16, CV_8UC4, cv::Scalar(0, 0, 255, 0));  // transparent red
  EncodeSettings s;
  s.quality = 95;
  s.background = parse_colour("#3366cc");
  const cv::Vec3b px = decode_image(encode(bgra, Format::Jpeg, s)).at<cv::Vec3b>(8, 8);
  EXPECT_NEAR(px[0], 0xcc, 3);
  EXPECT_NEAR(px[1], 0x66, 3);
  EXPECT_NEAR(px[2], 0x33, 3);
}

TEST(encode_settings, gray_alpha_is_kept_by_png_and_webp_and_flattened_for_jpeg) {
  cv::Mat ga(16, 16, CV_8UC2, cv::Scalar(40, 255));
  ga(cv::Rect(0, 0, 16, 8)).setTo(cv::Scalar(200, 0));  // top half transparent, hidden value 200
  const Bytes png = encode(ga, Format::Png, 85);
  ASSERT_GT(png.size(), 26u);
  EXPECT_EQ(png[25], 4);  // IHDR colour type 4: gray + alpha
  const cv::Mat back = cv::imdecode(png, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(back.channels(), 4);  // OpenCV reads gray+alpha as BGRA
  EXPECT_EQ(back.at<cv::Vec4b>(12, 3), cv::Vec4b(40, 40, 40, 255));
  EXPECT_EQ(back.at<cv::Vec4b>(3, 3)[3], 0);
  const cv::Mat webp = decode_image(encode(ga, Format::Webp, 90));
  ASSERT_EQ(webp.type(), CV_8UC4);
  EXPECT_NEAR(webp.at<cv::Vec4b>(12, 3)[1], 40, 3);
  const Bytes jpeg = encode(ga, Format::Jpeg, 95);
  const cv::Mat flat = cv::imdecode(jpeg, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(flat.channels(), 1);
  EXPECT_NEAR(flat.at<std::uint8_t>(3, 3), 255, 3);  // onto white, not the hidden 200
  EXPECT_NEAR(flat.at<std::uint8_t>(12, 3), 40, 3);
  EXPECT_EQ(decode_image(encode(ga, Format::Tiff, 85)).type(), CV_8UC4);
}

TEST(encode_settings, every_format_but_tiff_embeds_icc_exif_and_xmp) {
  ImageMetadata m;
  m.icc = srgb_profile();
  m.exif = {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // an empty IFD0
  m.xmp = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF/></x:xmpmeta>";
  for (Format f : {Format::Jpeg, Format::Png, Format::Webp}) {
    const Bytes bytes = encode(test::corner_image(40, 30), f, EncodeSettings{}, m);
    const ImageMetadata back = read_metadata(bytes);
    EXPECT_EQ(back.icc, m.icc) << format_name(f);
    EXPECT_EQ(back.exif, m.exif) << format_name(f);
    EXPECT_EQ(back.xmp, m.xmp) << format_name(f);
    EXPECT_EQ(decode_image(bytes).size(), Size(40, 30)) << format_name(f);
  }
  // and without metadata, none
  for (Format f : {Format::Jpeg, Format::Png, Format::Webp}) {
    const ImageMetadata none = read_metadata(encode(test::corner_image(8, 8), f, 85));
    EXPECT_TRUE(none.icc.empty() && none.exif.empty() && none.xmp.empty()) << format_name(f);
  }
}

TEST(encode_settings, colours_and_chroma_parse_and_bad_ones_are_usage_errors) {
  EXPECT_EQ(parse_colour("#FF8000"), (Rgb{255, 128, 0}));
  EXPECT_EQ(parse_colour("ff8000"), (Rgb{255, 128, 0}));
  EXPECT_EQ(parse_colour("#f80"), (Rgb{255, 136, 0}));
  EXPECT_EQ(parse_colour("10,20,30"), (Rgb{10, 20, 30}));
  EXPECT_EQ(parse_colour("Black"), (Rgb{0, 0, 0}));
  for (const char* bad : {"", "#12345", "red", "1,2", "1,2,3,4", "1,2,256", "a,b,c", "#ggg", "-1,0,0"}) {
    EXPECT_THROW(parse_colour(bad), UsageError) << bad;
  }
  EXPECT_EQ(parse_chroma("4:4:4"), Chroma::S444);
  EXPECT_EQ(parse_chroma("422"), Chroma::S422);
  EXPECT_THROW(parse_chroma("411"), UsageError);
}

}  // namespace
}  // namespace imgpool::core
