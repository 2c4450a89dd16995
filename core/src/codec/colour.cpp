// Colour management on lcms2. Transforms are costly to build (lcms optimises each into 8-bit lookup
// tables) and cheap to run, so each thread keeps the few it used last, keyed by the source profile's
// bytes and the pixel layouts; an lcms transform is not safe to share between threads (its one-pixel
// cache), hence per thread rather than global.

#include <imgpool/core/codec/colour.hpp>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>

#include <fmt/format.h>
#include <lcms2.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"
#include "codec/warnings.hpp"

namespace imgpool::core {

namespace {

struct ProfileClose {
  void operator()(void* p) const { cmsCloseProfile(p); }
};
using Profile = std::unique_ptr<void, ProfileClose>;

Profile open(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return nullptr;
  return Profile(cmsOpenProfileFromMem(bytes.data(), static_cast<cmsUInt32Number>(bytes.size())));
}

std::vector<std::uint8_t> saved(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::vector<std::uint8_t> out(size);
  cmsSaveProfileToMem(profile, out.data(), &size);
  return out;
}

// sRGB's tone curve as an ICC parametric curve (type 4: the linear toe, then the 2.4 power)
cmsToneCurve* srgb_curve() {
  const cmsFloat64Number p[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
  return cmsBuildParametricToneCurve(nullptr, 4, p);
}

// gray with sRGB's tone curve: where gray images with a gray profile go (gray outputs are untagged)
const std::vector<std::uint8_t>& srgb_gray_profile() {
  static const std::vector<std::uint8_t> bytes = [] {
    cmsToneCurve* curve = srgb_curve();
    const Profile p(cmsCreateGrayProfile(cmsD50_xyY(), curve));
    cmsFreeToneCurve(curve);
    return saved(p.get());
  }();
  return bytes;
}

std::uint64_t fnv1a(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const std::uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

struct TransformFree {
  void operator()(void* t) const { cmsDeleteTransform(t); }
};

// One built transform from a source profile to a destination profile (always one of the stable byte
// vectors above or from load_profile, so known by address).
struct CachedTransform {
  std::uint64_t hash = 0;
  std::vector<std::uint8_t> source;
  const std::vector<std::uint8_t>* destination = nullptr;
  cmsUInt32Number in = 0, out = 0;
  std::unique_ptr<void, TransformFree> transform;  // null: the profiles cannot make one
  bool identity = false;                            // RGB -> RGB within 1 level everywhere: skipped
};

// Whether `t` (an 8-bit RGB-order-independent 3-channel transform) changes no colour by more than one
// level: true for an embedded sRGB profile, which most camera JPEGs carry.
bool is_identity(cmsHTRANSFORM t, cmsUInt32Number in) {
  if (T_CHANNELS(in) != 3 || T_EXTRA(in) != 0) return false;
  std::vector<std::uint8_t> probe;
  for (int r = 0; r < 256; r += 17)
    for (int g = 0; g < 256; g += 17)
      for (int b = 0; b < 256; b += 17) probe.insert(probe.end(), {std::uint8_t(b), std::uint8_t(g), std::uint8_t(r)});
  std::vector<std::uint8_t> result(probe.size());
  cmsDoTransform(t, probe.data(), result.data(), static_cast<cmsUInt32Number>(probe.size() / 3));
  for (std::size_t i = 0; i < probe.size(); ++i) {
    if (std::abs(int(probe[i]) - int(result[i])) > 1) return false;
  }
  return true;
}

// The thread's transform from `source` to `destination` for these layouts, built on first use.
const CachedTransform& transform_for(std::span<const std::uint8_t> source, const std::vector<std::uint8_t>& destination,
                                     cmsUInt32Number in, cmsUInt32Number out) {
  thread_local std::vector<std::unique_ptr<CachedTransform>> cache;  // most recently used last
  const std::uint64_t hash = fnv1a(source);
  for (auto it = cache.begin(); it != cache.end(); ++it) {
    CachedTransform& c = **it;
    if (c.hash == hash && c.in == in && c.out == out && c.destination == &destination &&
        std::equal(c.source.begin(), c.source.end(), source.begin(), source.end())) {
      std::rotate(it, it + 1, cache.end());
      return *cache.back();
    }
  }
  auto entry = std::make_unique<CachedTransform>();
  entry->hash = hash;
  entry->source.assign(source.begin(), source.end());
  entry->destination = &destination;
  entry->in = in;
  entry->out = out;
  const Profile from = open(source);
  const Profile to = open(destination);
  if (from && to) {
    const cmsUInt32Number flags = T_EXTRA(in) != 0 ? cmsFLAGS_COPY_ALPHA : 0;
    entry->transform.reset(cmsCreateTransform(from.get(), in, to.get(), out, INTENT_RELATIVE_COLORIMETRIC, flags));
    if (entry->transform) entry->identity = is_identity(entry->transform.get(), in);
  }
  constexpr std::size_t kKept = 8;
  if (cache.size() == kKept) cache.erase(cache.begin());
  cache.push_back(std::move(entry));
  return *cache.back();
}

// lcms's layout for an 8-bit image of `channels` (gray, gray+alpha, BGR, BGRA)
cmsUInt32Number layout(int channels) {
  switch (channels) {
    case 1: return TYPE_GRAY_8;
    case 2: return TYPE_GRAYA_8;
    case 3: return TYPE_BGR_8;
    default: return TYPE_BGRA_8;
  }
}

cv::Mat run(const CachedTransform& t, const cv::Mat& image, int out_type) {
  cv::Mat out(image.size(), out_type);
  cmsDoTransformLineStride(t.transform.get(), image.data, out.data, static_cast<cmsUInt32Number>(image.cols),
                           static_cast<cmsUInt32Number>(image.rows), static_cast<cmsUInt32Number>(image.step),
                           static_cast<cmsUInt32Number>(out.step), 0, 0);
  return out;
}

cmsColorSpaceSignature space_of(std::span<const std::uint8_t> bytes) {
  const Profile p = open(bytes);
  return p ? cmsGetColorSpace(p.get()) : cmsSigXYZData;  // XYZ: stands for "unusable" here
}

// `image` from `source` to `destination` when a transform exists; {converted, ok}
std::pair<cv::Mat, bool> converted(const cv::Mat& image, std::span<const std::uint8_t> source,
                                   const std::vector<std::uint8_t>& destination) {
  const cmsUInt32Number in = layout(image.channels());
  const CachedTransform& t = transform_for(source, destination, in, in);
  if (!t.transform) return {image, false};
  if (t.identity) return {image, true};
  return {run(t, image, image.type()), true};
}

}  // namespace

const std::vector<std::uint8_t>& srgb_profile() {
  static const std::vector<std::uint8_t> bytes = [] {
    const Profile p(cmsCreate_sRGBProfile());
    return saved(p.get());
  }();
  return bytes;
}

const std::vector<std::uint8_t>& load_profile(const std::filesystem::path& path) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::unique_ptr<const std::vector<std::uint8_t>>> loaded;
  const std::lock_guard lock(mutex);
  if (const auto it = loaded.find(path); it != loaded.end()) return *it->second;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(fmt::format("cannot use the ICC profile {}: {}", path.string(), std::generic_category().message(errno)));
  }
  auto bytes = std::make_unique<std::vector<std::uint8_t>>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!open(*bytes)) throw ConfigError(fmt::format("cannot use the ICC profile {}: not an ICC profile", path.string()));
  return *loaded.emplace(path, std::move(bytes)).first->second;
}

void check_colour_options(const ColourOptions& options) {
  if (options.handling == ColourHandling::ToProfile) {
    if (options.output_profile.empty()) {
      throw UsageError("ColourHandling::ToProfile needs ColourOptions::output_profile");
    }
    if (space_of(load_profile(options.output_profile)) != cmsSigRgbData) {
      throw ConfigError(fmt::format("cannot use the ICC profile {}: not an RGB profile", options.output_profile.string()));
    }
  }
  if (!options.cmyk_profile.empty() && space_of(load_profile(options.cmyk_profile)) != cmsSigCmykData) {
    throw ConfigError(fmt::format("cannot use the ICC profile {}: not a CMYK profile", options.cmyk_profile.string()));
  }
}

ColouredImage convert_colour(cv::Mat image, std::span<const std::uint8_t> source, const ColourOptions& options) {
  const bool gray = image.channels() <= 2;
  const cmsColorSpaceSignature space = space_of(source);
  const bool usable = space == (gray ? cmsSigGrayData : cmsSigRgbData);
  if (gray) {
    // Gray stays gray and untagged: a gray profile is converted to sRGB's tone curve unless kept.
    if (!usable && !source.empty()) detail::note_warning("ICC", "the embedded profile is unreadable or not a gray profile; ignored");
    if (!usable || options.handling == ColourHandling::Keep) {
      return {std::move(image), usable ? std::vector<std::uint8_t>(source.begin(), source.end()) : std::vector<std::uint8_t>{}};
    }
    return {converted(image, source, srgb_gray_profile()).first, {}};
  }
  switch (options.handling) {
    case ColourHandling::Keep:
      return {std::move(image), usable ? std::vector<std::uint8_t>(source.begin(), source.end()) : std::vector<std::uint8_t>{}};
    case ColourHandling::ToProfile: {
      const std::vector<std::uint8_t>& target = load_profile(options.output_profile);
      auto [out, ok] = converted(image, usable ? source : std::span<const std::uint8_t>(srgb_profile()), target);
      if (!ok) throw ConfigError(fmt::format("cannot use the ICC profile {}: lcms cannot convert to it", options.output_profile.string()));
      return {std::move(out), target};
    }
    case ColourHandling::ToSrgb: break;
  }
  if (!usable) {
    if (!source.empty()) detail::note_warning("ICC", "the embedded profile is unreadable or not an RGB profile; pixels taken as sRGB");
    return {std::move(image), {}};
  }
  auto [out, ok] = converted(image, source, srgb_profile());
  if (!ok) {  // lcms could read the profile but not build a transform: as untagged
    detail::note_warning("ICC", "lcms cannot convert from the embedded profile; pixels taken as sRGB");
    return {std::move(image), {}};
  }
  return {std::move(out), srgb_profile()};
}

namespace detail {

cv::Mat cmyk_to_bgr(const cv::Mat& cmyk, bool inverted, std::span<const std::uint8_t> embedded,
                    const std::filesystem::path& fallback) {
  std::span<const std::uint8_t> profile = embedded;
  if (space_of(profile) != cmsSigCmykData) {
    if (!embedded.empty()) note_warning("ICC", "the embedded profile is unreadable or not a CMYK profile; the default CMYK profile is used");
    profile = load_profile(fallback.empty() ? kDefaultCmykProfile : fallback);
  }
  const CachedTransform& t = transform_for(profile, srgb_profile(), inverted ? TYPE_CMYK_8_REV : TYPE_CMYK_8, TYPE_BGR_8);
  if (!t.transform) throw ImageError("corrupt JPEG: its CMYK profile cannot be used");
  return run(t, cmyk, CV_8UC3);
}

}  // namespace detail

}  // namespace imgpool::core
