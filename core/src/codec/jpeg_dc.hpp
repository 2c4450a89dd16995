#pragma once
// DC-only decoding of progressive JPEGs at 1/8 scale (internal to core).
//
// At 1/8 scale every 8×8 block becomes one pixel, which is its DC coefficient. A progressive JPEG sends
// the DC coefficients of the whole image in its first scan(s), before any AC data, so a 1/8 decode can
// stop reading there: libjpeg's buffered-image mode consumes scans until every component's DC is
// complete and emits one output pass. The AC scans (most of the file and of the work) are never
// Huffman-decoded. Luma is identical to a full 1/8 decode; subsampled chroma differs slightly, because a
// full 1/8 decode scales chroma blocks to 2×2 pixels using their first AC coefficients, while here each
// chroma block is one value, upsampled.

#include <cstdint>
#include <span>

#include <opencv2/core.hpp>

namespace imgpool::core::detail {

/// what decode_progressive_dc did
enum class DcDecode {
  Done,            ///< `out` holds the 1/8-scale image
  NotProgressive,  ///< a baseline (or otherwise unsuitable) JPEG: decode it the ordinary way
};

/// decodes a progressive JPEG at 1/8 scale from its DC scans only, into `out` (8-bit BGR, or gray when
/// `grayscale`), at the size TurboJPEG's 1/8 scaling gives. Returns NotProgressive, touching nothing,
/// for baseline JPEGs and for files the DC path does not serve (CMYK, arithmetic coding, a file whose
/// end marker is missing, so that truncation is judged by the full decoder). Throws ImageError for a
/// corrupt file.
DcDecode decode_progressive_dc(std::span<const std::uint8_t> bytes, bool grayscale, cv::Mat& out);

}  // namespace imgpool::core::detail
