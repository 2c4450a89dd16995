#include <imgpool/core/batch.hpp>
#include <imgpool/core/inputs.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;

ScanOptions recursive() {
  ScanOptions options;
  options.recursive = true;
  return options;
}

std::vector<std::string> relatives(const ScanResult& scan) {
  std::vector<std::string> out;
  for (const auto& f : scan.files) out.push_back(f.relative.generic_string());
  return out;
}

TEST(scan_inputs, symlink_loop_is_one_problem_and_the_walk_ends) {
  test::TempDir dir;
  fs::create_directories(dir / "in/a/b");
  fs::copy_file(test::data_path("photo.jpg"), dir / "in/a/b/x.jpg");
  fs::create_directory_symlink("../..", dir / "in/a/b/up");  // -> in
  const ScanResult scan = scan_inputs({dir / "in"}, recursive());
  EXPECT_EQ(relatives(scan), (std::vector<std::string>{"a/b/x.jpg"}));
  ASSERT_EQ(scan.problems.size(), 1u);
  EXPECT_EQ(scan.problems[0].path, dir / "in/a/b/up");
  EXPECT_NE(scan.problems[0].error.find("symlink loop"), std::string::npos);
}

TEST(scan_inputs, folder_reached_by_many_links_is_walked_once) {
  // f0 holds two links to f1, f1 two to f2, ...: 2^n ways down without a loop. Walking each way would
  // take 2^20 walks; each folder is walked once (first way in sorted order), its files listed once.
  test::TempDir dir;
  constexpr int kDepth = 20;
  for (int i = 0; i <= kDepth; ++i) fs::create_directories(dir / ("in/f" + std::to_string(i)));
  for (int i = 0; i < kDepth; ++i) {
    const fs::path next = dir / ("in/f" + std::to_string(i + 1));
    fs::create_directory_symlink(next, dir / ("in/f" + std::to_string(i) + "/l1"));
    fs::create_directory_symlink(next, dir / ("in/f" + std::to_string(i) + "/l2"));
  }
  fs::copy_file(test::data_path("photo.jpg"), dir / ("in/f" + std::to_string(kDepth) + "/z.jpg"));
  const auto start = std::chrono::steady_clock::now();
  const ScanResult scan = scan_inputs({dir / "in/f0"}, recursive());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(scan.files.size(), 1u);
  EXPECT_EQ(scan.files[0].relative.filename(), "z.jpg");
  EXPECT_TRUE(scan.problems.empty());
}

TEST(scan_inputs, broken_symlink_with_an_image_name_is_a_problem) {
  test::TempDir dir;
  fs::create_directories(dir / "in");
  fs::create_symlink(dir / "missing.jpg", dir / "in/dangling.jpg");
  fs::create_symlink(dir / "missing.txt", dir / "in/dangling.txt");  // not an image name: ignored like any .txt
  const ScanResult scan = scan_inputs({dir / "in"}, {});
  EXPECT_TRUE(scan.files.empty());
  ASSERT_EQ(scan.problems.size(), 1u);
  EXPECT_EQ(scan.problems[0].path, dir / "in/dangling.jpg");
  EXPECT_NE(scan.problems[0].error.find("broken symlink"), std::string::npos);
}

// Files that vanish or turn into folders between the scan and their turn are failed items with the
// OS's reason; the rest of the batch is unaffected.
TEST(run_batch, file_that_vanishes_after_the_scan_fails_alone) {
  test::TempDir dir;
  fs::create_directories(dir / "in");
  for (const char* name : {"a.jpg", "gone.jpg", "now-a-folder.jpg", "z.jpg"}) {
    fs::copy_file(test::data_path("photo.jpg"), dir / "in" / name);
  }
  const ScanResult scan = scan_inputs({dir / "in"}, {});
  ASSERT_EQ(scan.files.size(), 4u);
  const BatchPlan plan = plan_batch(scan.files, dir / "out", Format::Same);
  ASSERT_EQ(plan.items.size(), 4u);
  fs::remove(dir / "in/gone.jpg");
  fs::remove(dir / "in/now-a-folder.jpg");
  fs::create_directory(dir / "in/now-a-folder.jpg");

  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=32"});
  BatchOptions batch;
  batch.workers = 2;
  std::map<std::string, FileResult> results;
  const BatchSummary summary = run_batch(plan.items, options, batch, [&](const FileResult& r) {
    results[r.input.filename().string()] = r;
  });
  EXPECT_EQ(summary.processed, 2u);
  EXPECT_EQ(summary.failed, 2u);
  EXPECT_EQ(results["a.jpg"].status, Status::Ok);
  EXPECT_EQ(results["z.jpg"].status, Status::Ok);
  EXPECT_EQ(results["gone.jpg"].status, Status::Failed);
  EXPECT_EQ(results["gone.jpg"].error, "cannot read: No such file or directory");
  EXPECT_EQ(results["now-a-folder.jpg"].status, Status::Failed);
  EXPECT_EQ(results["now-a-folder.jpg"].error, "cannot read: Is a directory");
  std::vector<std::string> outputs;
  for (const auto& e : fs::recursive_directory_iterator(dir / "out")) outputs.push_back(e.path().filename().string());
  std::sort(outputs.begin(), outputs.end());
  EXPECT_EQ(outputs, (std::vector<std::string>{"a.jpg", "z.jpg"}));  // no temporary left for the failures
}

}  // namespace
}  // namespace imgpool::core
