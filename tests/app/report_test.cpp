// The --report file and the summaries as a threat and a fault see them: names that are not UTF-8 or
// hold terminal escapes, a full disk, a file size limit, kill -9, a report path that is an input, and a
// report that exists.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::list_files;
using imgpool::test::run_imgpool;
using imgpool::test::ScratchDir;

namespace {

const fs::path kJpeg = fs::path(IMGPOOL_SAMPLES) / "tiny-01.jpg";
const fs::path kPhoto = fs::path(IMGPOOL_SAMPLES) / "landscape-dune.jpg";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// every line of the report is a whole JSON object and the file ends with a newline; returns the lines
std::vector<nlohmann::json> whole_lines(const fs::path& report) {
  const std::string text = slurp(report);
  if (!text.empty()) {
    EXPECT_EQ(text.back(), '\n') << "the report ends in half a line";
  }
  std::vector<nlohmann::json> parsed;
  for (const auto& line : lines_of(text)) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(json.is_object()) << "not a whole JSON line: " << line;
    parsed.push_back(json);
  }
  return parsed;
}

int bash(const std::string& command) {
  const int status = std::system(fmt::format("/bin/bash -c '{}'", command).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string hex(std::string_view bytes) {
  std::string h;
  for (const char c : bytes) h += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return h;
}

}  // namespace

TEST(report, a_name_that_is_not_utf8_survives_report_json_and_summary) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  // an invalid byte, then an escape sequence that would turn a terminal red, then a C1 control (U+009B, CSI)
  const std::string name = "bad\xff\x1b[31mred\xc2\x9b.jpg";
  const std::string twin = "bad\xfe\x1b[31mred\xc2\x9b.jpg";  // shown the same way in UTF-8, different bytes
  fs::copy_file(kJpeg, dir / "in" / name);
  fs::copy_file(kJpeg, dir / "in" / twin);
  const auto first = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "16",
                                  "--report", (dir / "r.jsonl").string(), "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(list_files(dir / "out").size(), 2u);
  const auto summary = nlohmann::json::parse(first.out, nullptr, false);  // valid JSON, not an internal error
  ASSERT_TRUE(summary.is_object()) << first.out;
  EXPECT_EQ(summary["processed"], 2);

  std::set<std::string> inputs;
  for (const auto& line : whole_lines(dir / "r.jsonl")) {
    EXPECT_EQ(line["status"], "ok");
    ASSERT_TRUE(line.contains("input_hex")) << line.dump();
    inputs.insert(line["input_hex"].get<std::string>());
    EXPECT_NE(line["input"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD shown
  }
  EXPECT_EQ(inputs, (std::set<std::string>{hex((dir / "in" / name).native()), hex((dir / "in" / twin).native())}));

  // the text summary lists the failures of a second run; no raw escape or invalid byte reaches the terminal
  const auto second = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "16"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.out.find("bad\\xff\\x1b[31mred\\xc2\\x9b.jpg: output exists"), std::string::npos) << second.out;
  for (const char c : second.out + second.err) {
    const auto b = static_cast<unsigned char>(c);
    EXPECT_FALSE(b == 0x1b || b == 0xff || b == 0xfe || b == 0x9b) << "raw byte " << int(b) << " in the output";
  }
  const auto json_failures = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s",
                                          "16", "--json"});
  const auto failures = nlohmann::json::parse(json_failures.out, nullptr, false);
  ASSERT_TRUE(failures.is_object()) << json_failures.out;
  ASSERT_EQ(failures["failures"].size(), 2u);
  EXPECT_TRUE(failures["failures"][0].contains("input_hex"));

  // report merge keeps the two names apart, though both show as the same text
  const auto merged = run_imgpool({"report", "merge", (dir / "r.jsonl").string(), "--json"});
  const auto m = nlohmann::json::parse(merged.out, nullptr, false);
  ASSERT_TRUE(m.is_object()) << merged.out << merged.err;
  EXPECT_EQ(m["inputs"], 2);
  EXPECT_TRUE(m["duplicates"].empty()) << m.dump();
}

TEST(report, a_report_that_cannot_be_written_is_a_run_error) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (int i = 0; i < 3; ++i) fs::copy_file(kJpeg, dir / "in" / fmt::format("{}.jpg", i));
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "16",
                                "--report", "/dev/full"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("the report /dev/full is incomplete: No space left on device: 3 of 3 lines not written"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(list_files(dir / "out").size(), 3u);  // the outputs are made all the same
}

TEST(report, a_file_size_limit_leaves_whole_lines_only) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (int i = 0; i < 20; ++i) fs::copy_file(kJpeg, dir / "in" / fmt::format("{:02}.jpg", i));
  // 1 KiB per file: the report reaches it within a few lines, mid-line; imgpool itself ignores SIGXFSZ
  const std::string command =
      fmt::format("ulimit -f 1; exec {} thumbnail {} -o {} -s 16 --report {} -j 1 >{} 2>{}", IMGPOOL_BIN,
                  (dir / "in").string(), (dir / "out").string(), (dir / "r.jsonl").string(),
                  (dir / "stdout").string(), (dir / "stderr").string());
  EXPECT_EQ(bash(command), 3) << slurp(dir / "stderr");
  const auto lines = whole_lines(dir / "r.jsonl");
  EXPECT_GT(lines.size(), 0u);
  EXPECT_LT(lines.size(), 20u);
  EXPECT_LE(fs::file_size(dir / "r.jsonl"), 1024u);
  EXPECT_NE(slurp(dir / "stderr").find("is incomplete: File too large"), std::string::npos) << slurp(dir / "stderr");
}

TEST(report, kill_9_keeps_every_settled_line) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (int i = 0; i < 150; ++i) fs::copy_file(kPhoto, dir / "in" / fmt::format("{:03}.jpg", i));
  // one worker, no chunks: an output appears, then its line; kill -9 once 10 outputs are there
  const std::string command = fmt::format(
      "{} thumbnail {} -o {} -s 64 --report {} -j 1 --chunk off >/dev/null 2>&1 & pid=$!; "
      "for i in $(seq 2000); do [ $(ls {} 2>/dev/null | wc -l) -ge 10 ] && break; sleep 0.005; done; "
      "ls {} | wc -l > {}; kill -9 $pid; wait $pid; exit 0",
      IMGPOOL_BIN, (dir / "in").string(), (dir / "out").string(), (dir / "r.jsonl").string(),
      (dir / "out").string(), (dir / "out").string(), (dir / "seen").string());
  ASSERT_EQ(bash(command), 0);
  const int seen = std::stoi(slurp(dir / "seen"));
  ASSERT_GE(seen, 10);
  const auto lines = whole_lines(dir / "r.jsonl");
  // each output seen before the kill has its line, but for the one or two whose line was still on its way
  EXPECT_GE(static_cast<int>(lines.size()), seen - 2) << seen << " outputs, " << lines.size() << " lines";
  for (const auto& line : lines) EXPECT_TRUE(fs::exists(line["output"].get<std::string>())) << line.dump();
}

TEST(report, a_report_path_that_is_an_input_is_refused_untouched) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kJpeg, dir / "in" / "a.jpg");
  fs::copy_file(kJpeg, dir / "in" / "b.jpg");
  fs::create_hard_link(dir / "in" / "b.jpg", dir / "b-link.jsonl");
  const std::string original = slurp(kJpeg);
  for (const fs::path& report : {dir / "in" / "a.jpg", dir / "b-link.jsonl"}) {
    for (const std::vector<std::string>& mode : std::vector<std::vector<std::string>>{
             {"--overwrite"}, {"--report-mode", "replace"}, {"--report-mode", "append"}}) {
      std::vector<std::string> args{"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "16",
                                    "--report", report.string()};
      args.insert(args.end(), mode.begin(), mode.end());
      const auto run = run_imgpool(args);
      EXPECT_EQ(run.exit_code, 2) << report << " " << mode[0] << run.err;
      EXPECT_NE(run.err.find("is the input"), std::string::npos) << run.err;
      EXPECT_EQ(slurp(dir / "in" / "a.jpg"), original);
      EXPECT_EQ(slurp(dir / "in" / "b.jpg"), original);
      EXPECT_FALSE(fs::exists(dir / "out" / "a.jpg"));  // refused before any work
    }
  }
}

TEST(report, an_existing_report_is_replaced_or_appended_only_when_asked) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kJpeg, dir / "in" / "a.jpg");
  fs::copy_file(kJpeg, dir / "in" / "b.jpg");
  const fs::path report = dir / "r.jsonl";
  std::ofstream(report) << "{\"kept\":true}\n";
  const auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a{"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "-s", "16",
                               "--report", report.string(), "--skip-existing"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const auto refused = run_imgpool(args({}));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("the report " + report.string() + " exists"), std::string::npos) << refused.err;
  EXPECT_EQ(slurp(report), "{\"kept\":true}\n");
  EXPECT_FALSE(fs::exists(dir / "out"));  // refused before the output folder is made

  EXPECT_EQ(run_imgpool(args({"--report-mode", "append"})).exit_code, 0);
  EXPECT_EQ(whole_lines(report).size(), 3u);
  EXPECT_EQ(whole_lines(report).front(), nlohmann::json({{"kept", true}}));

  EXPECT_EQ(run_imgpool(args({"--report-mode", "replace"})).exit_code, 0);
  EXPECT_EQ(whole_lines(report).size(), 2u);

  std::ofstream(report, std::ios::trunc).flush();  // an empty file is taken as new
  EXPECT_EQ(run_imgpool(args({})).exit_code, 0);
  EXPECT_EQ(whole_lines(report).size(), 2u);

  const auto sharded = run_imgpool(args({"--report-mode", "append", "--shard", "0/2"}));
  EXPECT_EQ(sharded.exit_code, 2);
  EXPECT_NE(sharded.err.find("cannot go with --shard"), std::string::npos) << sharded.err;
}
