// The scan's progress line: drawn at most once per interval, never for a scan shorter than that, and
// erased at the end so that the batch's bar and summary start on a clean line. The batch's bar: cut to
// the terminal's width, measured by bytes, drawn when stderr is a terminal.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

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

namespace imgpool::app {
namespace {

// the lines a progress stream drew: split at "\r" and "\n", the erase sequence left out
std::vector<std::string> drawn_lines(std::string out) {
  for (std::size_t at; (at = out.find("\x1b[2K")) != std::string::npos;) out.erase(at, 4);
  std::vector<std::string> lines;
  std::string line;
  for (const char c : out) {
    if (c == '\r' || c == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string bar_of(const std::string& line) { return line.substr(0, line.find(']') + 1); }

// Issue 17: the bar never wraps (a wrapped line is not erased by "\r", so a 40-column terminal filled with
// stale lines), and it measures the work by bytes, since the largest files run first.
TEST(progress_bar, fits_the_terminal_and_counts_the_work_by_bytes) {
  for (const int columns : {40, 120, 20}) {
    ::setenv("COLUMNS", std::to_string(columns).c_str(), 1);  // a file is no terminal: $COLUMNS says
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
      ProgressBar bar(f, 3, 1000);
      bar.advance(0, 900);  // the largest first: 90% of the work, a third of the files
      bar.advance(1, 50);
      bar.advance(1, 50);
      bar.finish();
    }
    const auto lines = drawn_lines(contents(f));
    std::fclose(f);
    // at once, the first advance, the last (the second too if the machine paused 100 ms between them)
    ASSERT_GE(lines.size(), 3u) << columns;
    for (const auto& line : lines) EXPECT_LT(line.size(), std::size_t(columns)) << columns << ": " << line;
    EXPECT_NE(lines[0].find(columns >= 40 ? "0/3 0.0 img/s starting" : "0/3 0.0 img/s"), std::string::npos) << lines[0];
    EXPECT_NE(lines.back().find("3/3, 1 failed"), std::string::npos) << lines.back();
    if (columns >= 40) {
      const std::string bar = bar_of(lines[1]);
      const auto filled = std::count(bar.begin(), bar.end(), '#');
      EXPECT_EQ(filled, static_cast<long>((bar.size() - 2) * 9 / 10)) << lines[1];
      EXPECT_EQ(bar.size() - 2, columns == 120 ? 40u : std::size_t(columns - 1 - 3) - lines[1].substr(bar.size() + 1).size())
          << lines[1];
    } else {
      EXPECT_EQ(lines[1].find('['), std::string::npos) << "no room for a bar: " << lines[1];
    }
  }
  ::unsetenv("COLUMNS");
}

// In a real 40-column pseudo-terminal, with stdout sent to a file (as under `| tee`): the bar is drawn
// on stderr, and no line of it is wider than the terminal.
TEST(progress_bar, is_drawn_on_a_terminal_stderr_within_its_width) {
  char dir_template[] = "/tmp/imgpool-pty-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string command = "script -qfec \"stty cols 40 rows 20; '" + std::string(IMGPOOL_BIN) + "' thumbnail '" +
                              IMGPOOL_SAMPLES + "' -o '" + dir + "/out' -s 32 -j 1 > '" + dir + "/stdout.txt'\" /dev/null";
  std::FILE* pty = ::popen(command.c_str(), "r");
  ASSERT_NE(pty, nullptr);
  std::string out;
  for (int c; (c = std::fgetc(pty)) != EOF;) out += static_cast<char>(c);
  EXPECT_EQ(::pclose(pty), 0) << out;
  const auto lines = drawn_lines(out);
  ASSERT_FALSE(lines.empty()) << "no progress drawn on the terminal";
  bool bar = false;
  for (const auto& line : lines) {
    EXPECT_LT(line.size(), 40u) << line;
    bar = bar || line.find("img/s") != std::string::npos;
  }
  EXPECT_TRUE(bar) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace imgpool::app
