#pragma once
// OpenCV's image codecs (cv::imdecode, cv::imencode), loaded on first use (internal to core).
//
// libopencv_imgcodecs brings about 130 shared libraries into a process (GDAL, GDCM, OpenEXR, ...): on
// Debian 12 loading and relocating them takes about 0.1 s and 40 MB of resident memory in every process
// that links it, more than thumbnailing a folder of JPEGs, which never needs them (TurboJPEG and libwebp
// do that). So core does not link it: the first PNG, TIFF, BMP, ... (or CMYK JPEG) in a process loads it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace imgpool::core::detail {

/// cv::imdecode(bytes, flags). Throws ConfigError if OpenCV's codec library cannot be loaded;
/// cv::Exception as cv::imdecode does.
cv::Mat imdecode(std::span<const std::uint8_t> bytes, int flags);

/// cv::imencode(extension, image, out, params); false when OpenCV cannot encode it.
/// Throws as imdecode does.
bool imencode(const std::string& extension, const cv::Mat& image, std::vector<std::uint8_t>& out,
              const std::vector<int>& params);

}  // namespace imgpool::core::detail
