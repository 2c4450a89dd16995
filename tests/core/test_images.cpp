#include "test_images.hpp"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>

namespace imgpool::test {

namespace fs = std::filesystem;

fs::path data_path(const std::string& name) { return fs::path(IMGPOOL_TEST_DATA_DIR) / name; }

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

cv::Mat corner_image(int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double fx = width > 1 ? double(x) / (width - 1) : 0;
      const double fy = height > 1 ? double(y) / (height - 1) : 0;
      // bilinear blend of the four corner colours
      const cv::Vec3d tl(0, 0, 255), tr(0, 255, 0), bl(255, 0, 0), br(255, 255, 255);
      const cv::Vec3d c = (1 - fx) * (1 - fy) * tl + fx * (1 - fy) * tr + (1 - fx) * fy * bl + fx * fy * br;
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
                                            cv::saturate_cast<uchar>(c[2]));
    }
  }
  return image;
}

std::vector<std::uint8_t> encoded(const cv::Mat& image, const std::string& ext, int jpeg_quality) {
  std::vector<std::uint8_t> out;
  if (!cv::imencode(ext, image, out, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality})) {
    throw std::runtime_error("imencode failed");
  }
  return out;
}

std::vector<std::uint8_t> with_orientation(std::vector<std::uint8_t> jpeg, int orientation) {
  // APP1: "Exif\0\0", big-endian TIFF header, IFD0 with one entry 0x0112 SHORT 1 = orientation.
  const std::vector<std::uint8_t> tiff = {
      'M', 'M', 0, 42, 0, 0, 0, 8,                                               // header, IFD0 at 8
      0, 1,                                                                      // one entry
      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, static_cast<std::uint8_t>(orientation), 0, 0,  // orientation
      0, 0, 0, 0};                                                               // no next IFD
  std::vector<std::uint8_t> segment = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  segment.insert(segment.end(), tiff.begin(), tiff.end());
  const std::size_t length = segment.size() - 2;
  segment[2] = static_cast<std::uint8_t>(length >> 8);
  segment[3] = static_cast<std::uint8_t>(length & 0xFF);
  jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
  return jpeg;
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "imgpool-core-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(path_, ec)) {
    if (entry.is_directory(ec)) fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::vector<std::string> TempDir::files() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(path_)) {
    if (entry.is_regular_file()) names.push_back(fs::relative(entry.path(), path_).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) throw std::runtime_error("mean_abs_diff: size or type differ");
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  const cv::Scalar per_channel = cv::mean(diff);
  double sum = 0;
  for (int c = 0; c < a.channels(); ++c) sum += per_channel[c];
  return sum / a.channels();
}

}  // namespace imgpool::test
