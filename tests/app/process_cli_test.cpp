// The process backend's command-line options: --max-tasks-per-child recycles workers (seen from outside,
// through a worker wrapper that logs each worker start) without changing any output, and is validated;
// the workers inherit OpenCV's pixel limit.

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::list_files;
using imgpool::test::run_imgpool;
using imgpool::test::ScratchDir;

namespace {

const fs::path kSamples = IMGPOOL_SAMPLES;
constexpr int kFiles = 5;

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A worker executable that appends `what` (shell words: its pid by default) to `log`, then becomes the
// real imgpool-worker (same pid).
fs::path logging_worker(const fs::path& dir, const fs::path& log, const std::string& what = "$$") {
  const fs::path real = fs::path(IMGPOOL_BIN).parent_path() / "imgpool-worker";
  const fs::path script = dir / "logging-worker.sh";
  std::ofstream(script) << "#!/bin/sh\necho " << what << " >> '" << log.string() << "'\nexec '" << real.string()
                        << "' \"$@\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

// the distinct worker pids `log` recorded, and how many starts it recorded
std::pair<std::set<std::string>, std::size_t> worker_starts(const fs::path& log) {
  std::ifstream in(log);
  std::set<std::string> pids;
  std::size_t starts = 0;
  for (std::string line; std::getline(in, line);) {
    pids.insert(line);
    ++starts;
  }
  return {pids, starts};
}

}  // namespace

TEST(process_cli, max_tasks_per_child_recycles_workers_and_keeps_the_outputs) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (int i = 0; i < kFiles; ++i) fs::copy_file(kSamples / "tiny-01.jpg", dir / "in" / ("copy" + std::to_string(i) + ".jpg"));
  struct Case {
    std::string name;
    std::vector<std::string> extra;
  };
  for (const Case& c : {Case{"plain", {}}, Case{"recycled", {"--max-tasks-per-child", "1"}}}) {
    const fs::path log = dir / (c.name + ".log");
    std::vector<std::string> args{"grayscale", (dir / "in").string(), "-o", (dir / c.name).string(), "-j", "1",
                                  "--chunk", "off", "--backend", "process", "--json"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const auto run = run_imgpool(args, {.set = {{"IMGPOOL_WORKER", logging_worker(dir.path(), log).string()}}});
    ASSERT_EQ(run.exit_code, 0) << c.name << ": " << run.err;
    EXPECT_EQ(nlohmann::json::parse(run.out)["processed"], kFiles) << c.name;
  }
  // One worker runs all five files one by one; recycled after every file, five workers (at least) did.
  const auto [plain_pids, plain_starts] = worker_starts(dir / "plain.log");
  EXPECT_EQ(plain_starts, 1u);
  const auto [recycled_pids, recycled_starts] = worker_starts(dir / "recycled.log");
  EXPECT_GE(recycled_pids.size(), static_cast<std::size_t>(kFiles));
  EXPECT_EQ(recycled_pids.size(), recycled_starts);
  // Recycling changes no output.
  const auto outputs = list_files(dir / "plain");
  ASSERT_EQ(outputs.size(), static_cast<std::size_t>(kFiles));
  ASSERT_EQ(list_files(dir / "recycled"), outputs);
  for (const auto& f : outputs) EXPECT_EQ(contents(dir / "plain" / f), contents(dir / "recycled" / f)) << f;
}

TEST(process_cli, max_tasks_per_child_must_be_a_positive_count) {
  ScratchDir dir;
  for (const std::string bad : {"0", "-1", "two", "1.5"}) {
    const auto run = run_imgpool({"grayscale", (kSamples / "tiny-01.jpg").string(), "-o", (dir / "out").string(),
                                  "--backend", "process", "--max-tasks-per-child", bad});
    EXPECT_EQ(run.exit_code, 2) << bad << ": " << run.err;
    EXPECT_NE(run.err.find("--max-tasks-per-child"), std::string::npos) << bad << ": " << run.err;
    EXPECT_FALSE(fs::exists(dir / "out" / "tiny-01.jpg")) << bad;  // refused before any file was touched
  }
  const auto ok = run_imgpool({"grayscale", (kSamples / "tiny-01.jpg").string(), "-o", (dir / "out").string(),
                               "--backend", "process", "--max-tasks-per-child", "3"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// OpenCV's own pixel limit is set to --max-pixels as a second wall behind imgpool's header checks, for
// the workers too (they inherit it); one the user exported is left as it is.
TEST(process_cli, opencv_gets_max_pixels_as_its_own_limit) {
  ScratchDir dir;
  const fs::path log = dir / "env.log";
  const std::vector<std::string> args = {"thumbnail", (kSamples / "tiny-01.jpg").string(), "-o", (dir / "out").string(),
                                         "-s", "32", "--backend", "process", "-j", "1", "--max-pixels", "5000000"};
  const auto worker = logging_worker(dir.path(), log, "\"[$OPENCV_IO_MAX_IMAGE_PIXELS]\"");
  const auto run = run_imgpool(args, {.set = {{"IMGPOOL_WORKER", worker.string()}}, .unset = {"OPENCV_IO_MAX_IMAGE_PIXELS"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(contents(log), "[5000000]\n");
  fs::remove(log);
  fs::remove_all(dir / "out");
  const auto mine = run_imgpool(args, {.set = {{"IMGPOOL_WORKER", worker.string()}, {"OPENCV_IO_MAX_IMAGE_PIXELS", "77"}}});
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_EQ(contents(log), "[77]\n");
}
