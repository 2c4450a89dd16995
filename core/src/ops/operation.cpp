#include <imgpool/core/ops/operation.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

#include "ops/params.hpp"

namespace imgpool::core {

// ---- Operation: forwards to the concrete type ---------------------------------------------------

std::string_view Operation::name() const {
  return std::visit([](const auto& op) { return std::decay_t<decltype(op)>::kName; }, op_);
}

std::string_view Operation::description() const {
  return std::visit([](const auto& op) { return std::decay_t<decltype(op)>::kDescription; }, op_);
}

std::string Operation::spec() const {
  return std::visit([](const auto& op) { return op.spec(); }, op_);
}

Size Operation::output_size(Size in) const {
  return std::visit([in](const auto& op) { return op.output_size(in); }, op_);
}

Size Operation::resample_size(Size in) const {
  return std::visit([in](const auto& op) { return op.resample_size(in); }, op_);
}

bool Operation::changes_geometry() const {
  return std::visit([](const auto& op) { return op.changes_geometry(); }, op_);
}

bool Operation::needs_colour() const {
  return std::visit([](const auto& op) { return op.needs_colour(); }, op_);
}

bool Operation::drops_colour() const {
  return std::visit([](const auto& op) { return op.drops_colour(); }, op_);
}

bool Operation::needs_face_model() const {
  return std::visit([](const auto& op) { return op.needs_face_model(); }, op_);
}

cv::Mat Operation::apply(const cv::Mat& image, const OperationContext& context) const {
  return std::visit([&](const auto& op) { return op.apply(image, context); }, op_);
}

// ---- the table: one row per alternative of Operation::Variant -------------------------------------

namespace {

template <class T>
Operation make(std::string_view value, ParamList params) {
  return T::parse(value, params);
}

template <class T>
constexpr OperationInfo row_of() {
  return {T::kName, T::kValueSyntax, T::kDescription, T::kParams, T::kExample, &make<T>};
}

template <class... Ts>
constexpr std::array<OperationInfo, sizeof...(Ts)> rows_of(std::type_identity<std::variant<Ts...>>) {
  return {row_of<Ts>()...};
}

constexpr auto kTable = rows_of(std::type_identity<Operation::Variant>{});

constexpr bool names_are_unique() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    for (std::size_t j = i + 1; j < kTable.size(); ++j) {
      if (kTable[i].name == kTable[j].name) return false;
    }
  }
  return true;
}
static_assert(names_are_unique(), "two operations share a name");

}  // namespace

std::span<const OperationInfo> operation_table() { return kTable; }

const OperationInfo* find_operation(std::string_view name) {
  for (const OperationInfo& info : kTable) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

// ---- parsing a spec -------------------------------------------------------------------------------

Operation parse_operation(std::string_view spec) {
  using detail::trim;
  const std::string_view text = trim(spec);
  if (text.empty()) throw UsageError("empty operation spec (expected name[=value][,key=value...])");

  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto comma = text.find(',', start);
    parts.push_back(trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  const auto eq = parts[0].find('=');
  const std::string_view name = trim(parts[0].substr(0, eq));
  const std::string_view value = eq == std::string_view::npos ? std::string_view() : trim(parts[0].substr(eq + 1));

  const OperationInfo* info = find_operation(name);
  if (info == nullptr) {
    std::string known;
    for (const OperationInfo& i : kTable) known += (known.empty() ? "" : ", ") + std::string(i.name);
    throw UsageError(fmt::format("unknown operation \"{}\" (known: {})", name, known));
  }
  try {
    if (eq != std::string_view::npos && value.empty()) throw UsageError(fmt::format("value after \"{}=\" missing", name));
    std::vector<std::pair<std::string, std::string>> params;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const auto peq = parts[i].find('=');
      const std::string_view key = peq == std::string_view::npos ? parts[i] : trim(parts[i].substr(0, peq));
      const std::string_view v = peq == std::string_view::npos ? std::string_view() : trim(parts[i].substr(peq + 1));
      if (peq == std::string_view::npos || key.empty() || v.empty()) {
        throw UsageError(fmt::format("\"{}\" is not key=value", parts[i]));
      }
      const bool repeated = std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
      if (repeated) throw UsageError(fmt::format("key \"{}\" given twice", key));
      params.emplace_back(std::string(key), std::string(v));
    }
    return info->make(value, params);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("bad operation spec \"{}\": {}", text, e.what()));
  }
}

}  // namespace imgpool::core
