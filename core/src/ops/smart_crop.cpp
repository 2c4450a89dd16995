#include "ops/smart_crop.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <imgpool/core/ops/grayscale.hpp>

#include "ops/geometry.hpp"

namespace imgpool::core::detail {

namespace {

constexpr int kDetectMaxSide = 640;

cv::Mat small_gray(const cv::Mat& source) {
  cv::Mat gray = Grayscale{}.apply(source, {});
  if (gray.channels() == 2) cv::extractChannel(gray, gray, 0);  // gray+alpha: the detectors read luma only
  const double k = std::min(1.0, double(kDetectMaxSide) / std::max(gray.cols, gray.rows));
  if (k >= 1.0) return gray;
  return resample(gray, scaled_by(gray.size(), k), Kernel::Area);  // for detection only: the cheapest averaging
}

// The top-left corner of the `win`-sized window of `gray` holding the most gradient energy.
cv::Point most_energetic_window(const cv::Mat& gray, cv::Size win) {
  cv::Mat gx, gy, magnitude, integral;
  cv::Sobel(gray, gx, CV_32F, 1, 0);
  cv::Sobel(gray, gy, CV_32F, 0, 1);
  cv::magnitude(gx, gy, magnitude);
  cv::integral(magnitude, integral, CV_64F);
  const int max_x = gray.cols - win.width;
  const int max_y = gray.rows - win.height;
  const double cx = max_x / 2.0;
  const double cy = max_y / 2.0;
  cv::Point best(max_x / 2, max_y / 2);
  double best_energy = -1;
  double best_distance = std::numeric_limits<double>::max();
  for (int y = 0; y <= max_y; ++y) {
    const double* top = integral.ptr<double>(y);
    const double* bottom = integral.ptr<double>(y + win.height);
    for (int x = 0; x <= max_x; ++x) {
      const double energy = bottom[x + win.width] - bottom[x] - top[x + win.width] + top[x];
      const double distance = std::hypot(x - cx, y - cy);
      // Relative tolerance so that float noise on a flat image does not pull the window off centre.
      const double tolerance = 1e-6 * std::max(1.0, best_energy);
      if (energy > best_energy + tolerance || (std::abs(energy - best_energy) <= tolerance && distance < best_distance)) {
        best_energy = energy;
        best_distance = distance;
        best = {x, y};
      }
    }
  }
  return best;
}

}  // namespace

cv::Rect smart_crop_window(const cv::Mat& source, cv::Size scaled, cv::Size window, cv::CascadeClassifier& detector) {
  const cv::Mat gray = small_gray(source);
  const double to_scaled_x = double(scaled.width) / gray.cols;
  const double to_scaled_y = double(scaled.height) / gray.rows;

  cv::Mat equalized;
  cv::equalizeHist(gray, equalized);
  std::vector<cv::Rect> faces;
  const int min_face = std::max(24, std::min(gray.cols, gray.rows) / 20);
  detector.detectMultiScale(equalized, faces, 1.1, 4, 0, cv::Size(min_face, min_face));

  double centre_x = 0;
  double centre_y = 0;
  if (!faces.empty()) {
    // Area-weighted centre of all faces: a group photo centres on the group, a big face dominates.
    double total = 0;
    for (const cv::Rect& f : faces) {
      const double area = double(f.area());
      centre_x += area * (f.x + f.width / 2.0);
      centre_y += area * (f.y + f.height / 2.0);
      total += area;
    }
    centre_x = centre_x / total * to_scaled_x;
    centre_y = centre_y / total * to_scaled_y;
  } else {
    const cv::Size small_window(std::clamp(int(std::lround(window.width / to_scaled_x)), 1, gray.cols),
                                std::clamp(int(std::lround(window.height / to_scaled_y)), 1, gray.rows));
    const cv::Point corner = most_energetic_window(gray, small_window);
    centre_x = (corner.x + small_window.width / 2.0) * to_scaled_x;
    centre_y = (corner.y + small_window.height / 2.0) * to_scaled_y;
  }
  const int x = std::clamp(int(std::lround(centre_x - window.width / 2.0)), 0, scaled.width - window.width);
  const int y = std::clamp(int(std::lround(centre_y - window.height / 2.0)), 0, scaled.height - window.height);
  return {x, y, window.width, window.height};
}

}  // namespace imgpool::core::detail
