#pragma once
// Helpers shared by the core tests: data paths, synthetic images, JPEG surgery, temporary folders.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace imgpool::test {

/// tests/data/<name>
std::filesystem::path data_path(const std::string& name);

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

/// a smooth colour pattern with a distinct colour in each corner (top-left red, top-right green,
/// bottom-left blue, bottom-right white, in BGR)
cv::Mat corner_image(int width, int height);

/// OpenCV's encoding of `image` as `ext` (".jpg", ".png", ...)
std::vector<std::uint8_t> encoded(const cv::Mat& image, const std::string& ext, int jpeg_quality = 95);

/// `jpeg` with an APP1 Exif segment carrying `orientation` spliced in after SOI
std::vector<std::uint8_t> with_orientation(std::vector<std::uint8_t> jpeg, int orientation);

/// a fresh folder under the system temp dir, removed (recursively) on destruction
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// names of the files in the folder (recursively), sorted
  std::vector<std::string> files() const;

 private:
  std::filesystem::path path_;
};

/// mean absolute difference per sample of two images of the same size and type
double mean_abs_diff(const cv::Mat& a, const cv::Mat& b);

}  // namespace imgpool::test
