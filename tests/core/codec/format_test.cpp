#include <imgpool/core/error.hpp>
#include <imgpool/core/codec/format.hpp>

#include <gtest/gtest.h>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

TEST(format, parses_names_case_insensitively) {
  EXPECT_EQ(parse_format("same"), Format::Same);
  EXPECT_EQ(parse_format("JPG"), Format::Jpeg);
  EXPECT_EQ(parse_format("jpeg"), Format::Jpeg);
  EXPECT_EQ(parse_format("Png"), Format::Png);
  EXPECT_EQ(parse_format("webp"), Format::Webp);
  EXPECT_EQ(parse_format("tif"), Format::Tiff);
  EXPECT_EQ(parse_format("TIFF"), Format::Tiff);
}

TEST(format, rejects_unknown_name_listing_allowed) {
  try {
    parse_format("gif");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("\"gif\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("webp"), std::string::npos) << e.what();
  }
}

TEST(format, output_extension_keeps_input_extension_for_same) {
  EXPECT_EQ(output_extension(Format::Same, "a/b.JPEG"), ".JPEG");
  EXPECT_EQ(output_extension(Format::Same, "a/noext"), "");
  EXPECT_EQ(output_extension(Format::Jpeg, "a.png"), ".jpg");
  EXPECT_EQ(output_extension(Format::Png, "a.jpg"), ".png");
  EXPECT_EQ(output_extension(Format::Webp, "a.jpg"), ".webp");
  EXPECT_EQ(output_extension(Format::Tiff, "a.jpg"), ".tif");
  // formats read but not written: PNG, decided from the name before decoding (issues 17, 18)
  for (const char* name : {"a.bmp", "a.BMP", "a.pgm", "a.ppm", "a.pbm", "a.pnm"}) {
    EXPECT_EQ(output_extension(Format::Same, name), ".png") << name;
  }
  EXPECT_EQ(output_extension(Format::Same, "a.tif"), ".tif");
  EXPECT_EQ(output_extension(Format::Same, "a.txt"), ".txt");  // named on its own: sniffed when decoded
}

TEST(format, format_from_extension) {
  EXPECT_EQ(format_from_extension("x.JPG"), Format::Jpeg);
  EXPECT_EQ(format_from_extension("x.tiff"), Format::Tiff);
  EXPECT_EQ(format_from_extension("x.bmp"), Format::Same);
  EXPECT_EQ(format_from_extension("x"), Format::Same);
}

TEST(format, sniffs_magic_bytes) {
  const cv::Mat image = test::corner_image(8, 8);
  EXPECT_EQ(sniff_format(test::encoded(image, ".jpg")), Format::Jpeg);
  EXPECT_EQ(sniff_format(test::encoded(image, ".png")), Format::Png);
  EXPECT_EQ(sniff_format(test::encoded(image, ".webp")), Format::Webp);
  EXPECT_EQ(sniff_format(test::encoded(image, ".tiff")), Format::Tiff);
  EXPECT_EQ(sniff_format(test::encoded(image, ".bmp")), Format::Same);
  const std::vector<std::uint8_t> short_bytes = {0xFF, 0xD8};
  EXPECT_EQ(sniff_format(short_bytes), Format::Same);
  EXPECT_EQ(sniff_format({}), Format::Same);
}

}  // namespace
}  // namespace imgpool::core
