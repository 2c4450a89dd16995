#pragma once
// Internal: the pieces every operation's parser uses, so that all word their errors alike.

#include <span>
#include <string_view>

#include <imgpool/core/ops/kernel.hpp>
#include <imgpool/core/ops/operation_context.hpp>

namespace imgpool::core::detail {

/// the largest width, height or box side a spec may ask for (JPEG's limit)
inline constexpr int kMaxSide = 65535;

/// `s` without leading and trailing whitespace
std::string_view trim(std::string_view s);

/// `text` as a whole number in low..high; throws UsageError naming `what` otherwise
int parse_int(std::string_view text, std::string_view what, int low, int high);

/// throws UsageError on the first key of `params` that `known` does not list, naming operation `op`
void reject_unknown(ParamList params, std::string_view op, std::span<const ParamInfo> known);

/// the Kernel named `text`; throws UsageError listing the known names otherwise
Kernel parse_kernel(std::string_view text);

}  // namespace imgpool::core::detail
