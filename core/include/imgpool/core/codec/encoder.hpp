#pragma once
// Encoding images in memory.

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include <imgpool/core/codec/format.hpp>

namespace imgpool::core {

/// the zlib level PNG outputs use: 6, zlib's and Pillow's default (OpenCV's own default, 1, writes
/// files about a third larger)
inline constexpr int kPngCompression = 6;

/// encodes an 8-bit gray/BGR/BGRA image. JPEG: TurboJPEG, `quality`, 4:2:0 chroma (gray stays one
/// channel), alpha flattened onto white. PNG: alpha kept, zlib level kPngCompression. WebP: libwebp
/// lossy at `quality`, alpha kept. TIFF: OpenCV's writer, alpha kept. `quality` must be 1..100
/// (UsageError, checked for every format); Format::Same is a UsageError. Throws ImageError when the
/// image cannot be encoded (e.g. larger than WebP's 16383×16383). Thread safe.
std::vector<std::uint8_t> encode(const cv::Mat& image, Format format, int quality);

}  // namespace imgpool::core
