// End-to-end tests of scale-out: --shard K/N and auto, resuming a killed shard with --skip-existing,
// and `imgpool report merge`.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <imgpool/core/batch/shard.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::CliEnvironment;
using imgpool::test::list_files;
using imgpool::test::run_imgpool;
using imgpool::test::ScratchDir;

namespace {

const fs::path kSamples = IMGPOOL_SAMPLES;

// the variables --shard auto reads, removed so that a test run inside a Slurm job is not confused
const std::vector<std::string> kSchedulerVariables = {
    "SLURM_ARRAY_TASK_ID",   "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX", "IMGPOOL_SHARD_COUNT"};

CliEnvironment scheduler(std::vector<std::pair<std::string, std::string>> set) {
  return {std::move(set), kSchedulerVariables};
}

// the sample images, in `dir` and again in `dir/sub` (so that shards also split a recursive walk)
std::size_t make_input_tree(const fs::path& dir) {
  std::size_t n = 0;
  for (const fs::path& sub : {dir, dir / "sub"}) {
    fs::create_directories(sub);
    for (const auto& e : fs::directory_iterator(kSamples)) {
      if (e.path().extension() == ".md") continue;
      fs::copy_file(e.path(), sub / e.path().filename());
      ++n;
    }
  }
  return n;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<nlohmann::json> read_report(const fs::path& p) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

std::vector<std::string> visible_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& f : list_files(dir)) {
    if (fs::path(f).filename().string().front() != '.') out.push_back(f);
  }
  return out;
}

// runs the four shards of `args` (a batch command without --shard) with reports shard-K.jsonl in `dir`
std::vector<std::string> run_four_shards(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> reports;
  for (int k = 0; k < 4; ++k) {
    reports.push_back((dir / fmt::format("shard-{}.jsonl", k)).string());
    auto shard_args = args;
    shard_args.insert(shard_args.end(), {"--shard", fmt::format("{}/4", k), "--report", reports.back()});
    const auto run = run_imgpool(shard_args);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  }
  return reports;
}

nlohmann::json merge(std::vector<std::string> reports, int expected_exit) {
  reports.insert(reports.begin(), {"report", "merge", "--json"});
  const auto run = run_imgpool(reports);
  EXPECT_EQ(run.exit_code, expected_exit) << run.out << run.err;
  return nlohmann::json::parse(run.out);
}

}  // namespace

TEST(shard_cli, four_shards_process_each_input_once_and_match_a_single_run) {
  ScratchDir dir;
  const std::size_t inputs = make_input_tree(dir / "in");
  const std::vector<std::string> args = {"thumbnail", (dir / "in").string(), "-r", "--size", "64"};

  auto single_args = args;
  single_args.insert(single_args.end(), {"-o", (dir / "single").string()});
  ASSERT_EQ(run_imgpool(single_args).exit_code, 0);

  auto shard_args = args;
  shard_args.insert(shard_args.end(), {"-o", (dir / "sharded").string()});
  const auto reports = run_four_shards(shard_args, dir.path());

  const auto files = list_files(dir / "single");
  ASSERT_EQ(files.size(), inputs);
  ASSERT_EQ(list_files(dir / "sharded"), files);
  for (const auto& f : files) EXPECT_EQ(slurp(dir / "sharded" / f), slurp(dir / "single" / f)) << f;

  // each report: a header naming its shard, then one line per input of that shard; together, each input once
  std::map<std::string, int> seen;
  for (int k = 0; k < 4; ++k) {
    const auto lines = read_report(reports[static_cast<std::size_t>(k)]);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0]["shard"], k);
    EXPECT_EQ(lines[0]["shards"], 4);
    EXPECT_EQ(lines[0]["total_inputs"], inputs);
    EXPECT_EQ(lines[0]["inputs"], lines.size() - 1);
    EXPECT_LT(lines.size() - 1, inputs) << "shard " << k << " took everything";
    for (std::size_t i = 1; i < lines.size(); ++i) {
      for (const char* field : {"input", "output", "status", "error", "width", "height", "ms"}) {
        EXPECT_TRUE(lines[i].contains(field)) << field;  // input lines keep their fields
      }
      ++seen[lines[i]["input"].get<std::string>()];
    }
  }
  EXPECT_EQ(seen.size(), inputs);
  for (const auto& [input, times] : seen) EXPECT_EQ(times, 1) << input;

  const auto merged = merge(reports, 0);
  EXPECT_EQ(merged["processed"], inputs);
  EXPECT_EQ(merged["shards"], 4);
  EXPECT_TRUE(merged["complete"].get<bool>());
}

TEST(shard_cli, json_summary_names_the_shard_and_bad_shards_touch_nothing) {
  ScratchDir dir;
  const std::string out = (dir / "out").string();
  const auto run = run_imgpool({"grayscale", kSamples.string(), "-o", out, "--shard", "2/3", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["shard"], 2);
  EXPECT_EQ(json["shards"], 3);

  const std::string untouched = (dir / "untouched").string();
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--shard", "3/3"},
                                              std::vector<std::string>{"--shard", "1/4/2"},
                                              std::vector<std::string>{"--shard", "one"},
                                              std::vector<std::string>{"--shard-count", "4"},
                                              std::vector<std::string>{"--shard", "1/4", "--shard-count", "3"}}) {
    std::vector<std::string> args = {"grayscale", kSamples.string(), "-o", untouched};
    args.insert(args.end(), bad.begin(), bad.end());
    const auto refused = run_imgpool(args, scheduler({}));
    EXPECT_EQ(refused.exit_code, 2) << bad.back() << refused.err;
    EXPECT_FALSE(fs::exists(untouched)) << bad.back();
  }
}

TEST(shard_cli, shard_auto_reads_slurm_and_kubernetes_and_fails_without_them) {
  ScratchDir dir;
  const std::vector<std::string> base = {"thumbnail", kSamples.string(), "--size", "48", "--json"};
  auto single = base;
  single.insert(single.end(), {"-o", (dir / "single").string()});
  ASSERT_EQ(run_imgpool(single).exit_code, 0);

  const std::string none = (dir / "none").string();
  auto without = base;
  without.insert(without.end(), {"-o", none, "--shard", "auto"});
  const auto refused = run_imgpool(without, scheduler({}));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("SLURM_ARRAY_TASK_ID"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("JOB_COMPLETION_INDEX"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(none));

  // an Indexed Job without its count is refused too, naming the variable to set
  auto k8s_no_count = without;
  const auto no_count = run_imgpool(k8s_no_count, scheduler({{"JOB_COMPLETION_INDEX", "1"}}));
  EXPECT_EQ(no_count.exit_code, 2);
  EXPECT_NE(no_count.err.find("IMGPOOL_SHARD_COUNT"), std::string::npos) << no_count.err;

  // Slurm --array=1-4 (IDs from 1) and an Indexed Job of 4 completions both give shards 0..3
  for (const std::string kind : {"slurm", "k8s"}) {
    const std::string out = (dir / kind).string();
    for (int k = 0; k < 4; ++k) {
      const auto env = kind == "slurm" ? scheduler({{"SLURM_ARRAY_TASK_ID", std::to_string(k + 1)},
                                                    {"SLURM_ARRAY_TASK_MIN", "1"},
                                                    {"SLURM_ARRAY_TASK_MAX", "4"},
                                                    {"SLURM_ARRAY_TASK_COUNT", "4"}})
                                       : scheduler({{"JOB_COMPLETION_INDEX", std::to_string(k)},
                                                    {"IMGPOOL_SHARD_COUNT", "4"}});
      auto args = base;
      args.insert(args.end(), {"-o", out, "--shard", "auto"});
      const auto run = run_imgpool(args, env);
      ASSERT_EQ(run.exit_code, 0) << kind << k << run.err;
      const auto json = nlohmann::json::parse(run.out);
      EXPECT_EQ(json["shard"], k) << kind;
      EXPECT_EQ(json["shards"], 4) << kind;
    }
    EXPECT_EQ(list_files(out), list_files(dir / "single")) << kind;
  }
}

TEST(shard_cli, killed_shard_run_again_with_skip_existing_redoes_only_what_is_missing) {
  ScratchDir dir;
  constexpr int kCopies = 80;
  fs::create_directories(dir / "in");
  std::set<std::string> expected;  // the outputs of shard 1 of 4
  for (int i = 0; i < kCopies; ++i) {
    const std::string name = fmt::format("copy{}.jpg", i);
    fs::copy_file(kSamples / "landscape-elephants.jpg", dir / "in" / name);
    if (imgpool::core::shard_of(name, 4) == 1) expected.insert(fmt::format("copy{}.png", i));
  }
  const std::string bin = IMGPOOL_BIN;
  const std::string in = (dir / "in").string();
  const std::string out = (dir / "out").string();
  std::vector<std::string> args = {bin,        "run",  in,        "-o",      out,   "--op",    "resize=800x600",
                                   "--format", "png",  "-j",      "1",       "--chunk", "off", "--shard", "1/4",
                                   "--progress", "never"};

  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && (!fs::exists(out) || visible_files(out).size() < 3)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the shard finished before it could be killed";

  struct Stamp {
    ino_t inode;
    fs::file_time_type mtime;
  };
  std::map<std::string, Stamp> finished;
  for (const auto& f : visible_files(out)) {
    struct stat st {};
    ASSERT_EQ(stat((fs::path(out) / f).c_str(), &st), 0);
    finished[f] = {st.st_ino, fs::last_write_time(fs::path(out) / f)};
    EXPECT_TRUE(expected.count(f)) << f << " is not shard 1's";
  }
  ASSERT_GE(finished.size(), 3u);
  ASSERT_LT(finished.size(), expected.size()) << "nothing was left to resume";

  const std::string report = (dir / "resume.jsonl").string();
  std::vector<std::string> again(args.begin() + 1, args.end());
  again.insert(again.end(), {"--skip-existing", "--report", report, "--json"});
  const auto resumed = run_imgpool(again);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const auto summary = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(summary["skipped"], finished.size());
  EXPECT_EQ(summary["processed"], expected.size() - finished.size());

  for (const auto& [f, stamp] : finished) {  // finished outputs were not rewritten
    struct stat st {};
    ASSERT_EQ(stat((fs::path(out) / f).c_str(), &st), 0);
    EXPECT_EQ(st.st_ino, stamp.inode) << f;
    EXPECT_EQ(fs::last_write_time(fs::path(out) / f), stamp.mtime) << f;
  }
  const auto visible = visible_files(out);
  EXPECT_EQ(std::set<std::string>(visible.begin(), visible.end()), expected);
  // SIGKILL can leave the temporary file of the output being written: hidden, never a partial output
  for (const auto& f : list_files(out)) {
    if (f.front() == '.') {
      EXPECT_TRUE(f.ends_with(".tmp")) << f;
    }
  }
  std::size_t skipped_lines = 0;
  for (const auto& line : read_report(report)) {
    if (line.contains("status") && line["status"] == "skipped") {
      ++skipped_lines;
      EXPECT_TRUE(finished.count(fs::path(line["output"].get<std::string>()).filename().string()))
          << line.dump();
    }
  }
  EXPECT_EQ(skipped_lines, finished.size());
}

TEST(shard_cli, report_merge_flags_duplicates_missing_and_incomplete_shards) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (int i = 0; i < 24; ++i) {
    fs::copy_file(kSamples / "tiny-01.jpg", dir / "in" / fmt::format("t{}.jpg", i));
  }
  const auto reports = run_four_shards(
      {"grayscale", (dir / "in").string(), "-o", (dir / "out").string(), "--progress", "never"}, dir.path());

  const auto all = merge(reports, 0);
  EXPECT_EQ(all["inputs"], 24);
  EXPECT_EQ(all["processed"], 24);
  EXPECT_TRUE(all["duplicates"].empty());

  const auto missing = merge({reports[0], reports[1], reports[3]}, 1);
  EXPECT_EQ(missing["missing_shards"], nlohmann::json::array({2}));
  EXPECT_FALSE(missing["complete"].get<bool>());

  const auto twice = merge({reports[0], reports[1], reports[2], reports[3], reports[1]}, 1);
  EXPECT_EQ(twice["repeated_shards"], nlohmann::json::array({1}));
  EXPECT_EQ(twice["duplicates"].size(), read_report(reports[1]).size() - 1);
  EXPECT_EQ(twice["inputs"], 24);

  // a report cut short (its shard was killed) is incomplete; its torn last line is malformed, not fatal
  std::size_t victim = 0;
  while (read_report(reports[victim]).size() < 3) ++victim;
  const std::string text = slurp(reports[victim]);
  const std::string cut = (dir / "cut.jsonl").string();
  std::ofstream(cut) << text.substr(0, text.rfind('\n', text.size() - 2) + 10);
  auto with_cut = reports;
  with_cut[victim] = cut;
  const auto incomplete = merge(with_cut, 1);
  ASSERT_EQ(incomplete["incomplete_shards"].size(), 1u);
  EXPECT_EQ(incomplete["incomplete_shards"][0]["shard"], victim);
  EXPECT_EQ(incomplete["malformed"].size(), 1u);

  // the text form says what is wrong
  const auto text_run = run_imgpool({"report", "merge", reports[0], reports[1], reports[3]});
  EXPECT_EQ(text_run.exit_code, 1);
  EXPECT_NE(text_run.out.find("missing shards: 2"), std::string::npos) << text_run.out;

  // reports of unsharded runs merge too (no header: no shard checks), and failures are counted
  const std::string plain = (dir / "plain.jsonl").string();
  std::ofstream(dir / "in" / "broken.jpg") << "not an image";
  run_imgpool({"grayscale", (dir / "in").string(), "-o", (dir / "plain").string(), "--report", plain});
  const auto unsharded = merge({plain}, 1);
  EXPECT_TRUE(unsharded["shards"].is_null());
  EXPECT_EQ(unsharded["processed"], 24);
  EXPECT_EQ(unsharded["failed"], 1);
  EXPECT_TRUE(unsharded["complete"].get<bool>());

  EXPECT_EQ(run_imgpool({"report", "merge", (dir / "nope.jsonl").string()}).exit_code, 2);
}
