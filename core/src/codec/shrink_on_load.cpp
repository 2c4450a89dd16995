// Shrink-on-load planning for JPEG: the TurboJPEG scaling factor a decode is told to use.

#include <cstdint>

#include <turbojpeg.h>

#include <imgpool/core/codec/decoder.hpp>

namespace imgpool::core {

ShrinkOnLoadPlan plan_shrink_on_load(Size stored, int orientation, Size min_oriented) {
  const Size need = orientation >= 5 ? Size(min_oriented.height, min_oriented.width) : min_oriented;
  ShrinkOnLoadPlan best{1, 1, stored};
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  for (int i = 0; factors != nullptr && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    // Only 1/2, 1/4 and 1/8: libjpeg-turbo has SIMD code for those reduced IDCTs; the other n/8
    // factors run plain C and can be slower than a full-size decode. (Pillow's draft() uses the same.)
    if (f.num != 1 || (f.denom != 2 && f.denom != 4 && f.denom != 8)) continue;
    const Size scaled(TJSCALED(stored.width, f), TJSCALED(stored.height, f));
    if (scaled.width < need.width || scaled.height < need.height) continue;
    // 64-bit areas: Size::area() is int and overflows above 46340x46340 (max_pixels 0 lets such through)
    if (std::int64_t(scaled.width) * scaled.height < std::int64_t(best.decoded.width) * best.decoded.height) {
      best = {f.num, f.denom, scaled};
    }
  }
  return best;
}

}  // namespace imgpool::core
