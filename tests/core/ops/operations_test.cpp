#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/ops/operation.hpp>
#include <imgpool/core/ops/pipeline.hpp>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

cv::Mat run(const std::string& spec, const cv::Mat& image, const WorkerModels* models = nullptr) {
  OperationContext context;
  context.models = models;
  return parse_operation(spec).apply(image, context);
}

// Checks apply() against output_size() too: the planner relies on them agreeing.
void expect_size(const std::string& spec, Size in, Size expected) {
  const cv::Mat out = run(spec, test::corner_image(in.width, in.height));
  EXPECT_EQ(out.size(), expected) << spec << " on " << in;
  EXPECT_EQ(parse_operation(spec).output_size(in), expected) << spec << " on " << in;
}

TEST(operations, resize_exact_ignores_aspect) {
  expect_size("resize=300x50", {400, 200}, {300, 50});
  expect_size("resize=800x600", {400, 200}, {800, 600});  // may enlarge
}

TEST(operations, resize_inside_keeps_aspect_within_box) {
  expect_size("resize=300x300,fit=inside", {400, 200}, {300, 150});
  expect_size("resize=100x300,fit=inside", {400, 200}, {100, 50});
  expect_size("resize=800x800,fit=inside", {400, 200}, {800, 400});
}

TEST(operations, resize_cover_fills_box_exactly) {
  expect_size("resize=100x100,fit=cover", {400, 200}, {100, 100});
  expect_size("resize=300x50,fit=cover", {400, 200}, {300, 50});
  // the centre is kept: the left and right edges (red/green) are cropped off a wide image
  const cv::Mat out = run("resize=100x100,fit=cover", test::corner_image(400, 100));
  const cv::Vec3b middle_top = out.at<cv::Vec3b>(0, 50);
  EXPECT_NEAR(middle_top[1], 128, 20);  // halfway between red and green
  EXPECT_NEAR(middle_top[2], 128, 20);
}

TEST(operations, resize_percent_and_one_side) {
  expect_size("resize=50%", {400, 200}, {200, 100});
  expect_size("resize=150%", {400, 200}, {600, 300});
  expect_size("resize=1%", {50, 50}, {1, 1});
  expect_size("resize=100x", {400, 200}, {100, 50});
  expect_size("resize=x50", {400, 200}, {100, 50});
}

TEST(operations, resize_keeps_channels) {
  cv::Mat bgra(40, 40, CV_8UC4, cv::Scalar(10, 20, 30, 128));
  EXPECT_EQ(run("resize=20x20", bgra).channels(), 4);
  EXPECT_EQ(run("resize=20x20", test::corner_image(40, 40)).channels(), 3);
}

TEST(operations, resize_down_is_antialiased) {
  // 1-pixel black/white stripes average to grey with INTER_AREA; nearest or linear sampling would alias.
  cv::Mat stripes(64, 64, CV_8UC1);
  for (int x = 0; x < 64; ++x) stripes.col(x).setTo(x % 2 ? 255 : 0);
  const cv::Mat out = run("resize=16x16", stripes);
  double lo = 0, hi = 0;
  cv::minMaxLoc(out, &lo, &hi);
  EXPECT_NEAR(lo, 128, 2);
  EXPECT_NEAR(hi, 128, 2);
}

TEST(operations, grayscale_gives_one_channel_and_drops_alpha) {
  const cv::Mat bgr = test::corner_image(32, 16);
  const cv::Mat gray = run("grayscale", bgr);
  EXPECT_EQ(gray.channels(), 1);
  EXPECT_EQ(gray.size(), bgr.size());
  cv::Mat expected;
  cv::cvtColor(bgr, expected, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(test::mean_abs_diff(gray, expected), 0.0);
  EXPECT_EQ(run("grayscale", cv::Mat(8, 8, CV_8UC4, cv::Scalar(0, 0, 255, 0))).channels(), 1);
  EXPECT_EQ(run("grayscale", expected).channels(), 1);
}

TEST(operations, thumbnail_fits_box_keeping_aspect) {
  expect_size("thumbnail=100", {400, 200}, {100, 50});
  expect_size("thumbnail=100", {200, 400}, {50, 100});
  expect_size("thumbnail=100", {1000, 3}, {100, 1});  // never a zero side
}

TEST(operations, thumbnail_never_enlarges) {
  expect_size("thumbnail=500", {400, 200}, {400, 200});
  expect_size("thumbnail=500,crop=centre", {400, 200}, {400, 200});
  expect_size("thumbnail=100,crop=centre", {1000, 50}, {100, 50});
}

TEST(operations, thumbnail_crop_centre_is_exactly_n_by_n) {
  expect_size("thumbnail=64,crop=centre", {400, 200}, {64, 64});
  expect_size("thumbnail=64,crop=center", {200, 400}, {64, 64});
  // the middle of a tall image is kept: top (red/green) and bottom (blue/white) rows are cut
  const cv::Mat out = run("thumbnail=64,crop=centre", test::corner_image(100, 400));
  const cv::Vec3b top_left = out.at<cv::Vec3b>(0, 0);
  EXPECT_GT(top_left[0], 60);  // already part blue
  EXPECT_LT(top_left[0], 200);
}

TEST(operations, smart_crop_needs_the_face_model) {
  EXPECT_THROW(run("thumbnail=64,crop=smart", test::corner_image(400, 200)), ConfigError);
}

class smart_crop : public ::testing::Test {
 protected:
  WorkerModels models = WorkerModels::load(Pipeline::parse({"thumbnail=1,crop=smart"}), IMGPOOL_TEST_CASCADE);
};

TEST_F(smart_crop, gives_n_by_n) {
  const cv::Mat out = run("thumbnail=64,crop=smart", test::corner_image(400, 200), &models);
  EXPECT_EQ(out.size(), Size(64, 64));
  EXPECT_EQ(out.channels(), 3);
}

TEST_F(smart_crop, without_faces_picks_the_busiest_window) {
  // flat grey with a textured patch near the right edge: the window moves right, off centre
  cv::Mat image(200, 600, CV_8UC3, cv::Scalar(128, 128, 128));
  cv::Mat patch = image(cv::Rect(470, 40, 100, 100));
  cv::randu(patch, 0, 255);
  const Thumbnail thumb{100, Crop::Smart};
  OperationContext context{&models, {}};
  const cv::Rect window = thumb.crop_window(image, context);
  EXPECT_EQ(window.size(), Size(100, 100));
  // scaled to 300x100; the patch spans x 235..285 there
  EXPECT_GE(window.x, 185);
  EXPECT_LE(window.x, 200);
}

TEST_F(smart_crop, flat_image_falls_back_to_centre) {
  const cv::Mat image(200, 600, CV_8UC3, cv::Scalar(50, 90, 130));
  OperationContext context{&models, {}};
  EXPECT_EQ(Thumbnail({100, Crop::Smart}).crop_window(image, context), cv::Rect(100, 0, 100, 100));
}

TEST_F(smart_crop, centres_on_a_face) {
  // messi5.jpg (OpenCV sample data), cut and laid on the left of a wide grey canvas so that the face
  // sits far left of centre.
  const cv::Mat photo = cv::imread(test::data_path("messi5.jpg").string());
  ASSERT_FALSE(photo.empty());
  cv::Mat image(342, 600, CV_8UC3, cv::Scalar::all(128));
  photo(cv::Rect(150, 0, 398, 342)).copyTo(image(cv::Rect(0, 0, 398, 342)));
  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  cv::equalizeHist(gray, gray);
  std::vector<cv::Rect> faces;
  models.face_detector->detectMultiScale(gray, faces, 1.1, 4, 0, cv::Size(24, 24));
  ASSERT_FALSE(faces.empty()) << "test photo should contain a detectable face";
  const cv::Rect biggest = *std::max_element(faces.begin(), faces.end(),
                                             [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });

  const Thumbnail thumb{100, Crop::Smart};
  OperationContext context{&models, {}};
  const cv::Rect window = thumb.crop_window(image, context);
  const Size scaled = thumb.resample_size(image.size());
  const double face_x = (biggest.x + biggest.width / 2.0) * scaled.width / image.cols;
  const cv::Rect centre((scaled.width - 100) / 2, 0, 100, 100);
  EXPECT_EQ(window.size(), Size(100, 100));
  EXPECT_GE(face_x, window.x + 20) << "face should be well inside the window";
  EXPECT_LE(face_x, window.x + 80);
  EXPECT_LT(window.x, centre.x - 20) << "window should move towards the face";
  EXPECT_EQ(run("thumbnail=100,crop=smart", image, &models).size(), Size(100, 100));
}

}  // namespace
}  // namespace imgpool::core
