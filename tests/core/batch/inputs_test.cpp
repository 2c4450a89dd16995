#include <sys/stat.h>

#include <imgpool/core/batch/batch.hpp>
#include <imgpool/core/batch/inputs.hpp>

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
  ScanOptions follow = recursive();
  follow.follow_symlinks = true;  // f1.. are beside the input folder f0, not in it
  const ScanResult scan = scan_inputs({dir / "in/f0"}, follow);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(scan.files.size(), 1u);
  EXPECT_EQ(scan.files[0].relative.filename(), "z.jpg");
  EXPECT_TRUE(scan.problems.empty());
}

// Issue 14 (input walk policy): a link planted in the input tree must not make a run read a file from
// elsewhere (and put its thumbnail in -o). Links that stay inside the input folder are followed.
TEST(scan_inputs, symlinks_out_of_the_input_folder_are_problems_unless_followed) {
  test::TempDir dir;
  fs::create_directories(dir / "in/sub");
  fs::create_directories(dir / "private/album");
  fs::copy_file(test::data_path("photo.jpg"), dir / "in/sub/own.jpg");
  fs::copy_file(test::data_path("photo.jpg"), dir / "private/secret.jpg");
  fs::copy_file(test::data_path("photo.jpg"), dir / "private/album/more.jpg");
  fs::create_symlink(dir / "private/secret.jpg", dir / "in/file-out.jpg");
  fs::create_directory_symlink("../private/album", dir / "in/folder-out");
  fs::create_symlink("sub/own.jpg", dir / "in/file-in.jpg");  // the same file as sub/own.jpg: listed once
  fs::create_directory_symlink("sub", dir / "in/folder-in");
  fs::create_directory_symlink(dir / "in", dir / "in-link");  // the root itself may be a link

  for (const fs::path& root : {dir / "in", dir / "in-link"}) {
    const ScanResult scan = scan_inputs({root}, recursive());
    EXPECT_EQ(relatives(scan), (std::vector<std::string>{"file-in.jpg"})) << root;
    ASSERT_EQ(scan.problems.size(), 2u) << root;
    EXPECT_EQ(scan.problems[0].path, root / "file-out.jpg");
    EXPECT_EQ(scan.problems[1].path, root / "folder-out");
    for (const auto& p : scan.problems) {
      EXPECT_EQ(p.error, "symbolic link to outside the input folder, not followed (set "
                         "ScanOptions::follow_symlinks to follow it)");
    }
  }
  ScanOptions follow = recursive();
  follow.follow_symlinks = true;
  const ScanResult scan = scan_inputs({dir / "in"}, follow);
  EXPECT_EQ(relatives(scan), (std::vector<std::string>{"file-in.jpg", "file-out.jpg", "folder-out/more.jpg"}));
  EXPECT_TRUE(scan.problems.empty());
  // an input named on its own is the user's choice: read, wherever a link leads
  EXPECT_EQ(scan_inputs({dir / "in/file-out.jpg"}, {}).files.size(), 1u);
}

// The run's own output folder inside an input tree is not walked: its outputs are no inputs.
TEST(scan_inputs, skip_folders_are_left_out_by_identity) {
  test::TempDir dir;
  fs::create_directories(dir / "in/thumbs/deeper");
  fs::create_directories(dir / "in/other");
  for (const char* name : {"in/a.jpg", "in/thumbs/a.jpg", "in/thumbs/deeper/b.jpg", "in/other/c.jpg"}) {
    fs::copy_file(test::data_path("photo.jpg"), dir / name);
  }
  fs::create_directory_symlink("thumbs", dir / "in/thumbs-link");  // the same folder by another name
  ScanOptions options = recursive();
  options.skip_folders = {dir / "in/./thumbs"};
  EXPECT_EQ(relatives(scan_inputs({dir / "in"}, options)), (std::vector<std::string>{"a.jpg", "other/c.jpg"}));
  EXPECT_EQ(relatives(scan_inputs({dir / "in"}, recursive())).size(), 4u);  // (thumbs once, by either name)
}

TEST(scan_inputs, named_files_keep_their_relative_folders_when_asked) {
  test::TempDir dir;
  fs::create_directories(dir / "a/b");
  fs::copy_file(test::data_path("photo.jpg"), dir / "a/b/x.jpg");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  ScanOptions keep;
  keep.keep_folders_of_named_files = true;
  const auto kept = relatives(scan_inputs({"a/./b/x.jpg"}, keep));
  const auto up = relatives(scan_inputs({"a/b/../b/x.jpg"}, keep));
  const auto plain = relatives(scan_inputs({"a/b/x.jpg"}, {}));
  const auto absolute = relatives(scan_inputs({dir / "a/b/x.jpg"}, keep));
  fs::current_path(cwd);
  EXPECT_EQ(kept, std::vector<std::string>{"a/b/x.jpg"});
  EXPECT_EQ(up, std::vector<std::string>{"x.jpg"});  // ".." could climb out of -o: the name alone
  EXPECT_EQ(plain, std::vector<std::string>{"x.jpg"});
  EXPECT_EQ(absolute, std::vector<std::string>{"x.jpg"});
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

// The streaming scan hands each file over as it is found, not after the whole walk: a file created by
// the callback for the first input's file is found in the second input.
TEST(scan_inputs, streams_each_file_as_it_is_found) {
  test::TempDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  fs::copy_file(test::data_path("photo.jpg"), dir / "a/first.jpg");
  std::vector<std::string> seen;
  scan_inputs(
      {dir / "a", dir / "b"}, {},
      [&](const InputFile& f) {
        seen.push_back(f.relative.string());
        if (seen.size() == 1) fs::copy_file(test::data_path("photo.jpg"), dir / "b/late.jpg");
      },
      [](const InputProblem& p) { ADD_FAILURE() << p.path << ": " << p.error; });
  EXPECT_EQ(seen, (std::vector<std::string>{"first.jpg", "late.jpg"}));
}

// The compact table gives back exactly the files it was given: folder files sharing a root, files named
// on their own, and a path that does not end with its relative path.
// The scan stats each file once and keeps what plan_batch needs from it: size, device and inode.
TEST(scan_inputs, records_each_files_size_and_identity) {
  test::TempDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(test::data_path("photo.jpg"), dir / "in" / "a.jpg");
  fs::create_symlink(dir / "in" / "a.jpg", dir / "b.jpg");
  const ScanResult scan = scan_inputs({dir / "in", dir / "b.jpg", dir / "in" / "a.jpg"}, {});
  ASSERT_EQ(scan.files.size(), 1u);  // one file by three names
  struct stat st {};
  ASSERT_EQ(::stat((dir / "in" / "a.jpg").c_str(), &st), 0);
  EXPECT_EQ(scan.files[0].size, static_cast<std::uint64_t>(st.st_size));
  EXPECT_EQ(scan.files[0].device, static_cast<std::uint64_t>(st.st_dev));
  EXPECT_EQ(scan.files[0].inode, static_cast<std::uint64_t>(st.st_ino));
}

TEST(input_table, rebuilds_each_file_exactly) {
  const std::vector<InputFile> files = {
      {"photos/2024/a.jpg", "2024/a.jpg", 10},
      {"photos/2024/b.jpg", "2024/b.jpg", 20},
      {"photos/c d.png", "c d.png", 0},
      {"b.jpg", "b.jpg", 3},
      {"/abs/x/y.webp", "y.webp", 4},
      {"other/dir/z.jpg", "elsewhere/z.jpg", 5},
      {"photos/e.jpg", "e.jpg", 6},
      {"photos/line\nbreak.jpg", "line\nbreak.jpg", 7, 64769, 1234567},
  };
  const InputTable table(files);
  ASSERT_EQ(table.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const InputFile f = table[i];
    EXPECT_EQ(f.path.native(), files[i].path.native()) << i;
    EXPECT_EQ(f.relative.native(), files[i].relative.native()) << i;
    EXPECT_EQ(f.size, files[i].size) << i;
    EXPECT_EQ(table.file_size(i), files[i].size) << i;
    EXPECT_EQ(f.device, files[i].device) << i;
    EXPECT_EQ(f.inode, files[i].inode) << i;
  }
  EXPECT_THROW((void)table[files.size()], std::out_of_range);
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
  ASSERT_EQ(plan.size(), 4u);
  fs::remove(dir / "in/gone.jpg");
  fs::remove(dir / "in/now-a-folder.jpg");
  fs::create_directory(dir / "in/now-a-folder.jpg");

  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=32"});
  BatchOptions batch;
  batch.workers = 2;
  std::map<std::string, FileResult> results;
  const BatchSummary summary = run_batch(plan, options, batch, [&](const FileResult& r) {
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
