#pragma once
// Decoder warnings, kept per file. Third-party libraries report recoverable trouble (libjpeg's
// "extraneous bytes", libtiff's unknown tags, Exiv2's and lcms2's complaints, OpenCV 4.6's imgcodecs,
// which writes its errors to std::cerr with no hook) in their own ways; each way ends in note_warning(),
// which adds the text to the WarningCapture of the calling thread, so a file's warnings land in its
// result (FileResult::warnings) instead of raw on the terminal, where they would name no file.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace imgpool::core::detail {

/// While it lives, collects the warnings noted on its thread (captures nest: the innermost collects).
/// At most kMaxWarnings distinct lines are kept; the rest are counted in a last line.
class WarningCapture {
 public:
  static constexpr std::size_t kMaxWarnings = 10;

  WarningCapture();
  ~WarningCapture();
  WarningCapture(const WarningCapture&) = delete;
  WarningCapture& operator=(const WarningCapture&) = delete;

  bool empty() const noexcept { return warnings_.empty() && partial_.empty(); }
  /// the first warning so far ("" when none)
  std::string first() const;
  /// the warnings so far, in order, and clears them
  std::vector<std::string> take();

 private:
  friend void note_warning(std::string_view source, std::string_view text) noexcept;
  friend void note_text(const char* text, std::size_t size);
  void add(std::string_view text);

  std::vector<std::string> warnings_;
  std::size_t dropped_ = 0;
  std::string partial_;  // text written to std::cerr that no newline has ended yet
  WarningCapture* previous_;
};

/// one warning, "<source>: <text>" (source: "JPEG", "TIFF", ...), for the file this thread is working
/// on; ignored when no capture is active here. Trailing white space is dropped; an immediate repeat of
/// the last warning is not kept twice. Never throws: it is called from C libraries' callbacks.
void note_warning(std::string_view source, std::string_view text) noexcept;

/// From the first call on, what any code writes to std::cerr on a thread with an active capture goes to
/// that capture, a line per warning; on other threads it goes where std::cerr went before. Idempotent.
void route_std_cerr_to_captures();

}  // namespace imgpool::core::detail
