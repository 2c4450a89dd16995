#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace imgpool::app {

namespace {

void erase_line(std::FILE* stream, bool drawn) {
  if (!drawn) return;
  fmt::print(stream, "\r\x1b[2K");
  std::fflush(stream);
}

// "\r", erase the line, then `text` cut to the terminal's width less one column, so that it never wraps
// (a wrapped line is not erased by the next "\r" and the screen fills with stale lines)
void redraw(std::FILE* stream, std::string text) {
  const std::size_t room = std::size_t(terminal_columns(stream) - 1);
  if (text.size() > room) text.resize(room);
  fmt::print(stream, "\r\x1b[2K{}", text);
  std::fflush(stream);
}

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

}  // namespace

int terminal_columns(std::FILE* stream) {
  winsize size{};
  if (::ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

ProgressBar::ProgressBar(std::FILE* stream, std::size_t total, std::uint64_t total_bytes)
    : stream_(stream), total_(total), total_bytes_(total_bytes), start_(std::chrono::steady_clock::now()) {
  draw();  // at once: the first (largest) files may take seconds
}

void ProgressBar::advance(std::size_t failed_so_far, std::uint64_t bytes) {
  ++done_;
  done_bytes_ += bytes;
  failed_ = failed_so_far;
  const auto now = std::chrono::steady_clock::now();
  if (done_ == total_ || now - last_draw_ >= std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw();
  }
}

void ProgressBar::draw() {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // The work done by bytes when they are known: the largest files run first, so counting files would
  // promise an end far too late at the start and far too early near it.
  double fraction = total_ == 0 ? 1.0 : double(done_) / double(total_);
  if (total_bytes_ > 0) fraction = std::min(1.0, double(done_bytes_) / double(total_bytes_));
  const double rate = elapsed > 0 ? double(done_) / elapsed : 0.0;
  const std::string eta = fraction > 0 && done_ > 0 ? "ETA " + duration_text(elapsed * (1 - fraction) / fraction)
                                                    : "starting";
  const std::string failed = failed_ ? fmt::format(", {} failed", failed_) : std::string();
  const std::string text = fmt::format("{}/{}{} {:.1f} img/s {}", done_, total_, failed, rate, eta);
  // The bar takes what the text leaves, up to 40 columns, and goes when fewer than 10 are left.
  const int room = terminal_columns(stream_) - 1 - int(text.size()) - 3;
  if (room < 10) {
    redraw(stream_, text);
  } else {
    const int width = std::min(room, 40);
    std::string bar(std::size_t(fraction * width), '#');
    bar.resize(std::size_t(width), '.');
    redraw(stream_, fmt::format("[{}] {}", bar, text));
  }
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
  redraw(stream_, fmt::format("scanning: {} {} found", found_, found_ == 1 ? "file" : "files"));
  drawn_ = true;
}

void ScanProgress::finish() { erase_line(stream_, drawn_); }

}  // namespace imgpool::app
