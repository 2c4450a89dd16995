// The kept bad-input corpus (tests/data/bad/) through the imgpool command on both backends: every bad
// file is one failed item with a reason, every good file beside them still gets its output, and
// nothing else changes on disk.

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::list_files;
using imgpool::test::run_imgpool;
using imgpool::test::ScratchDir;

namespace {

const fs::path kBad = fs::path(IMGPOOL_TESTDATA) / "bad";
const fs::path kSamples = IMGPOOL_SAMPLES;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Good files, named to sort after the bad ones: each worker meets them after a run of corrupt JPEGs,
// so a decoder left broken by a bad file would fail them.
const std::map<std::string, fs::path> kGood = {
    {"zz-good-1.jpg", kSamples / "tiny-01.jpg"},
    {"zz-good-2.jpg", kSamples / "tiny-02.jpg"},
    {"zz-good-3.jpg", kSamples / "tiny-03.jpg"},
    {"zz-good-4.jpg", kSamples / "exif-rotated-6.jpg"},
    {"zz-good-5.jpg", fs::path(IMGPOOL_TESTDATA) / "photo.jpg"},
    {"zz-good-6.png", kSamples / "tiny-05.png"},
    {"zz-good-7.webp", kSamples / "lossless-wood.webp"},
    {"aa-good-0.jpg", kSamples / "tiny-04.jpg"},  // and one before them all
};

// What the reason of some bad files must say (the others: anything but empty).
const std::map<std::string, std::string> kReasons = {
    {"bomb-65500x65500.jpg", "above --max-pixels"},
    {"bomb-65535x65535.png", "above --max-pixels"},
    {"bomb-100000x100000.png", "above --max-pixels"},
    {"bomb-16384x16384.webp", "above --max-pixels"},
    {"bomb-65535x65535.jpg", "65500"},  // libjpeg refuses more than 65500 a side before --max-pixels
    {"empty.jpg", "empty file"},
    {"random.jpg", "not an image"},
    {"text.png", "not an image"},
    {"truncated.jpg", "Premature end"},
    {"progressive-truncated.jpg", "Premature end"},
    {"bad-huffman.jpg", "Huffman"},
    {"no-scan.jpg", "SOS"},
};

std::vector<std::string> bad_files() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kBad)) {
    if (e.path().filename() != "README.md") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class bad_input : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(bad_input_corpus, has_every_kind) {
  const auto names = bad_files();
  EXPECT_GE(names.size(), 30u);
  for (const auto& [name, reason] : kReasons) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_EQ(std::count_if(names.begin(), names.end(), [](const std::string& n) { return n.starts_with("pngsuite-x"); }),
            14);
}

TEST_P(bad_input, each_bad_file_fails_alone_and_costs_no_good_output) {
  ScratchDir dir;
  const fs::path in = dir / "in";
  const fs::path out = dir / "out";
  fs::create_directories(in / "dir.jpg");  // a folder named like an image: not a file, so not an item
  const auto bad = bad_files();
  for (const auto& name : bad) fs::copy_file(kBad / name, in / name);
  for (const auto& [name, source] : kGood) fs::copy_file(source, in / name);
  std::map<std::string, std::string> before;
  for (const auto& name : list_files(in)) before[name] = slurp(in / name);

  const auto run = run_imgpool({"thumbnail", in.string(), "-o", out.string(), "--size", "64", "-j", "2", "--backend",
                                GetParam(), "--report", (dir / "r.jsonl").string(), "--quiet"});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // not 0, 2 or a signal: no crash

  std::map<std::string, nlohmann::json> report;
  std::ifstream lines(dir / "r.jsonl");
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    const std::string name = fs::path(j["input"].get<std::string>()).filename().string();
    EXPECT_TRUE(report.emplace(name, j).second) << "two results for " << name;
  }
  EXPECT_EQ(report.size(), bad.size() + kGood.size());
  for (const auto& name : bad) {
    ASSERT_TRUE(report.contains(name)) << name;
    const auto& j = report[name];
    EXPECT_EQ(j["status"], "failed") << name;
    const std::string reason = j["error"].is_string() ? j["error"].get<std::string>() : "";
    EXPECT_FALSE(reason.empty()) << name;
    if (const auto want = kReasons.find(name); want != kReasons.end()) {
      EXPECT_NE(reason.find(want->second), std::string::npos) << name << ": " << reason;
    }
  }
  std::vector<std::string> expected_outputs;
  for (const auto& [name, source] : kGood) {
    ASSERT_TRUE(report.contains(name)) << name;
    EXPECT_EQ(report[name]["status"], "ok") << name << ": " << report[name]["error"];
    expected_outputs.push_back(name);
  }
  std::sort(expected_outputs.begin(), expected_outputs.end());
  EXPECT_EQ(list_files(out), expected_outputs);  // no output for a bad file, no temporary left behind
  EXPECT_FALSE(fs::exists(out / "dir.jpg"));

  std::map<std::string, std::string> after;
  for (const auto& name : list_files(in)) after[name] = slurp(in / name);
  EXPECT_TRUE(after == before) << "an input changed, vanished or appeared";
  EXPECT_TRUE(fs::is_directory(in / "dir.jpg"));
}

INSTANTIATE_TEST_SUITE_P(backends, bad_input, ::testing::Values("thread", "process"),
                         [](const auto& param_info) { return param_info.param; });

namespace {

// A 1,080-byte RLE8 BMP claiming 30000x30000 (900 megapixels, below OpenCV's own limit of 2^30): OpenCV
// fills its whole raster from the one end-of-bitmap code.
std::string bmp_rle8_bomb() {
  std::string b = "BM";
  const auto put = [&](std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(char(v >> (8 * i)));
  };
  const std::uint32_t offset = 14 + 40 + 1024;
  for (std::uint32_t v : {offset + 2, 0u, offset, 40u, 30000u, 30000u}) put(v, 4);
  put(1, 2);
  put(8, 2);
  for (std::uint32_t v : {1u, 2u, 0u, 0u, 256u, 0u}) put(v, 4);
  b.resize(offset, '\0');
  b += std::string("\0\1", 2);
  return b;
}

}  // namespace

// Issue 14 item 4: the bomb reached 919 MB of resident memory before --max-pixels was checked on what
// OpenCV had decoded; now its header is read first, on both backends.
TEST(bad_input_bombs, a_bmp_bomb_is_refused_from_its_header_without_the_memory) {
  for (const std::string backend : {"thread", "process"}) {
    ScratchDir dir;
    fs::create_directories(dir / "in");
    std::ofstream(dir / "in" / "bomb.bmp", std::ios::binary) << bmp_rle8_bomb();
    ASSERT_EQ(fs::file_size(dir / "in" / "bomb.bmp"), 1080u);
    const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "--size", "64",
                                  "--backend", backend, "--format", "png"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.out.find("image is 30000x30000 (900.0 megapixels), above --max-pixels 178956970"), std::string::npos)
        << backend << ": " << run.out << run.err;
    // (the decoded raster would be 900 MB; the test process's own peak is the floor of the measure)
    EXPECT_LT(run.peak_rss_kb, std::max(100L * 1024, imgpool::test::test_peak_rss_kb() + 1024)) << backend;
  }
}

// Issue 14 item 6: --max-file-size refuses large inputs before reading them (the default is 2 GiB).
TEST(bad_input_bombs, max_file_size_refuses_large_inputs_before_reading) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kSamples / "tiny-01.jpg", dir / "in" / "small.jpg");
  std::ofstream(dir / "in" / "big.jpg", std::ios::binary) << slurp(fs::path(IMGPOOL_TESTDATA) / "photo.jpg");
  const auto big = fs::file_size(dir / "in" / "big.jpg");
  const auto small = fs::file_size(dir / "in" / "small.jpg");
  ASSERT_LT(small, 20u * 1024);
  ASSERT_GT(big, 20u * 1024);
  const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out").string(), "--size", "64",
                                "--max-file-size", "20K"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find(fmt::format("cannot read: the file is {} bytes, above --max-file-size 20480", big)),
            std::string::npos)
      << run.out << run.err;
  EXPECT_EQ(list_files(dir / "out"), std::vector<std::string>{"small.jpg"});
  EXPECT_EQ(run_imgpool({"thumbnail", (dir / "in").string(), "-o", (dir / "out2").string(), "--max-file-size", "lots"})
                .exit_code,
            2);
}

// Decoder warnings: kept per file in --report (both backends: they cross the worker's wire), counted
// in the summary, never printed raw; --fail-on warning fails such a file before it is written.
TEST(bad_input_warnings, are_kept_in_the_report_and_fail_a_file_only_when_asked) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  std::string jpeg = slurp(kSamples / "tiny-01.jpg");
  const std::size_t next = 4 + (std::size_t(static_cast<unsigned char>(jpeg[4])) << 8 | static_cast<unsigned char>(jpeg[5]));
  jpeg.insert(next, std::string(3, '\0'));  // libjpeg: "3 extraneous bytes before marker"
  std::ofstream(dir / "in" / "extra.jpg", std::ios::binary) << jpeg;
  std::ofstream(dir / "in" / "short.ppm", std::ios::binary) << "P6\n64 64\n255\n" << std::string(100, '\x7f');
  for (const std::string backend : {"thread", "process"}) {
    const fs::path out = dir / ("out-" + backend), report = dir / ("r-" + backend + ".jsonl");
    const auto run = run_imgpool({"thumbnail", (dir / "in").string(), "-o", out.string(), "-s", "32", "--backend",
                                  backend, "--report", report.string()});
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;  // short.ppm fails
    EXPECT_EQ(run.err, "") << backend;                  // OpenCV's own complaint is not on the terminal...
    const auto lines = imgpool::test::read_report_by_input(report);
    const auto& extra = lines.at((dir / "in" / "extra.jpg").string());
    EXPECT_EQ(extra["status"], "ok") << backend;
    EXPECT_EQ(extra["warnings"], nlohmann::json::array({"JPEG: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb"}))
        << backend;
    const auto& ppm = lines.at((dir / "in" / "short.ppm").string());  // ...but in the file's line
    ASSERT_EQ(ppm["warnings"].size(), 1u) << backend;
    EXPECT_NE(ppm["warnings"][0].get<std::string>().find("Unexpected end of input stream"), std::string::npos);
    EXPECT_NE(run.out.find("1 processed, 1 failed, 0 skipped, 2 with decoder warnings"), std::string::npos) << run.out;
    EXPECT_TRUE(fs::exists(out / "extra.jpg")) << backend;

    const fs::path strict = dir / ("strict-" + backend);
    const auto failed = run_imgpool({"thumbnail", (dir / "in" / "extra.jpg").string(), "-o", strict.string(), "-s",
                                     "32", "--backend", backend, "--fail-on", "warning"});
    EXPECT_EQ(failed.exit_code, 1) << backend;
    EXPECT_NE(failed.out.find("extra.jpg: warning: JPEG: Corrupt JPEG data: 3 extraneous bytes before marker 0xdb "
                              "(--fail-on warning)"),
              std::string::npos)
        << failed.out;
    EXPECT_FALSE(fs::exists(strict / "extra.jpg")) << backend;
  }
}
