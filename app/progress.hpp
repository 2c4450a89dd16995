#pragma once
// A one-line progress bar for terminals: done/total, images/s and ETA, never wider than the terminal.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace imgpool::app {

/// the width of the terminal `stream` writes to (asked at each call, so a resized window is followed),
/// else $COLUMNS, else 80
int terminal_columns(std::FILE* stream);

/// draws on a terminal stream at once and then at most ten times a second, one line cut to the
/// terminal's width; not thread-safe (the batch loop owns it)
class ProgressBar {
 public:
  /// `total_bytes`: the inputs' sizes, from which the bar and the ETA measure the work (0: by files)
  ProgressBar(std::FILE* stream, std::size_t total, std::uint64_t total_bytes = 0);
  /// records one more finished item of `bytes` and redraws if enough time has passed
  void advance(std::size_t failed_so_far, std::uint64_t bytes = 0);
  /// erases the bar so that the summary starts on a clean line
  void finish();

 private:
  void draw();
  std::FILE* stream_;
  std::size_t total_;
  std::uint64_t total_bytes_;
  std::size_t done_ = 0;
  std::uint64_t done_bytes_ = 0;
  std::size_t failed_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

/// "scanning: N files found" while the inputs are walked, at most once per `interval`; erased by finish().
/// A scan shorter than `interval` draws nothing. Not thread-safe (the scan's callbacks own it).
class ScanProgress {
 public:
  explicit ScanProgress(std::FILE* stream, std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  /// records one more file found and redraws if `interval` has passed since the last draw (or the start)
  void found();
  /// erases the line if it was drawn
  void finish();

 private:
  std::FILE* stream_;
  std::chrono::milliseconds interval_;
  std::size_t found_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace imgpool::app
