#pragma once
// The library speaks of its API (max_pixels, EncodeOptions::format); the command line speaks of its
// options (--max-pixels, --format). Every library text the app shows passes through cli_words once,
// where it enters the app: failure reasons as results arrive, errors where main() reports them.

#include <string>

namespace imgpool::app {

/// `library_text` with each library phrase for a setting replaced by the option that sets it, e.g.
/// "image is 100x100 (10000 pixels), above max_pixels 9999" → "..., above --max-pixels 9999".
/// Other text is returned unchanged, so a text already in the CLI's words stays as it is.
std::string cli_words(std::string library_text);

}  // namespace imgpool::app
