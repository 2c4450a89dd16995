#include "codec/warnings.hpp"

#include <iostream>
#include <mutex>
#include <streambuf>

#include <fmt/format.h>

namespace imgpool::core::detail {

namespace {

thread_local WarningCapture* t_capture = nullptr;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

// Text written to std::cerr on a capturing thread, cut into lines. OpenCV's lines name themselves
// ("imdecode_(''): can't read data: OpenCV(4.6.0) ...", "[ERROR:0@0.027] global ...").
void note_text(const char* text, std::size_t size) {
  WarningCapture* capture = t_capture;
  if (capture == nullptr) return;
  for (std::size_t i = 0; i < size; ++i) {
    if (text[i] == '\n') {
      capture->add(capture->partial_);
      capture->partial_.clear();
    } else if (capture->partial_.size() < 1000) {
      capture->partial_ += text[i];
    }
  }
}

namespace {

// std::cerr's buffer while routing: unbuffered (no put area), so every write reaches xsputn or overflow,
// on the writing thread, which decides by its own capture where the text goes.
class CerrRouter final : public std::streambuf {
 public:
  explicit CerrRouter(std::streambuf* original) : original_(original) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (t_capture == nullptr) return original_ ? original_->sputn(s, n) : n;
    note_text(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }
  int sync() override { return t_capture != nullptr || original_ == nullptr ? 0 : original_->pubsync(); }

 private:
  std::streambuf* original_;
};

}  // namespace

WarningCapture::WarningCapture() : previous_(t_capture) { t_capture = this; }

WarningCapture::~WarningCapture() { t_capture = previous_; }

void WarningCapture::add(std::string_view text) {
  text = trimmed(text);
  if (text.empty() || (!warnings_.empty() && warnings_.back() == text)) return;
  if (warnings_.size() < kMaxWarnings) {
    warnings_.emplace_back(text);
  } else {
    ++dropped_;
  }
}

std::string WarningCapture::first() const {
  if (!warnings_.empty()) return warnings_.front();
  return std::string(trimmed(partial_));
}

std::vector<std::string> WarningCapture::take() {
  if (!partial_.empty()) {
    add(partial_);
    partial_.clear();
  }
  std::vector<std::string> out = std::move(warnings_);
  if (dropped_ > 0) out.push_back(fmt::format("... and {} more warnings", dropped_));
  warnings_.clear();
  dropped_ = 0;
  return out;
}

void note_warning(std::string_view source, std::string_view text) noexcept {
  WarningCapture* capture = t_capture;
  if (capture == nullptr) return;
  try {
    capture->add(fmt::format("{}: {}", source, trimmed(text)));
  } catch (...) {  // out of memory: the warning is lost, the file goes on
  }
}

void route_std_cerr_to_captures() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::cerr.rdbuf(new CerrRouter(std::cerr.rdbuf()));  // never freed: std::cerr may be used until exit
  });
}

}  // namespace imgpool::core::detail
