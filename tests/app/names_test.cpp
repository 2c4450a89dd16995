// Odd file names and paths through the imgpool command: spaces, Unicode, a newline, a leading dash, a
// path near PATH_MAX, and symlinks (followed inside the input folder; a loop is reported once instead of walked
// forever).

#include <limits.h>

#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::list_files;
using imgpool::test::read_report_by_input;
using imgpool::test::run_imgpool;
using imgpool::test::ScratchDir;

namespace {

const fs::path kJpeg = fs::path(IMGPOOL_SAMPLES) / "tiny-01.jpg";

}  // namespace

TEST(names, spaces_unicode_newline_and_dash_in_a_folder) {
  ScratchDir dir;
  const std::vector<std::string> names = {"a b  c.jpg", "caf\u00e9 \u65e5\u672c \U0001F4F7.jpg", "new\nline.jpg",
                                          "-x.jpg", "--help.jpg", " lead and trail .jpg"};
  fs::create_directories(dir / "in");
  for (const auto& n : names) fs::copy_file(kJpeg, dir / "in" / n);
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "32",
                                "--report", (dir / "r.jsonl").string()});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  std::vector<std::string> expected = names;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(list_files(dir / "out"), expected);
  const auto report = read_report_by_input(dir / "r.jsonl");  // one JSON line per file, even with a newline in its name
  ASSERT_EQ(report.size(), names.size());
  for (const auto& n : names) {
    const auto it = report.find((dir / "in" / n).string());
    ASSERT_NE(it, report.end()) << n;
    EXPECT_EQ(it->second["status"], "ok") << n;
  }
}

TEST(names, leading_dash_after_double_dash_is_an_input) {
  ScratchDir dir;
  fs::copy_file(kJpeg, dir / "-x.jpg");
  fs::copy_file(kJpeg, dir / "--size.jpg");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path());  // names passed bare, as a shell user would type them
  const auto run = run_imgpool({"thumbnail", "-o", "out", "-s", "32", "--", "-x.jpg", "--size.jpg"});
  fs::current_path(cwd);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{"--size.jpg", "-x.jpg"}));
}

TEST(names, path_near_path_max_with_recursive) {
  ScratchDir dir;
  // Components of 200 characters until the input's path is about PATH_MAX - 150: the output, under a
  // root of the same length, and its temporary file must still fit.
  fs::path relative;
  const std::string component(200, 'd');
  while ((dir / "in" / relative / component / "deep.jpg").string().size() < PATH_MAX - 150) relative /= component;
  ASSERT_GT((dir / "in" / relative).string().size(), PATH_MAX - 400u);
  fs::create_directories(dir / "in" / relative);
  fs::copy_file(kJpeg, dir / "in" / relative / "deep.jpg");
  fs::copy_file(kJpeg, dir / "in" / "top.jpg");
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "32", "-r"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{(relative / "deep.jpg").generic_string(), "top.jpg"}));
}

// Links out of the input folder are reported, not followed, unless --follow-symlinks; links inside it
// are followed, and a file reached by two names is processed once.
TEST(names, symlinked_files_and_folders_are_followed_once) {
  ScratchDir dir;
  fs::create_directories(dir / "in" / "real");
  fs::create_directories(dir / "elsewhere");
  fs::copy_file(kJpeg, dir / "in" / "real" / "a.jpg");
  fs::copy_file(kJpeg, dir / "elsewhere" / "b.jpg");
  fs::create_directory_symlink(dir / "elsewhere", dir / "in" / "linked");      // out of the input folder
  fs::create_symlink(dir / "in" / "real" / "a.jpg", dir / "in" / "alias.jpg");  // same file as real/a.jpg
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "32", "-r"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find((dir / "in" / "linked").string() +
                         ": symbolic link to outside the input folder, not followed (pass --follow-symlinks to "
                         "follow it)"),
            std::string::npos)
      << run.out;
  // alias.jpg sorts first, so the file is listed once, under that name
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{"alias.jpg"}));

  const auto followed = run_imgpool(
      {"thumbnail", (dir / "in").string(), "-o", (dir / "out2").string(), "-s", "32", "-r", "--follow-symlinks"});
  EXPECT_EQ(followed.exit_code, 0) << followed.out << followed.err;
  EXPECT_EQ(list_files(dir / "out2"), (std::vector<std::string>{"alias.jpg", "linked/b.jpg"}));
}

TEST(names, symlink_loop_is_reported_once_and_the_walk_ends) {
  ScratchDir dir;
  fs::create_directories(dir / "in" / "a" / "b");
  fs::copy_file(kJpeg, dir / "in" / "a" / "b" / "x.jpg");
  fs::create_directory_symlink(dir / "in", dir / "in" / "a" / "b" / "up");  // in/a/b/up -> in: a cycle
  fs::create_directory_symlink("..", dir / "in" / "a" / "self");             // in/a/self -> in: another
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "32", "-r",
                                "--report", (dir / "r.jsonl").string()});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;  // the loops are failed items, the file is done
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{"a/b/x.jpg"}));
  const auto report = read_report_by_input(dir / "r.jsonl");
  ASSERT_EQ(report.size(), 3u);
  EXPECT_EQ(report.at((dir / "in" / "a" / "b" / "x.jpg").string())["status"], "ok");
  for (const char* loop : {"a/b/up", "a/self"}) {
    const auto it = report.find((dir / "in" / loop).string());
    ASSERT_NE(it, report.end()) << loop;
    EXPECT_EQ(it->second["status"], "failed");
    EXPECT_NE(it->second["error"].get<std::string>().find("symlink loop"), std::string::npos) << it->second;
  }
}

TEST(names, broken_symlink_is_a_failed_item) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kJpeg, dir / "in" / "good.jpg");
  fs::create_symlink(dir / "gone.jpg", dir / "in" / "dangling.jpg");
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "32",
                                "--report", (dir / "r.jsonl").string()});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{"good.jpg"}));
  const auto report = read_report_by_input(dir / "r.jsonl");
  const auto it = report.find((dir / "in" / "dangling.jpg").string());
  ASSERT_NE(it, report.end());
  EXPECT_EQ(it->second["status"], "failed");
  EXPECT_NE(it->second["error"].get<std::string>().find("broken symlink"), std::string::npos) << it->second;
}
