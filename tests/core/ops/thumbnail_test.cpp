#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/ops/pipeline.hpp>
#include <imgpool/core/ops/thumbnail.hpp>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "run_operation.hpp"

namespace imgpool::core {
namespace {

using test::expect_size;
using test::run;

TEST(thumbnail, fits_box_keeping_aspect) {
  expect_size("thumbnail=100", {400, 200}, {100, 50});
  expect_size("thumbnail=100", {200, 400}, {50, 100});
  expect_size("thumbnail=100", {1000, 3}, {100, 1});  // never a zero side
}

TEST(thumbnail, never_enlarges) {
  expect_size("thumbnail=500", {400, 200}, {400, 200});
  expect_size("thumbnail=500,crop=centre", {400, 200}, {400, 200});
  expect_size("thumbnail=100,crop=centre", {1000, 50}, {100, 50});
}

TEST(thumbnail, crop_centre_is_exactly_n_by_n) {
  expect_size("thumbnail=64,crop=centre", {400, 200}, {64, 64});
  expect_size("thumbnail=64,crop=center", {200, 400}, {64, 64});
  // the middle of a tall image is kept: top (red/green) and bottom (blue/white) rows are cut
  const cv::Mat out = run("thumbnail=64,crop=centre", test::corner_image(100, 400));
  const cv::Vec3b top_left = out.at<cv::Vec3b>(0, 0);
  EXPECT_GT(top_left[0], 60);  // already part blue
  EXPECT_LT(top_left[0], 200);
}

TEST(thumbnail, kernel_parses_round_trips_and_rejects_unknown) {
  EXPECT_EQ(parse_operation("thumbnail=256,kernel=area").spec(), "thumbnail=256,kernel=area");
  EXPECT_EQ(parse_operation("thumbnail=256, kernel=nearest ,crop=center").spec(), "thumbnail=256,crop=centre,kernel=nearest");
  EXPECT_EQ(parse_operation("thumbnail=256,crop=smart,kernel=lanczos3").spec(), "thumbnail=256,crop=smart");
  EXPECT_EQ(parse_operation("thumbnail=256").get_if<Thumbnail>()->kernel, Kernel::Lanczos3);
  EXPECT_THROW(parse_operation("thumbnail=256,kernel=lanczos"), UsageError);
  EXPECT_THROW(parse_operation("thumbnail=256,kernel=Area"), UsageError);
}

TEST(thumbnail, smart_crop_needs_the_face_model) {
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

TEST_F(smart_crop, keeps_alpha_and_reads_luma_of_alpha_images) {
  cv::Mat bgra;
  cv::cvtColor(test::corner_image(400, 200), bgra, cv::COLOR_BGR2BGRA);
  EXPECT_EQ(run("thumbnail=64,crop=smart", bgra, &models).type(), CV_8UC4);
  const cv::Mat gray_alpha = run("grayscale", bgra);
  ASSERT_EQ(gray_alpha.type(), CV_8UC2);
  const cv::Mat out = run("thumbnail=64,crop=smart", gray_alpha, &models);
  EXPECT_EQ(out.size(), Size(64, 64));
  EXPECT_EQ(out.type(), CV_8UC2);
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
