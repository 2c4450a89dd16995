#include <imgpool/core/batch/plan.hpp>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;

// Refusals keep scan order and their reasons: an output that is an input file, and outputs already taken
// by an earlier input (the first keeps it, every later one is refused naming it).
TEST(plan_batch, refuses_outputs_that_are_inputs_or_already_taken) {
  test::TempDir dir;
  fs::create_directories(dir / "in");
  for (const char* name : {"a.jpg", "a.png", "a.webp", "b.png", "c.png"}) {
    fs::copy_file(test::data_path("photo.jpg"), dir / "in" / name);
  }
  const ScanResult scan = scan_inputs({dir / "in"}, {});
  ASSERT_EQ(scan.files.size(), 5u);
  // -o is the input folder: a.jpg would overwrite itself, a.png and a.webp would overwrite the input a.jpg
  const BatchPlan in_place = plan_batch(scan.files, dir / "in", Format::Jpeg);
  ASSERT_EQ(in_place.size(), 2u);
  EXPECT_EQ(in_place[0].input, dir / "in/b.png");
  EXPECT_EQ(in_place[0].output, dir / "in/b.jpg");
  EXPECT_EQ(in_place[1].input, dir / "in/c.png");
  ASSERT_EQ(in_place.refused.size(), 3u);
  for (const auto& r : in_place.refused) EXPECT_NE(r.error.find("would overwrite an input"), std::string::npos);
  // elsewhere: a.jpg keeps out/a.jpg; a.png and a.webp are refused, naming a.jpg
  const BatchPlan out = plan_batch(scan.files, dir / "out", Format::Jpeg);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].input, dir / "in/a.jpg");
  EXPECT_EQ(out[0].output, dir / "out/a.jpg");
  EXPECT_EQ(out[0].cost, scan.files[0].size);
  ASSERT_EQ(out.refused.size(), 2u);
  EXPECT_EQ(out.refused[0].input, dir / "in/a.png");
  EXPECT_EQ(out.refused[1].input, dir / "in/a.webp");
  for (const auto& r : out.refused) {
    EXPECT_EQ(r.status, Status::Failed);
    EXPECT_EQ(r.output, dir / "out/a.jpg");
    EXPECT_EQ(r.error, "output " + (dir / "out/a.jpg").string() + " is already the output of " + (dir / "in/a.jpg").string());
  }
}

// plan_batch judges "is an input" by the identity the scan recorded, not by statting the input again:
// an input whose recorded identity is that of an existing output is refused although its path names
// another file, and an input without a recorded identity (listed by hand) is stat'ed.
TEST(plan_batch, uses_the_identities_the_scan_recorded) {
  test::TempDir dir;
  fs::create_directories(dir / "in");
  fs::create_directories(dir / "out");
  fs::copy_file(test::data_path("photo.jpg"), dir / "in" / "a.jpg");
  fs::copy_file(test::data_path("photo.jpg"), dir / "in" / "b.jpg");
  std::ofstream(dir / "out" / "a.jpg") << "an output that exists";
  struct stat out_st {};
  ASSERT_EQ(::stat((dir / "out" / "a.jpg").c_str(), &out_st), 0);

  InputFile recorded{dir / "in" / "a.jpg", "a.jpg", 1, static_cast<std::uint64_t>(out_st.st_dev),
                     static_cast<std::uint64_t>(out_st.st_ino)};
  const BatchPlan refused = plan_batch(std::vector<InputFile>{recorded}, dir / "out", Format::Jpeg);
  EXPECT_EQ(refused.size(), 0u);
  ASSERT_EQ(refused.refused.size(), 1u);
  EXPECT_EQ(refused.refused[0].error, "output would overwrite an input file (choose another output folder)");

  // No recorded identity: the input is stat'ed, and b.jpg is not out/a.jpg.
  const InputFile unknown{dir / "in" / "b.jpg", "a.jpg", 1};
  const BatchPlan kept = plan_batch(std::vector<InputFile>{unknown}, dir / "out", Format::Jpeg);
  EXPECT_EQ(kept.size(), 1u);
  EXPECT_TRUE(kept.refused.empty());
  // ... and one that is the output by stat is refused all the same.
  const InputFile same{dir / "out" / "a.jpg", "a.jpg", 1};
  EXPECT_EQ(plan_batch(std::vector<InputFile>{same}, dir / "out", Format::Jpeg).refused.size(), 1u);
}

}  // namespace
}  // namespace imgpool::core
