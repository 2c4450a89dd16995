// The metadata policy: nothing but the colour profile by default; EXIF, copyright, XMP and GPS only
// when asked; orientation reset for upright pixels; and the file job applying it.
#include <cstdint>
#include <string>
#include <vector>

#include <exiv2/exiv2.hpp>
#include <gtest/gtest.h>

#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/codec/metadata.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/job/file_job.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

using Bytes = std::vector<std::uint8_t>;

// an EXIF block from a camera: orientation 6, make, copyright, artist, a GPS position
Bytes camera_exif() {
  Exiv2::ExifData exif;
  exif["Exif.Image.Orientation"] = std::uint16_t(6);
  exif["Exif.Image.Make"] = "TestCam";
  exif["Exif.Image.Copyright"] = "(c) A. Photographer";
  exif["Exif.Image.Artist"] = "A. Photographer";
  exif["Exif.Photo.ExposureTime"] = Exiv2::URational(1, 250);
  exif["Exif.GPSInfo.GPSLatitudeRef"] = "N";
  exif["Exif.GPSInfo.GPSLatitude"] = "52/1 31/1 0/1";
  Exiv2::Blob blob;
  Exiv2::ExifParser::encode(blob, Exiv2::littleEndian, exif);
  return blob;
}

const std::string kXmp =
    R"(<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">)"
    R"(<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" )"
    R"(xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" )"
    R"(xmlns:xmp="http://ns.adobe.com/xap/1.0/" exif:GPSLatitude="52,31.0N" tiff:Orientation="6" )"
    R"(xmp:CreatorTool="TestTool"><dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) A. P.</rdf:li></rdf:Alt>)"
    R"(</dc:rights></rdf:Description></rdf:RDF></x:xmpmeta>)";

Exiv2::ExifData parsed(const Bytes& block) {
  Exiv2::ExifData exif;
  Exiv2::ExifParser::decode(exif, block.data(), static_cast<std::uint32_t>(block.size()));
  return exif;
}

bool has(const Exiv2::ExifData& exif, const char* key) { return exif.findKey(Exiv2::ExifKey(key)) != exif.end(); }

ImageMetadata camera_metadata() {
  ImageMetadata m;
  m.icc = {1, 2, 3};
  m.exif = camera_exif();
  m.xmp = kXmp;
  m.orientation = 6;
  return m;
}

TEST(metadata_keep, by_default_only_the_colour_profile_is_kept) {
  const ImageMetadata kept = metadata_to_keep(camera_metadata(), KeepMetadata{}, true);
  EXPECT_EQ(kept.icc, (Bytes{1, 2, 3}));
  EXPECT_TRUE(kept.exif.empty());
  EXPECT_TRUE(kept.xmp.empty());
}

TEST(metadata_keep, exif_is_kept_without_gps_and_upright) {
  const ImageMetadata kept = metadata_to_keep(camera_metadata(), parse_keep_metadata("exif"), true);
  const Exiv2::ExifData exif = parsed(kept.exif);
  EXPECT_TRUE(has(exif, "Exif.Image.Make"));
  EXPECT_TRUE(has(exif, "Exif.Photo.ExposureTime"));
  EXPECT_TRUE(has(exif, "Exif.Image.Copyright"));
  EXPECT_FALSE(has(exif, "Exif.GPSInfo.GPSLatitude"));
  ASSERT_TRUE(has(exif, "Exif.Image.Orientation"));
  EXPECT_EQ(exif_orientation(kept.exif), 1);
  EXPECT_TRUE(kept.xmp.empty());
  // pixels left as stored keep their orientation tag
  EXPECT_EQ(exif_orientation(metadata_to_keep(camera_metadata(), parse_keep_metadata("exif"), false).exif), 6);
}

TEST(metadata_keep, gps_only_when_asked) {
  const ImageMetadata kept = metadata_to_keep(camera_metadata(), parse_keep_metadata("exif,xmp,gps"), true);
  EXPECT_TRUE(has(parsed(kept.exif), "Exif.GPSInfo.GPSLatitude"));
  EXPECT_NE(kept.xmp.find("GPSLatitude"), std::string::npos);
  const ImageMetadata without = metadata_to_keep(camera_metadata(), parse_keep_metadata("xmp"), true);
  EXPECT_EQ(without.xmp.find("GPSLatitude"), std::string::npos);
  EXPECT_NE(without.xmp.find("TestTool"), std::string::npos);
  EXPECT_EQ(without.xmp.find("Orientation=\"6\""), std::string::npos);
}

TEST(metadata_keep, copyright_keeps_only_the_owner) {
  const ImageMetadata kept = metadata_to_keep(camera_metadata(), parse_keep_metadata("copyright"), true);
  const Exiv2::ExifData exif = parsed(kept.exif);
  EXPECT_TRUE(has(exif, "Exif.Image.Copyright"));
  EXPECT_TRUE(has(exif, "Exif.Image.Artist"));
  EXPECT_FALSE(has(exif, "Exif.Image.Make"));
  EXPECT_FALSE(has(exif, "Exif.GPSInfo.GPSLatitude"));
  EXPECT_NE(kept.xmp.find("(c) A. P."), std::string::npos);
  EXPECT_EQ(kept.xmp.find("TestTool"), std::string::npos);
}

TEST(metadata_keep, malformed_blocks_are_left_out) {
  ImageMetadata m;
  m.exif = {'I', 'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2};
  m.xmp = "<not xmp";
  const ImageMetadata kept = metadata_to_keep(m, parse_keep_metadata("all"), true);
  EXPECT_TRUE(kept.exif.empty());
  EXPECT_TRUE(kept.xmp.empty());
}

TEST(metadata_keep, the_list_parses_and_bad_words_are_usage_errors) {
  EXPECT_EQ(parse_keep_metadata("none"), KeepMetadata{});
  EXPECT_EQ(parse_keep_metadata("exif, copyright"), (KeepMetadata{true, true, false, false}));
  EXPECT_EQ(parse_keep_metadata("all"), (KeepMetadata{true, false, true, true}));
  EXPECT_THROW(parse_keep_metadata("gps"), UsageError);
  EXPECT_THROW(parse_keep_metadata("exif,gpx"), UsageError);
  EXPECT_THROW(parse_keep_metadata(""), UsageError);
}

TEST(metadata_keep, the_file_job_strips_by_default_and_keeps_what_is_asked) {
  test::TempDir dir;
  ImageMetadata m = camera_metadata();
  m.icc.clear();
  test::write_bytes(dir / "in.jpg", encode(test::corner_image(60, 40), Format::Jpeg, EncodeSettings{}, m));
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=32"});
  ASSERT_EQ(run_file_job(dir / "in.jpg", dir / "plain.jpg", options, nullptr).status, Status::Ok);
  const ImageMetadata plain = read_metadata(test::read_bytes(dir / "plain.jpg"));
  EXPECT_TRUE(plain.exif.empty());
  EXPECT_TRUE(plain.xmp.empty());

  options.metadata = parse_keep_metadata("exif");
  for (Format f : {Format::Jpeg, Format::Png, Format::Webp}) {
    options.encode.format = f;
    const auto out = dir / ("kept." + std::string(format_name(f)));
    ASSERT_EQ(run_file_job(dir / "in.jpg", out, options, nullptr).status, Status::Ok) << format_name(f);
    const Bytes bytes = test::read_bytes(out);
    const ImageMetadata kept = read_metadata(bytes);
    EXPECT_TRUE(has(parsed(kept.exif), "Exif.Image.Make")) << format_name(f);
    EXPECT_EQ(kept.orientation, 1) << format_name(f);
    EXPECT_EQ(decode_image(bytes).size(), Size(21, 32)) << format_name(f);  // turned upright once, not twice
  }
}

}  // namespace
}  // namespace imgpool::core
