#pragma once
// Internal: where thumbnail's crop=smart puts its window.

#include <opencv2/core.hpp>

namespace cv {
class CascadeClassifier;
}

namespace imgpool::core::detail {

/// the `window`-sized rectangle inside an image of size `scaled` (the cover-scaled `source`) that
/// is centred on the faces `detector` finds in `source`, or with no face, the one holding the most
/// Sobel gradient energy (ties: the one nearest the centre). Detection runs on a gray copy of
/// `source` no larger than 640 pixels a side. `detector` is used from this thread only.
cv::Rect smart_crop_window(const cv::Mat& source, cv::Size scaled, cv::Size window, cv::CascadeClassifier& detector);

}  // namespace imgpool::core::detail
