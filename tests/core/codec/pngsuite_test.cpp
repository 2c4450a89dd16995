// PngSuite (Willem van Schaik, tests/data/pngsuite): every valid file must thumbnail through the file
// job, every corrupt x*.png must fail with a reason.

#include <imgpool/core/job/file_job.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> suite_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(test::data_path("pngsuite"))) {
    if (entry.path().extension() == ".png") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(pngsuite, has_the_whole_suite) { EXPECT_GE(suite_files().size(), 170u); }

TEST(pngsuite, valid_files_thumbnail) {
  test::TempDir out;
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=16"});
  int checked = 0;
  for (const fs::path& file : suite_files()) {
    if (file.filename().string().front() == 'x') continue;
    const FileResult r = run_file_job(file, out / file.filename().string(), options, nullptr);
    EXPECT_EQ(r.status, Status::Ok) << file.filename() << ": " << r.error;
    EXPECT_LE(std::max(r.width, r.height), 16) << file.filename();
    EXPECT_GT(r.width, 0) << file.filename();
    ++checked;
  }
  EXPECT_GE(checked, 150);
}

TEST(pngsuite, corrupt_files_fail_with_reason) {
  test::TempDir out;
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=16"});
  int checked = 0;
  for (const fs::path& file : suite_files()) {
    if (file.filename().string().front() != 'x') continue;
    const FileResult r = run_file_job(file, out / file.filename().string(), options, nullptr);
    EXPECT_EQ(r.status, Status::Failed) << file.filename();
    EXPECT_FALSE(r.error.empty()) << file.filename();
    ++checked;
  }
  EXPECT_EQ(checked, 14);
  EXPECT_TRUE(out.files().empty());
}

}  // namespace
}  // namespace imgpool::core
