#pragma once
// Internal to codec/: one encoder per format, called by encode() (encoder.cpp) with an image it has
// checked (8-bit, 1 to 4 channels, not empty) and metadata to embed.

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/codec/metadata.hpp>

namespace imgpool::core::detail {

using EncodedBytes = std::vector<std::uint8_t>;

/// libjpeg with settings' quality, chroma, progressive and optimize; `image` has no alpha (gray or BGR)
EncodedBytes encode_jpeg(const cv::Mat& image, const EncodeSettings& settings, const ImageMetadata& metadata);

/// libspng: gray, gray+alpha, BGR or BGRA as PNG colour types 0, 4, 2, 6 at zlib level kPngCompression
EncodedBytes encode_png(const cv::Mat& image, const ImageMetadata& metadata);

/// libwebp lossy at settings.quality (gray as BGR, gray+alpha as BGRA), metadata chunks by libwebpmux
EncodedBytes encode_webp(const cv::Mat& image, const EncodeSettings& settings, const ImageMetadata& metadata);

/// `image` (2 or 4 channels, the last one alpha) laid over `background`: gray or BGR
cv::Mat flatten(const cv::Mat& image, Rgb background);

/// a gray+alpha image as BGRA, for encoders that have no gray+alpha layout
cv::Mat gray_alpha_to_bgra(const cv::Mat& gray_alpha);

}  // namespace imgpool::core::detail
