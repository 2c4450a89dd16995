// The output side of the threat model, from outside, on both backends: a link inside the output
// folder never carries a write out of it (planted before the run, or swapped in while it runs), a rerun
// after a worker crash keeps the run's overwrite policy, and the temporary name never makes a legal
// output name illegal.

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::list_files;
using imgpool::test::read_report_by_input;
using imgpool::test::run_imgpool;
using imgpool::test::ScratchDir;

namespace {

const fs::path kSamples = IMGPOOL_SAMPLES;
const fs::path kJpeg = kSamples / "tiny-01.jpg";

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// every regular file under `dir` and the hash of its content
std::map<std::string, std::size_t> snapshot(const fs::path& dir) {
  std::map<std::string, std::size_t> files;
  for (const auto& f : list_files(dir)) files[f] = std::hash<std::string>{}(contents(dir / f));
  return files;
}

class security : public ::testing::TestWithParam<std::string> {
 protected:
  std::vector<std::string> with_backend(std::vector<std::string> args) const {
    args.insert(args.end(), {"--backend", GetParam()});
    return args;
  }
};

INSTANTIATE_TEST_SUITE_P(backends, security, ::testing::Values("thread", "process"));

}  // namespace

// `ln -s victim out/sub`: the outputs of in/sub/* are refused, one failure each with the reason, and
// the victim folder is left exactly as it was (same files, same bytes), with --overwrite and with a
// format change (which would add new files to it).
TEST_P(security, a_symlinked_folder_inside_the_output_is_refused_not_followed) {
  ScratchDir dir;
  fs::create_directories(dir / "in" / "sub");
  fs::create_directories(dir / "victim");
  fs::create_directories(dir / "out");
  fs::copy_file(kJpeg, dir / "in" / "sub" / "a.jpg");
  fs::copy_file(kJpeg, dir / "in" / "top.jpg");
  fs::copy_file(kSamples / "tiny-02.jpg", dir / "victim" / "a.jpg");
  fs::create_directory_symlink(dir / "victim", dir / "out" / "sub");
  const auto victim = snapshot(dir / "victim");
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--overwrite"}, {"--format", "png"}}) {
    std::vector<std::string> args{"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-r",
                                  "--size", "64", "--report", (dir / "r.jsonl").string(), "--report-mode", "replace"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto run = run_imgpool(with_backend(args));
    EXPECT_EQ(run.exit_code, 1) << extra[0] << ": " << run.out << run.err;
    EXPECT_EQ(snapshot(dir / "victim"), victim) << extra[0];
    const auto report = read_report_by_input(dir / "r.jsonl");
    ASSERT_EQ(report.size(), 2u) << extra[0];
    const auto& refused = report.at((dir / "in" / "sub" / "a.jpg").string());
    EXPECT_EQ(refused["status"], "failed") << extra[0];
    EXPECT_NE(refused["error"].dump().find("sub is a symbolic link"), std::string::npos) << refused["error"];
    EXPECT_EQ(report.at((dir / "in" / "top.jpg").string())["status"], "ok") << extra[0];
  }
  EXPECT_TRUE(fs::is_symlink(dir / "out" / "sub"));
}

// A helper thread swaps out/sub, again and again, between a real folder and a link to the input
// folder while batches of 100 files write into it with --overwrite. Whatever the timing, no input
// changes and nothing appears outside the output folder: a write either lands in the real folder or is
// refused (the link is never followed).
TEST_P(security, a_folder_swapped_for_a_link_to_the_inputs_mid_run_never_redirects_a_write) {
  ScratchDir dir;
  constexpr int kFiles = 100;
  fs::create_directories(dir / "in" / "sub");
  fs::create_directories(dir / "out" / "sub");
  for (int i = 0; i < kFiles; ++i) {
    fs::copy_file(i % 2 ? kJpeg : kSamples / "tiny-03.jpg", dir / "in" / "sub" / ("f" + std::to_string(i) + ".jpg"));
  }
  fs::create_directory_symlink(dir / "in" / "sub", dir / "out" / "sub-link");
  const auto inputs = snapshot(dir / "in");
  const std::vector<std::string> top = {"in", "out"};

  std::atomic<bool> done{false};
  std::atomic<long> swaps{0};
  std::thread swapper([&] {
    const std::string a = (dir / "out" / "sub").string(), b = (dir / "out" / "sub-link").string();
    while (!done.load()) {
      if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) ++swaps;
    }
  });
  for (int round = 0; round < 5; ++round) {
    const auto run = run_imgpool(with_backend({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-r",
                                               "--size", "32", "--overwrite", "-j", "4", "--chunk", "off"}));
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.exit_code << run.err;  // refusals fail items
  }
  done = true;
  swapper.join();
  EXPECT_GT(swaps.load(), 0);
  EXPECT_EQ(snapshot(dir / "in"), inputs);
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir.path())) entries.push_back(e.path().filename().string());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, top);
}

// A worker dies on its first attempt at crash.jpg after another run made that output meanwhile; the
// rerun (without --overwrite) must leave the other run's file and fail the item, not replace it.
// A worker that dies just after linking its own output in, though, is not refused by its rerun.
TEST(security_retry, a_rerun_after_a_worker_crash_keeps_the_runs_overwrite_policy) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kJpeg, dir / "in" / "crash.jpg");
  fs::copy_file(kJpeg, dir / "in" / "plain.jpg");
  for (const std::string mode : {"rival", "after-write"}) {
    const fs::path out = dir / ("out-" + mode);
    const fs::path report = dir / ("r-" + mode + ".jsonl");
    const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", out.string(), "--size", "32", "-j", "1",
                                  "--chunk", "off", "--backend", "process", "--report", report.string()},
                                 {.set = {{"IMGPOOL_WORKER", IMGPOOL_CRASH_WORKER}, {"IMGPOOL_TEST_CRASH", mode}}});
    const auto lines = read_report_by_input(report);
    ASSERT_EQ(lines.size(), 2u) << mode << run.err;
    EXPECT_EQ(lines.at((dir / "in" / "plain.jpg").string())["status"], "ok") << mode;
    const auto& crashed = lines.at((dir / "in" / "crash.jpg").string());
    if (mode == "rival") {
      EXPECT_EQ(run.exit_code, 1) << run.err;
      EXPECT_EQ(contents(out / "crash.jpg"), "rival");
      EXPECT_EQ(crashed["status"], "failed");
      EXPECT_NE(crashed["error"].dump().find("output exists"), std::string::npos) << crashed["error"];
    } else {
      EXPECT_EQ(run.exit_code, 0) << run.err;
      EXPECT_EQ(crashed["status"], "ok") << crashed["error"];
      EXPECT_NE(contents(out / "crash.jpg"), "rival");
    }
    EXPECT_EQ(list_files(out), (std::vector<std::string>{"crash.jpg", "plain.jpg"})) << mode;  // no temporary left
  }
}

// An output name of 250 bytes is legal; the temporary file that --overwrite goes through must be too.
TEST_P(security, a_250_byte_output_name_can_be_overwritten) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  const std::string name = std::string(246, 'n') + ".jpg";
  ASSERT_EQ(name.size(), 250u);
  fs::copy_file(kJpeg, dir / "in" / name);
  const std::vector<std::string> args{"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "--size", "32"};
  const auto first = run_imgpool(with_backend(args));
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  std::vector<std::string> again = args;
  again.push_back("--overwrite");
  const auto second = run_imgpool(with_backend(again));
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(list_files(dir / "out"), std::vector<std::string>{name});
}
