// libFuzzer target for the header reader and the shrink-on-load planner (core/src/codec/):
// read_header must accept any bytes or refuse them with ImageError, never crash or read out of bounds;
// read_metadata never throws and, like jpeg_exif_orientation, always answers an orientation 1..8; what plan_shrink_on_load picks for a JPEG header must
// be a TurboJPEG scale that still covers the requested size. Built by scripts/ci/31-fuzz-core.sh with
// clang -fsanitize=fuzzer,address,undefined.
//
// Input: the first bytes of an image file. The last 4 bytes also give the size a pipeline asks for.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/metadata.hpp>
#include <imgpool/core/error.hpp>

namespace core = imgpool::core;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

core::Size wanted_size(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4) return {256, 256};
  const auto t = bytes.last(4);
  return {(t[0] << 8 | t[1]) % 70000, (t[2] << 8 | t[3]) % 70000};
}

void check_plan(const core::ImageHeader& header, core::Size want) {
  const core::ShrinkOnLoadPlan plan = core::plan_shrink_on_load(header.size, header.orientation, want);
  const core::Size stored = header.size;
  check(plan.num >= 1 && plan.num <= plan.denom);
  if (!plan.shrinks()) {
    check(plan.decoded == stored);
    return;
  }
  check(plan.num == 1 && (plan.denom == 2 || plan.denom == 4 || plan.denom == 8));
  check(plan.decoded.width <= stored.width && plan.decoded.height <= stored.height);
  const core::Size need = header.orientation >= 5 ? core::Size(want.height, want.width) : want;
  check(plan.decoded.width >= need.width && plan.decoded.height >= need.height);  // never below the need
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);

  const int orientation = core::jpeg_exif_orientation(bytes);
  check(orientation >= 1 && orientation <= 8);

  // The same bytes as the payload of a JPEG's first APP1 segment, to reach the TIFF reader directly.
  if (size <= 0xFFFF - 8) {
    std::vector<std::uint8_t> jpeg{0xFF, 0xD8, 0xFF, 0xE1};
    const std::size_t length = size + 8;
    jpeg.push_back(std::uint8_t(length >> 8));
    jpeg.push_back(std::uint8_t(length));
    for (const char c : {'E', 'x', 'i', 'f', '\0', '\0'}) jpeg.push_back(std::uint8_t(c));
    jpeg.insert(jpeg.end(), data, data + size);
    jpeg.insert(jpeg.end(), {0xFF, 0xD9});
    const int o = core::jpeg_exif_orientation(jpeg);
    check(o >= 1 && o <= 8);
  }

  // Metadata is read leniently: never an exception, and the orientation always in range.
  const core::ImageMetadata metadata = core::read_metadata(bytes);
  check(metadata.orientation >= 1 && metadata.orientation <= 8);
  check(core::exif_orientation(bytes) >= 1 && core::exif_orientation(bytes) <= 8);

  try {
    const core::ImageHeader header = core::read_header(bytes);
    check(header.size.width >= 0 && header.size.height >= 0);
    check(header.orientation >= 1 && header.orientation <= 8);
    const core::Size oriented = header.oriented_size();
    check(std::int64_t(oriented.width) * oriented.height == std::int64_t(header.size.width) * header.size.height);
    if (header.format == core::Format::Jpeg) {
      check(header.size.width >= 1 && header.size.height >= 1 && header.size.width <= 65535 &&
            header.size.height <= 65535);
      check_plan(header, wanted_size(bytes));
    }
  } catch (const core::ImageError& e) {
    check(e.what()[0] != '\0');
  }
  return 0;
}
