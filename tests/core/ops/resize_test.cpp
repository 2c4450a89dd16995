#include <imgpool/core/ops/resize.hpp>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/operation.hpp>

#include "run_operation.hpp"

namespace imgpool::core {
namespace {

using test::expect_size;
using test::run;

TEST(resize, exact_ignores_aspect) {
  expect_size("resize=300x50", {400, 200}, {300, 50});
  expect_size("resize=800x600", {400, 200}, {800, 600});  // may enlarge
}

TEST(resize, inside_keeps_aspect_within_box) {
  expect_size("resize=300x300,fit=inside", {400, 200}, {300, 150});
  expect_size("resize=100x300,fit=inside", {400, 200}, {100, 50});
  expect_size("resize=800x800,fit=inside", {400, 200}, {800, 400});
}

TEST(resize, cover_fills_box_exactly) {
  expect_size("resize=100x100,fit=cover", {400, 200}, {100, 100});
  expect_size("resize=300x50,fit=cover", {400, 200}, {300, 50});
  // the centre is kept: the left and right edges (red/green) are cropped off a wide image
  const cv::Mat out = run("resize=100x100,fit=cover", test::corner_image(400, 100));
  const cv::Vec3b middle_top = out.at<cv::Vec3b>(0, 50);
  EXPECT_NEAR(middle_top[1], 128, 20);  // halfway between red and green
  EXPECT_NEAR(middle_top[2], 128, 20);
}

TEST(resize, percent_and_one_side) {
  expect_size("resize=50%", {400, 200}, {200, 100});
  expect_size("resize=150%", {400, 200}, {600, 300});
  expect_size("resize=1%", {50, 50}, {1, 1});
  expect_size("resize=100x", {400, 200}, {100, 50});
  expect_size("resize=x50", {400, 200}, {100, 50});
}

// Issue 17: ImageMagick's geometry flags, table-driven: every form, its size on a small and a large
// input, its canonical spec; then every error, quoting what was given.
TEST(resize, geometry_flags_as_imagemagick_writes_them) {
  struct Case {
    const char* spec;
    Size small_out, large_out;  // for 400x200 and 1600x800
    const char* canonical;
  };
  const Case cases[] = {
      {"resize=800x600!", {800, 600}, {800, 600}, "resize=800x600"},
      {"resize=800x600^", {1200, 600}, {1200, 600}, "resize=800x600,fit=fill"},
      {"resize=800x600,fit=fill", {1200, 600}, {1200, 600}, "resize=800x600,fit=fill"},
      {"resize=800x600>", {400, 200}, {800, 600}, "resize=800x600>"},          // shrink only: small kept
      {"resize=800x600<", {800, 600}, {1600, 800}, "resize=800x600<"},         // enlarge only: large kept
      {"resize=800x600>,fit=inside", {400, 200}, {800, 400}, "resize=800x600>,fit=inside"},
      {"resize=800x600^>", {400, 200}, {1200, 600}, "resize=800x600>,fit=fill"},
      {"resize=1000x>", {400, 200}, {1000, 500}, "resize=1000x>"},
      {"resize=x300<", {600, 300}, {1600, 800}, "resize=x300<"},
      {"resize=50%>", {200, 100}, {800, 400}, "resize=50%>"},
      {"resize=200%>", {400, 200}, {1600, 800}, "resize=200%>"},
      {"resize=800x600>,fit=cover", {400, 200}, {800, 600}, "resize=800x600>,fit=cover"},
  };
  for (const Case& c : cases) {
    expect_size(c.spec, {400, 200}, c.small_out);
    expect_size(c.spec, {1600, 800}, c.large_out);
    EXPECT_EQ(parse_operation(c.spec).spec(), c.canonical) << c.spec;
    EXPECT_EQ(parse_operation(c.canonical).spec(), c.canonical) << c.spec;
  }
  const std::pair<const char*, const char*> errors[] = {
      {"resize=800x600!^", "size \"800x600!^\" has both ! and ^"},
      {"resize=800x600<>", "size \"800x600<>\" has both > and <"},
      {"resize=50%!", "size \"50%!\": ! and ^ go with WxH, not a percentage"},
      {"resize=800x^", "size \"800x^\": ! and ^ need both width and height (WxH)"},
      {"resize=800x600!,fit=inside", "size \"800x600!\" and fit=inside disagree"},
      {"resize=abc>", "size \"abc>\" is not WxH, Wx, xH or P%"},
      {"resize=>", "resize needs a size: WxH, Wx, xH or P%"},
  };
  for (const auto& [spec, why] : errors) {
    try {
      parse_operation(spec);
      ADD_FAILURE() << spec << " accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << spec << ": " << e.what();
    }
  }
}

TEST(resize, keeps_channels) {
  cv::Mat bgra(40, 40, CV_8UC4, cv::Scalar(10, 20, 30, 128));
  EXPECT_EQ(run("resize=20x20", bgra).channels(), 4);
  EXPECT_EQ(run("resize=20x20", test::corner_image(40, 40)).channels(), 3);
}

TEST(resize, down_is_antialiased) {
  // 1-pixel black/white stripes average to grey with INTER_AREA; nearest or linear sampling would alias.
  cv::Mat stripes(64, 64, CV_8UC1);
  for (int x = 0; x < 64; ++x) stripes.col(x).setTo(x % 2 ? 255 : 0);
  const cv::Mat out = run("resize=16x16", stripes);
  double lo = 0, hi = 0;
  cv::minMaxLoc(out, &lo, &hi);
  EXPECT_NEAR(lo, 128, 2);
  EXPECT_NEAR(hi, 128, 2);
}

TEST(resize, kernel_parses_round_trips_and_rejects_unknown) {
  for (const char* k : {"nearest", "linear", "cubic", "area"}) {
    const std::string spec = std::string("resize=80x60,fit=inside,kernel=") + k;
    const Operation op = parse_operation(spec);
    EXPECT_EQ(op.spec(), spec);
    EXPECT_EQ(parse_operation(op.spec()).spec(), spec);
  }
  EXPECT_EQ(parse_operation("resize=50%,kernel=cubic").spec(), "resize=50%,kernel=cubic");
  // the default is left out of the canonical spec
  EXPECT_EQ(parse_operation("resize=80x60,kernel=lanczos3").spec(), "resize=80x60");
  EXPECT_EQ(parse_operation("resize=80x60").get_if<Resize>()->kernel, Kernel::Lanczos3);
  try {
    parse_operation("resize=80x60,kernel=bicubic");
    FAIL() << "kernel=bicubic accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("kernel \"bicubic\" is not one of nearest, linear, cubic, lanczos3, area"),
              std::string::npos)
        << e.what();
  }
}

TEST(resize, every_kernel_antialiases_a_reduction) {
  cv::Mat stripes(64, 64, CV_8UC1);
  for (int x = 0; x < 64; ++x) stripes.col(x).setTo(x % 2 ? 255 : 0);
  // at a whole ratio every kernel flattens 1-pixel stripes; at 64/21 the triangle's and the box's side
  // lobes let some through (10 and 31 levels), cubic's and Lanczos-3's do not
  for (const char* k : {"linear", "cubic", "lanczos3", "area"}) {
    for (const char* size : {"16x16", "21x21", "32x32"}) {
      if (std::string(size) == "21x21" && (std::string(k) == "linear" || std::string(k) == "area")) continue;
      const cv::Mat out = run(std::string("resize=") + size + ",kernel=" + k, stripes);
      // away from the edges, where a kernel cut short by the border weighs the stripes unevenly
      const cv::Mat inner = out(cv::Rect(2, 2, out.cols - 4, out.rows - 4));
      double lo = 0, hi = 0;
      cv::minMaxLoc(inner, &lo, &hi);
      EXPECT_NEAR(lo, 128, 3) << k << " " << size;
      EXPECT_NEAR(hi, 128, 3) << k << " " << size;
    }
  }
}

}  // namespace
}  // namespace imgpool::core
