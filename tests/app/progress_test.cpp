// The scan's progress line: drawn at most once per interval, never for a scan shorter than that, and
// erased at the end so that the batch's bar and summary start on a clean line.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "progress.hpp"

namespace imgpool::app {
namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
  return s;
}

TEST(scan_progress, counts_the_files_found_and_erases_itself) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ScanProgress progress(f, std::chrono::milliseconds(0));
  for (int i = 0; i < 3; ++i) progress.found();
  progress.finish();
  const std::string out = contents(f);
  std::fclose(f);
  EXPECT_NE(out.find("scanning: 1 file found"), std::string::npos) << out;
  EXPECT_NE(out.find("scanning: 3 files found"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 5), "\r\x1b[2K");  // the line is cleared at the end
}

TEST(scan_progress, a_short_scan_draws_nothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ScanProgress progress(f, std::chrono::hours(1));
  for (int i = 0; i < 1000; ++i) progress.found();
  progress.finish();
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

}  // namespace
}  // namespace imgpool::app
