// Colour management: images with an embedded ICC profile come out in sRGB (or as asked), checked
// against lcms conversions made here; CMYK JPEGs go through their profile or the default one.

#include <imgpool/core/codec/colour.hpp>
#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/job/file_job.hpp>

#include <gtest/gtest.h>

#include <lcms2.h>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "codec/warnings.hpp"
#include "job/stages.hpp"
#include "test_images.hpp"

namespace imgpool::core {
namespace {

using Bytes = std::vector<std::uint8_t>;

const char* const kAdobeRgb = "/usr/share/color/icc/colord/AdobeRGB1998.icc";

Bytes saved(cmsHPROFILE p) {
  cmsUInt32Number n = 0;
  cmsSaveProfileToMem(p, nullptr, &n);
  Bytes out(n);
  cmsSaveProfileToMem(p, out.data(), &n);
  cmsCloseProfile(p);
  return out;
}

// Display P3: P3 primaries, D65 white, sRGB's tone curve (as Apple's profile)
Bytes display_p3() {
  const cmsFloat64Number params[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
  cmsToneCurve* curve = cmsBuildParametricToneCurve(nullptr, 4, params);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  const cmsCIExyY white{0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE primaries{{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
  cmsHPROFILE p = cmsCreateRGBProfile(&white, &primaries, curves);
  cmsFreeToneCurve(curve);
  return saved(p);
}

// `image` converted by lcms from profile `from` to `to` (relative colorimetric), as `in` -> `out` layouts
cv::Mat lcms(const cv::Mat& image, const Bytes& from, const Bytes& to, cmsUInt32Number in, cmsUInt32Number out, int out_type) {
  cmsHPROFILE a = cmsOpenProfileFromMem(from.data(), static_cast<cmsUInt32Number>(from.size()));
  cmsHPROFILE b = cmsOpenProfileFromMem(to.data(), static_cast<cmsUInt32Number>(to.size()));
  cmsHTRANSFORM t = cmsCreateTransform(a, in, b, out, INTENT_RELATIVE_COLORIMETRIC, 0);
  EXPECT_NE(t, nullptr);
  cv::Mat result(image.size(), out_type);
  cmsDoTransformLineStride(t, image.data, result.data, image.cols, image.rows, static_cast<cmsUInt32Number>(image.step),
                           static_cast<cmsUInt32Number>(result.step), 0, 0);
  cmsDeleteTransform(t);
  cmsCloseProfile(a);
  cmsCloseProfile(b);
  return result;
}

// Saturated photo-like colours: a smooth pattern with vivid corners, a few flat patches.
cv::Mat vivid(int w, int h) {
  cv::Mat m = test::corner_image(w, h);
  cv::rectangle(m, {0, 0, w / 4, h / 4}, cv::Scalar(30, 40, 230), cv::FILLED);
  cv::rectangle(m, {w / 2, h / 2, w / 4, h / 4}, cv::Scalar(40, 200, 60), cv::FILLED);
  return m;
}

// `jpeg` with `icc` spliced in after SOI as APP2 ICC_PROFILE chunks (ICC.1 Annex B.4)
Bytes with_icc(Bytes jpeg, const Bytes& icc) {
  constexpr std::size_t kChunk = 65519;
  const std::size_t count = (icc.size() + kChunk - 1) / kChunk;
  Bytes segments;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t n = std::min(kChunk, icc.size() - i * kChunk);
    const std::size_t length = 2 + 12 + 2 + n;
    const Bytes head = {0xFF, 0xE2, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length & 0xFF)};
    segments.insert(segments.end(), head.begin(), head.end());
    const char tag[] = "ICC_PROFILE";
    segments.insert(segments.end(), tag, tag + 12);  // with its NUL
    segments.push_back(static_cast<std::uint8_t>(i + 1));
    segments.push_back(static_cast<std::uint8_t>(count));
    segments.insert(segments.end(), icc.begin() + static_cast<std::ptrdiff_t>(i * kChunk),
                    icc.begin() + static_cast<std::ptrdiff_t>(i * kChunk + n));
  }
  jpeg.insert(jpeg.begin() + 2, segments.begin(), segments.end());
  return jpeg;
}

struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

// a lossless RGB PNG of `bgr` with an iCCP chunk
Bytes png_with_icc(const cv::Mat& bgr, const Bytes& icc) {
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(bgr.cols);
  ihdr.height = static_cast<std::uint32_t>(bgr.rows);
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  spng_set_ihdr(ctx.get(), &ihdr);
  spng_iccp iccp{};
  std::strcpy(iccp.profile_name, "test");
  Bytes copy = icc;
  iccp.profile = reinterpret_cast<char*>(copy.data());
  iccp.profile_len = copy.size();
  spng_set_iccp(ctx.get(), &iccp);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  EXPECT_EQ(spng_encode_image(ctx.get(), rgb.data, rgb.total() * 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE), 0);
  std::size_t len = 0;
  int error = 0;
  void* buffer = spng_get_png_buffer(ctx.get(), &len, &error);
  Bytes out(static_cast<std::uint8_t*>(buffer), static_cast<std::uint8_t*>(buffer) + len);
  std::free(buffer);
  return out;
}

// a lossless WebP of `bgr` with an ICCP chunk
Bytes webp_with_icc(const cv::Mat& bgr, const Bytes& icc) {
  std::uint8_t* data = nullptr;
  const std::size_t size = WebPEncodeLosslessBGR(bgr.data, bgr.cols, bgr.rows, int(bgr.step), &data);
  const Bytes plain(data, data + size);
  WebPFree(data);
  const WebPData in{plain.data(), plain.size()}, icc_data{icc.data(), icc.size()};
  WebPMux* mux = WebPMuxCreate(&in, 1);
  EXPECT_EQ(WebPMuxSetChunk(mux, "ICCP", &icc_data, 1), WEBP_MUX_OK);
  WebPData assembled;
  EXPECT_EQ(WebPMuxAssemble(mux, &assembled), WEBP_MUX_OK);
  Bytes out(assembled.bytes, assembled.bytes + assembled.size);
  WebPDataClear(&assembled);
  WebPMuxDelete(mux);
  return out;
}

cv::Mat process(const Bytes& bytes, const JobOptions& options = {}) { return process_to_image(bytes, options, nullptr); }

TEST(colour, wide_gamut_png_and_webp_come_out_as_lcms_converts_them) {
  const Bytes p3 = display_p3();
  const cv::Mat stored = vivid(48, 32);  // pixel values meant in P3
  const cv::Mat expected = lcms(stored, p3, srgb_profile(), TYPE_BGR_8, TYPE_BGR_8, CV_8UC3);
  ASSERT_GT(test::mean_abs_diff(stored, expected), 3.0) << "P3 and sRGB must differ for this test to mean anything";
  for (const Bytes& file : {png_with_icc(stored, p3), webp_with_icc(stored, p3)}) {
    const cv::Mat out = process(file);
    EXPECT_LT(test::mean_abs_diff(out, expected), 0.05);
  }
}

TEST(colour, wide_gamut_jpeg_is_converted_after_shrink_on_load) {
  const Bytes p3 = display_p3();
  const cv::Mat stored = vivid(256, 128);
  const Bytes jpeg = with_icc(test::encoded(stored, ".jpg", 100), p3);
  JobOptions options;
  options.pipeline = Pipeline::parse({"resize=64x"});
  const cv::Mat out = process(jpeg, options);
  const cv::Mat small = process(test::encoded(stored, ".jpg", 100), options);  // the same job, untagged
  const cv::Mat expected = lcms(small, p3, srgb_profile(), TYPE_BGR_8, TYPE_BGR_8, CV_8UC3);
  ASSERT_EQ(out.size(), cv::Size(64, 32));
  EXPECT_LT(test::mean_abs_diff(out, expected), 0.05);
  EXPECT_GT(test::mean_abs_diff(out, small), 2.0);
}

TEST(colour, output_carries_the_profile_its_pixels_are_in) {
  const Bytes p3 = display_p3();
  const Bytes png = png_with_icc(vivid(16, 8), p3);
  JobOptions options;
  EXPECT_EQ(detail::apply_pipeline(detail::decode_for_pipeline(png, options), options, nullptr).metadata.icc, srgb_profile());
  options.colour.handling = ColourHandling::Keep;
  const detail::ProcessedImage kept = detail::apply_pipeline(detail::decode_for_pipeline(png, options), options, nullptr);
  EXPECT_EQ(kept.metadata.icc, p3);
  EXPECT_EQ(test::mean_abs_diff(kept.image, vivid(16, 8)), 0.0) << "Keep leaves the pixels as stored";
  // untagged stays untagged
  const Bytes plain = test::encoded(vivid(16, 8), ".png");
  JobOptions defaults;
  EXPECT_TRUE(detail::apply_pipeline(detail::decode_for_pipeline(plain, defaults), defaults, nullptr).metadata.icc.empty());
  // gray output of a colour image: an RGB profile cannot tag it
  defaults.pipeline = Pipeline::parse({"grayscale"});
  EXPECT_TRUE(detail::apply_pipeline(detail::decode_for_pipeline(png, defaults), defaults, nullptr).metadata.icc.empty());
}

TEST(colour, grayscale_sees_the_converted_colours) {
  const Bytes p3 = display_p3();
  const cv::Mat stored = vivid(48, 32);
  cv::Mat expected;
  cv::cvtColor(lcms(stored, p3, srgb_profile(), TYPE_BGR_8, TYPE_BGR_8, CV_8UC3), expected, cv::COLOR_BGR2GRAY);
  JobOptions options;
  options.pipeline = Pipeline::parse({"grayscale"});
  for (const Bytes& file : {png_with_icc(stored, p3), with_icc(test::encoded(stored, ".jpg", 100), p3)}) {
    const cv::Mat out = process(file, options);
    ASSERT_EQ(out.channels(), 1);
    EXPECT_LT(test::mean_abs_diff(out, expected), 1.5);  // JPEG: luma of a lossy file
  }
}

TEST(colour, sRGB_tagged_images_are_left_exact_and_alpha_is_copied) {
  const cv::Mat stored = vivid(40, 20);
  EXPECT_EQ(test::mean_abs_diff(process(png_with_icc(stored, srgb_profile())), stored), 0.0);
  cv::Mat bgra;
  cv::cvtColor(stored, bgra, cv::COLOR_BGR2BGRA);
  for (int x = 0; x < bgra.cols; ++x) bgra.at<cv::Vec4b>(3, x)[3] = static_cast<std::uint8_t>(x * 6);
  const ColouredImage out = convert_colour(bgra, display_p3(), {});
  ASSERT_EQ(out.image.channels(), 4);
  cv::Mat a_in, a_out;
  cv::extractChannel(bgra, a_in, 3);
  cv::extractChannel(out.image, a_out, 3);
  EXPECT_EQ(cv::norm(a_in, a_out, cv::NORM_INF), 0.0);
}

TEST(colour, unusable_profiles_are_ignored) {
  const cv::Mat stored = vivid(16, 8);
  Bytes garbage(600, 0x5A);
  EXPECT_EQ(test::mean_abs_diff(process(png_with_icc(stored, garbage)), stored), 0.0);
  const ColouredImage gray = convert_colour(cv::Mat(4, 4, CV_8UC1, cv::Scalar(100)), display_p3(), {});
  EXPECT_EQ(gray.image.at<std::uint8_t>(0, 0), 100) << "an RGB profile on gray pixels";
  EXPECT_TRUE(gray.profile.empty());
}

// ...but not silently: the file's result says so (warnings.hpp)
TEST(colour, an_unusable_profile_is_a_warning_of_its_file) {
  test::TempDir dir;
  test::write_bytes(dir / "bad-icc.png", png_with_icc(vivid(16, 8), Bytes(600, 0x5A)));
  JobOptions options;
  const FileResult r = run_file_job(dir / "bad-icc.png", dir / "out.png", options, nullptr);
  EXPECT_EQ(r.status, Status::Ok) << r.error;
  EXPECT_EQ(r.warnings,
            std::vector<std::string>{"ICC: the embedded profile is unreadable or not an RGB profile; pixels taken as sRGB"});
  detail::WarningCapture capture;
  (void)convert_colour(cv::Mat(4, 4, CV_8UC1, cv::Scalar(100)), display_p3(), {});
  EXPECT_EQ(capture.take(), std::vector<std::string>{"ICC: the embedded profile is unreadable or not a gray profile; ignored"});
  (void)convert_colour(cv::Mat(4, 4, CV_8UC1, cv::Scalar(100)), {}, {});  // no profile: nothing to say
  EXPECT_TRUE(capture.take().empty());
}

TEST(colour, converts_to_a_named_output_profile) {
  if (!std::filesystem::exists(kAdobeRgb)) GTEST_SKIP() << kAdobeRgb << " missing (colord-data)";
  const cv::Mat stored = vivid(32, 16);
  const Bytes adobe = test::read_bytes(kAdobeRgb);
  JobOptions options;
  options.colour.handling = ColourHandling::ToProfile;
  options.colour.output_profile = kAdobeRgb;
  EXPECT_NO_THROW(check_job(options));
  const Bytes untagged = test::encoded(stored, ".png");
  const detail::ProcessedImage out = detail::apply_pipeline(detail::decode_for_pipeline(untagged, options), options, nullptr);
  EXPECT_LT(test::mean_abs_diff(out.image, lcms(stored, srgb_profile(), adobe, TYPE_BGR_8, TYPE_BGR_8, CV_8UC3)), 0.05);
  EXPECT_EQ(out.metadata.icc, adobe);
}

TEST(colour, options_are_checked_before_any_file) {
  ColourOptions o;
  o.handling = ColourHandling::ToProfile;
  EXPECT_THROW(check_colour_options(o), UsageError);
  o.output_profile = "/nonexistent/profile.icc";
  EXPECT_THROW(check_colour_options(o), ConfigError);
  o.output_profile = kDefaultCmykProfile;
  if (std::filesystem::exists(kDefaultCmykProfile)) {
    EXPECT_THROW(check_colour_options(o), ConfigError);  // not RGB
  }
  ColourOptions cmyk;
  cmyk.cmyk_profile = kAdobeRgb;
  if (std::filesystem::exists(kAdobeRgb)) {
    EXPECT_THROW(check_colour_options(cmyk), ConfigError);  // not CMYK
  }
}

// An Adobe-style CMYK JPEG (inverted samples, APP14 marker: TurboJPEG writes one for CMYK) of the
// colours `bgr` separated through `cmyk_profile`; embeds the profile when `embed`.
Bytes cmyk_jpeg(const cv::Mat& bgr, const Bytes& cmyk_profile, bool embed) {
  cv::Mat cmyk = lcms(bgr, srgb_profile(), cmyk_profile, TYPE_BGR_8, TYPE_CMYK_8, CV_8UC4);
  cv::Mat inverted = cv::Scalar::all(255) - cmyk;
  tjhandle tj = tjInitCompress();
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(tjCompress2(tj, inverted.data, inverted.cols, int(inverted.step), inverted.rows, TJPF_CMYK, &buffer, &size,
                        TJSAMP_444, 100, 0),
            0);
  Bytes jpeg(buffer, buffer + size);
  tjFree(buffer);
  tjDestroy(tj);
  return embed ? with_icc(jpeg, cmyk_profile) : jpeg;
}

TEST(colour, cmyk_jpeg_through_its_profile_or_the_default) {
  if (!std::filesystem::exists(kDefaultCmykProfile)) GTEST_SKIP() << kDefaultCmykProfile << " missing (libgs-common)";
  const Bytes profile = test::read_bytes(kDefaultCmykProfile);
  const cv::Mat colours = vivid(64, 32);
  // what the colours become through the press profile and back: the best any reader can do
  const cv::Mat cmyk = lcms(colours, srgb_profile(), profile, TYPE_BGR_8, TYPE_CMYK_8, CV_8UC4);
  const cv::Mat expected = lcms(cmyk, profile, srgb_profile(), TYPE_CMYK_8, TYPE_BGR_8, CV_8UC3);
  for (bool embed : {true, false}) {
    const DecodedImage d = decode(cmyk_jpeg(colours, profile, embed));
    ASSERT_EQ(d.image.type(), CV_8UC3);
    EXPECT_LT(test::mean_abs_diff(d.image, expected), 1.5) << (embed ? "embedded" : "default") << " profile";
    EXPECT_EQ(d.metadata.icc, srgb_profile()) << "the pixels are sRGB now";
  }
  DecodeOptions shrink;
  shrink.min_size = {16, 8};
  EXPECT_EQ(decode(cmyk_jpeg(colours, profile, true), shrink).image.size(), cv::Size(16, 8)) << "CMYK shrinks on load";
  DecodeOptions missing;
  missing.cmyk_profile = "/nonexistent/cmyk.icc";
  EXPECT_THROW(decode(cmyk_jpeg(colours, profile, false), missing), ConfigError);
}

}  // namespace
}  // namespace imgpool::core
