// Memory against the number of input files: what a batch keeps per file must stay tens of bytes (a
// compact table, streamed scan, a bounded window of work), not the kilobyte a list of paths and
// results costs. Measured as the difference in peak RSS between 2,000 and 20,000 tiny inputs, so that
// everything a run needs whatever its size (libraries, thread stacks, buffers) cancels out. This is a
// design property checked with a wide margin, not a benchmark: bench/scale-rss.sh gives the figures.

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli_runner.hpp"

namespace imgpool::test {
namespace {

namespace fs = std::filesystem;

// a folder on tmpfs where there is one (creating 22,000 files on a disk takes seconds), removed at the end
class FastScratch {
 public:
  FastScratch() {
    const fs::path base = access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "imgpool-scale-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~FastScratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  FastScratch(const FastScratch&) = delete;
  FastScratch& operator=(const FastScratch&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void fill(const fs::path& dir, int count, const std::vector<uchar>& jpeg) {
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    std::ofstream(dir / ("tiny-" + std::to_string(i) + ".jpg"), std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  }
}

TEST(scale, memory_per_input_file_stays_small) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers keep freed memory in quarantine: RSS says nothing about the design here";
#endif
  cv::Mat image(16, 16, CV_8UC3);
  cv::randu(image, 0, 255);
  std::vector<uchar> jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", image, jpeg));
  FastScratch dir;
  constexpr int kSmall = 2'000;
  constexpr int kLarge = 20'000;
  fill(dir / "small", kSmall, jpeg);
  fill(dir / "large", kLarge, jpeg);

  long peak_kb[2] = {};
  int k = 0;
  for (const char* name : {"small", "large"}) {
    const CliRun run = run_imgpool({"thumbnail", (dir / name).string(), "-o", (dir / (std::string(name) + "-out")).string(),
                                    "--size", "8", "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    peak_kb[k++] = run.peak_rss_kb;
  }
  EXPECT_EQ(list_files(dir / "large-out").size(), static_cast<std::size_t>(kLarge));
  const double bytes_per_file = static_cast<double>(peak_kb[1] - peak_kb[0]) * 1024.0 / (kLarge - kSmall);
  RecordProperty("bytes_per_file", std::to_string(bytes_per_file));
  // A list of std::filesystem::path records and per-item results cost about 1,200 bytes per file here.
  EXPECT_LT(bytes_per_file, 300.0) << "peak RSS " << peak_kb[0] << " kB for " << kSmall << " files, " << peak_kb[1]
                                   << " kB for " << kLarge;
}

}  // namespace
}  // namespace imgpool::test
