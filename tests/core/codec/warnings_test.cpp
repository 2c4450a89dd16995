// Decoder warnings are kept per file, in its result, never written raw to stderr; FailOn::Warning
// fails a warned-about file before its output is written (issue 14, "decoder warnings").

#include <imgpool/core/batch/memory_batch.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/job/file_job.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "codec/warnings.hpp"
#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;

// A JPEG with 3 bytes of garbage after APP0: libjpeg warns "extraneous bytes before marker" and decodes.
std::vector<std::uint8_t> jpeg_with_extraneous_bytes() {
  auto jpeg = test::encoded(test::corner_image(64, 48), ".jpg");
  const std::size_t next = 4 + ((std::size_t{jpeg[4]} << 8) | jpeg[5]);
  jpeg.insert(jpeg.begin() + static_cast<std::ptrdiff_t>(next), {0x00, 0x00, 0x00});
  return jpeg;
}

// A baseline TIFF whose PlanarConfiguration tag (284) is renumbered to 65000, a tag libtiff does not know.
std::vector<std::uint8_t> tiff_with_unknown_tag() {
  auto tiff = test::encoded(test::corner_image(32, 32), ".tiff");
  EXPECT_EQ(tiff[0], 'I');
  const std::size_t ifd = tiff[4] | tiff[5] << 8 | tiff[6] << 16 | std::size_t{tiff[7]} << 24;
  const std::size_t count = tiff[ifd] | tiff[ifd + 1] << 8;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = ifd + 2 + 12 * i;
    if ((tiff[at] | tiff[at + 1] << 8) == 284) {
      tiff[at] = 65000 & 0xFF;
      tiff[at + 1] = 65000 >> 8;
      return tiff;
    }
  }
  ADD_FAILURE() << "no PlanarConfiguration tag";
  return tiff;
}

JobOptions thumbnail(FailOn fail_on = FailOn::Error) {
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=32"});
  options.encode.format = Format::Png;
  options.fail_on = fail_on;
  return options;
}

bool any_starts_with(const std::vector<std::string>& warnings, const std::string& prefix) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.rfind(prefix, 0) == 0; });
}

TEST(warnings, each_file_keeps_its_own_and_the_file_is_processed) {
  test::TempDir dir;
  test::write_bytes(dir / "extra.jpg", jpeg_with_extraneous_bytes());
  test::write_bytes(dir / "tag.tif", tiff_with_unknown_tag());
  test::write_bytes(dir / "clean.png", test::encoded(test::corner_image(64, 48), ".png"));
  const FileResult jpeg = run_file_job(dir / "extra.jpg", dir / "out/extra.png", thumbnail(), nullptr);
  EXPECT_EQ(jpeg.status, Status::Ok) << jpeg.error;
  EXPECT_EQ(jpeg.warnings, (std::vector<std::string>{"JPEG: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb"}));
  const FileResult tiff = run_file_job(dir / "tag.tif", dir / "out/tag.png", thumbnail(), nullptr);
  EXPECT_EQ(tiff.status, Status::Ok) << tiff.error;
  ASSERT_FALSE(tiff.warnings.empty());
  EXPECT_TRUE(any_starts_with(tiff.warnings, "TIFF: TIFFReadDirectory: Unknown field with tag 65000")) << tiff.warnings[0];
  const FileResult clean = run_file_job(dir / "clean.png", dir / "out/clean.png", thumbnail(), nullptr);
  EXPECT_EQ(clean.status, Status::Ok);
  EXPECT_TRUE(clean.warnings.empty()) << clean.warnings[0];  // nothing carried over from the files before
}

TEST(warnings, fail_on_warning_fails_the_file_before_writing) {
  test::TempDir dir;
  test::write_bytes(dir / "extra.jpg", jpeg_with_extraneous_bytes());
  const FileResult r = run_file_job(dir / "extra.jpg", dir / "out/extra.png", thumbnail(FailOn::Warning), nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error,
            "warning: JPEG: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb (fail_on is FailOn::Warning)");
  EXPECT_FALSE(fs::exists(dir / "out/extra.png"));
  EXPECT_THROW(process_encoded(jpeg_with_extraneous_bytes(), thumbnail(FailOn::Warning), nullptr), ImageError);
  EXPECT_NO_THROW(process_encoded(jpeg_with_extraneous_bytes(), thumbnail(), nullptr));
}

// OpenCV 4.6's imgcodecs writes its errors to std::cerr; they belong to the file, not to the terminal.
TEST(warnings, what_opencv_writes_to_stderr_goes_to_the_file_instead) {
  test::TempDir dir;
  std::string ppm = "P6\n64 64\n255\n";
  ppm.append(100, '\x7f');  // 100 of the 12,288 bytes its header promises
  test::write_bytes(dir / "short.ppm", std::vector<std::uint8_t>(ppm.begin(), ppm.end()));
  testing::internal::CaptureStderr();
  const FileResult r = run_file_job(dir / "short.ppm", dir / "out/short.png", thumbnail(), nullptr);
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed, "");
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error, "corrupt image (OpenCV cannot decode it)");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("Unexpected end of input stream"), std::string::npos) << r.warnings[0];
}

TEST(warnings, std_cerr_on_other_threads_still_reaches_stderr) {
  detail::route_std_cerr_to_captures();
  testing::internal::CaptureStderr();
  {
    const detail::WarningCapture capture;  // on this thread only
    std::thread([] { std::cerr << "from another thread\n"; }).join();
    std::cerr << "captured\n";
  }
  std::cerr << "after\n";
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "from another thread\nafter\n");
}

TEST(warnings, a_capture_keeps_ten_distinct_lines_and_counts_the_rest) {
  detail::WarningCapture capture;
  detail::note_warning("TIFF", "same\n");
  detail::note_warning("TIFF", "same");
  for (int i = 0; i < 20; ++i) detail::note_warning("TIFF", "tag " + std::to_string(i));
  const auto warnings = capture.take();
  ASSERT_EQ(warnings.size(), 11u);
  EXPECT_EQ(warnings[0], "TIFF: same");
  EXPECT_EQ(warnings[9], "TIFF: tag 8");
  EXPECT_EQ(warnings[10], "... and 11 more warnings");
  EXPECT_TRUE(capture.take().empty());
}

TEST(warnings, memory_batch_results_carry_them) {
  std::vector<MemoryItem> items(2);
  items[0].name = "extra.jpg";
  items[0].bytes = jpeg_with_extraneous_bytes();
  items[1].name = "clean.png";
  items[1].bytes = test::encoded(test::corner_image(64, 48), ".png");
  MemoryBatchOptions batch;
  batch.workers = 1;
  MemoryBatch run(std::move(items), thumbnail(), batch);
  const MemoryResult extra = run.futures()[0].result(std::chrono::seconds(30));
  const MemoryResult clean = run.futures()[1].result(std::chrono::seconds(30));
  EXPECT_EQ(extra.status, Status::Ok) << extra.error;
  EXPECT_EQ(extra.warnings.size(), 1u);
  EXPECT_TRUE(clean.warnings.empty());
}

}  // namespace
}  // namespace imgpool::core
