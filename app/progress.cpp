#include "progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace imgpool::app {

namespace {
void erase_line(std::FILE* stream, bool drawn) {
  if (!drawn) return;
  fmt::print(stream, "\r\x1b[2K");
  std::fflush(stream);
}
}  // namespace

ProgressBar::ProgressBar(std::FILE* stream, std::size_t total)
    : stream_(stream), total_(total), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::advance(std::size_t failed_so_far) {
  ++done_;
  failed_ = failed_so_far;
  const auto now = std::chrono::steady_clock::now();
  if (done_ == total_ || now - last_draw_ >= std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw();
  }
}

void ProgressBar::draw() {
  constexpr int kWidth = 30;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::string failed = failed_ ? fmt::format(", {} failed", failed_) : std::string();
  fmt::print(stream_, "\r\x1b[2K[{}] {}/{}{} {:.1f} img/s ETA {:.0f}s", bar, done_, total_, failed, rate, eta);
  std::fflush(stream_);
  drawn_ = true;
}

void ProgressBar::finish() { erase_line(stream_, drawn_); }

ScanProgress::ScanProgress(std::FILE* stream, std::chrono::milliseconds interval)
    : stream_(stream), interval_(interval), last_draw_(std::chrono::steady_clock::now()) {}

void ScanProgress::found() {
  ++found_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < interval_) return;
  last_draw_ = now;
  fmt::print(stream_, "\r\x1b[2Kscanning: {} {} found", found_, found_ == 1 ? "file" : "files");
  std::fflush(stream_);
  drawn_ = true;
}

void ScanProgress::finish() { erase_line(stream_, drawn_); }

}  // namespace imgpool::app
