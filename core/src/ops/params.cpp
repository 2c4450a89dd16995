#include "ops/params.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

int parse_int(std::string_view text, std::string_view what, int low, int high) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    throw UsageError(fmt::format("{} \"{}\" is not a whole number", what, text));
  }
  if (ec == std::errc::result_out_of_range || value < low || value > high) {
    throw UsageError(fmt::format("{} {} is out of range ({}..{})", what, text, low, high));
  }
  return value;
}

void reject_unknown(ParamList params, std::string_view op, std::span<const ParamInfo> known) {
  for (const auto& param : params) {
    const std::string& key = param.first;  // a named reference: clang 14 cannot capture structured bindings
    const bool ok = std::any_of(known.begin(), known.end(), [&](const ParamInfo& p) { return p.key == key; });
    if (ok) continue;
    std::string names;
    for (const ParamInfo& p : known) names += (names.empty() ? "" : ", ") + std::string(p.key);
    throw UsageError(fmt::format("unknown key \"{}\" for {} (known: {})", key, op,
                                 names.empty() ? std::string("none") : names));
  }
}

Kernel parse_kernel(std::string_view text) {
  if (const auto kernel = kernel_from_name(text)) return *kernel;
  throw UsageError(fmt::format("kernel \"{}\" is not one of nearest, linear, cubic, lanczos3, area", text));
}

}  // namespace imgpool::core::detail
