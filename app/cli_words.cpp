#include "cli_words.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace imgpool::app {

namespace {

// library phrase → the CLI's. Each is matched as written, with its surrounding punctuation, so that
// only the library's own phrasing is rewritten.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kWords{{
    {"above max_pixels ", "above --max-pixels "},
    {"above max_file_size ", "above --max-file-size "},
    {"(set ScanOptions::follow_symlinks to follow it)", "(pass --follow-symlinks to follow it)"},
    {"(fail_on is FailOn::Warning)", "(--fail-on warning)"},
    {"output exists (set existing to ExistingOutput::Overwrite or ExistingOutput::Skip)",
     "output exists (pass --overwrite or --skip-existing)"},
    {"files (set EncodeOptions::format)", "files (pass --format)"},
    {"(choose another output folder)", "(choose another -o)"},
    {"empty operation spec (", "empty --op ("},
    {"bad operation spec \"", "bad --op \""},
}};

}  // namespace

std::string cli_words(std::string text) {
  for (const auto& [library, cli] : kWords) {
    for (auto at = text.find(library); at != std::string::npos; at = text.find(library, at + cli.size())) {
      text.replace(at, library.size(), cli);
    }
  }
  return text;
}

}  // namespace imgpool::app
