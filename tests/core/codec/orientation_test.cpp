// Orientation for every format that carries it (JPEG APP1, PNG eXIf, WebP EXIF, TIFF's tag), through one code
// path in decode(): each of the 8 values turns the pixels as the EXIF specification says, the header
// reports it, shrink-on-load sizes are meant upright, and auto_orient = false leaves the pixels stored.

#include <imgpool/core/codec/decoder.hpp>

#include <gtest/gtest.h>

#include <tiffio.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A big-endian TIFF block whose IFD0 holds Orientation = `o`.
Bytes exif_block(int o) {
  return {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, static_cast<std::uint8_t>(o), 0, 0, 0, 0, 0, 0};
}

std::uint32_t crc32(const std::uint8_t* p, std::size_t n, std::uint32_t crc = 0xFFFFFFFFu) {
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc;
}

void put32(std::uint8_t* at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// `png` with an eXIf chunk inserted just before IEND (after the image data, as the PNG spec allows).
Bytes png_with_orientation(Bytes png, int o) {
  const Bytes exif = exif_block(o);
  Bytes chunk(12 + exif.size());  // length, type, data, CRC
  put32(chunk.data(), static_cast<std::uint32_t>(exif.size()));
  const char type[] = "eXIf";
  std::copy(type, type + 4, chunk.begin() + 4);
  std::copy(exif.begin(), exif.end(), chunk.begin() + 8);
  put32(chunk.data() + 8 + exif.size(), crc32(chunk.data() + 4, 4 + exif.size()) ^ 0xFFFFFFFFu);
  png.insert(png.end() - 12, chunk.begin(), chunk.end());  // IEND is the last 12 bytes
  return png;
}

// A lossless WebP of `image` (BGR) carrying an EXIF chunk with orientation `o`.
Bytes webp_with_orientation(const cv::Mat& image, int o) {
  std::uint8_t* data = nullptr;
  const std::size_t size = WebPEncodeLosslessBGR(image.data, image.cols, image.rows, int(image.step), &data);
  const Bytes plain(data, data + size);
  WebPFree(data);
  const Bytes exif = exif_block(o);
  const WebPData in{plain.data(), plain.size()}, exif_data{exif.data(), exif.size()};
  WebPMux* mux = WebPMuxCreate(&in, 1);
  EXPECT_EQ(WebPMuxSetChunk(mux, "EXIF", &exif_data, 1), WEBP_MUX_OK);
  WebPData assembled;
  EXPECT_EQ(WebPMuxAssemble(mux, &assembled), WEBP_MUX_OK);
  Bytes out(assembled.bytes, assembled.bytes + assembled.size);
  WebPDataClear(&assembled);
  WebPMuxDelete(mux);
  return out;
}

// An 8-bit RGB TIFF of `image` (BGR) written by libtiff with its Orientation tag = `o`.
Bytes tiff_with_orientation(const cv::Mat& image, int o) {
  const test::TempDir dir;
  const std::string path = (dir / "o.tif").string();
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  EXPECT_NE(tif, nullptr);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, image.cols);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, image.rows);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ORIENTATION, o);
  for (int y = 0; y < image.rows; ++y) {
    std::vector<std::uint8_t> row(std::size_t(image.cols) * 3);
    for (int x = 0; x < image.cols; ++x) {
      const cv::Vec3b bgr = image.at<cv::Vec3b>(y, x);
      row[3 * x] = bgr[2], row[3 * x + 1] = bgr[1], row[3 * x + 2] = bgr[0];
    }
    TIFFWriteScanline(tif, row.data(), std::uint32_t(y), 0);
  }
  TIFFClose(tif);
  return test::read_bytes(path);
}

// `stored` shown upright for orientation `o`, written out from the EXIF definitions pixel by pixel
// (independent of the decoder's cv::flip/transpose implementation).
cv::Mat upright(const cv::Mat& stored, int o) {
  const int w = stored.cols, h = stored.rows;
  cv::Mat out(o >= 5 ? cv::Size(h, w) : cv::Size(w, h), stored.type());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      cv::Point to;
      switch (o) {
        case 2: to = {w - 1 - x, y}; break;          // mirrored
        case 3: to = {w - 1 - x, h - 1 - y}; break;  // 180
        case 4: to = {x, h - 1 - y}; break;          // flipped
        case 5: to = {y, x}; break;                  // transposed
        case 6: to = {h - 1 - y, x}; break;          // 90 clockwise
        case 7: to = {h - 1 - y, w - 1 - x}; break;  // transverse
        case 8: to = {y, w - 1 - x}; break;          // 90 anticlockwise
        default: to = {x, y}; break;
      }
      out.at<cv::Vec3b>(to) = stored.at<cv::Vec3b>(y, x);
    }
  }
  return out;
}

cv::Mat noise(int w, int h) {
  cv::Mat m(h, w, CV_8UC3);
  cv::randu(m, 0, 256);
  return m;
}

struct Tagged {
  std::string name;
  Bytes (*make)(const cv::Mat&, int);
  double tolerance;  // mean absolute difference allowed against the stored decode turned by hand
};

const Tagged kFormats[] = {
    {"jpeg", [](const cv::Mat& m, int o) { return test::with_orientation(test::encoded(m, ".jpg"), o); }, 0.0},
    {"png", [](const cv::Mat& m, int o) { return png_with_orientation(test::encoded(m, ".png"), o); }, 0.0},
    {"webp", webp_with_orientation, 0.0},
    {"tiff", tiff_with_orientation, 0.0},
};

TEST(orientation, every_value_for_every_format) {
  const cv::Mat image = noise(12, 7);
  for (const Tagged& f : kFormats) {
    for (int o = 1; o <= 8; ++o) {
      const Bytes bytes = f.make(image, o);
      DecodeOptions stored_only;
      stored_only.auto_orient = false;
      const DecodedImage stored = decode(bytes, stored_only);
      ASSERT_EQ(stored.image.size(), cv::Size(12, 7)) << f.name << " " << o << ": auto_orient=false keeps it stored";
      if (f.name != "jpeg") {  // lossless: stored means exactly the pixels written, not flipped by the decoder
        EXPECT_EQ(test::mean_abs_diff(stored.image, image), 0.0) << f.name << " " << o;
      }
      const DecodedImage shown = decode(bytes);
      const cv::Mat expected = upright(stored.image, o);
      ASSERT_EQ(shown.image.size(), expected.size()) << f.name << " " << o;
      EXPECT_LE(test::mean_abs_diff(shown.image, expected), f.tolerance) << f.name << " " << o;
      EXPECT_EQ(shown.full_size, expected.size()) << f.name << " " << o;
      const ImageHeader header = read_header(bytes);
      EXPECT_EQ(header.orientation, o) << f.name;
      EXPECT_EQ(header.oriented_size(), expected.size()) << f.name;
      EXPECT_EQ(shown.metadata.orientation, o) << f.name;
    }
  }
}

TEST(orientation, png_exif_after_the_image_data_is_found_by_the_header) {
  const Bytes png = png_with_orientation(test::encoded(noise(10, 4), ".png"), 6);
  EXPECT_EQ(read_header(png).orientation, 6);
  EXPECT_EQ(decode(png).image.size(), cv::Size(4, 10));
}

TEST(orientation, truncated_png_chunks_mean_no_rotation) {
  Bytes png = png_with_orientation(test::encoded(noise(10, 4), ".png"), 6);
  png.resize(png.size() - 20);  // cuts into the eXIf chunk
  EXPECT_EQ(read_header(png).orientation, 1);
}

TEST(orientation, scaled_webp_decode_is_sized_upright) {
  // stored 200x100, orientation 6 shows 100x200; the need is given as shown
  const Bytes webp = webp_with_orientation(noise(200, 100), 6);
  DecodeOptions options;
  options.min_size = {50, 100};
  const DecodedImage d = decode(webp, options);
  EXPECT_EQ(d.image.size(), cv::Size(50, 100));
  EXPECT_EQ(d.full_size, cv::Size(100, 200));
}

}  // namespace
}  // namespace imgpool::core
