#include <imgpool/core/ops/kernel.hpp>

#include <array>
#include <utility>

namespace imgpool::core {

namespace {
constexpr std::array<std::pair<Kernel, std::string_view>, 5> kNames{{
    {Kernel::Nearest, "nearest"},
    {Kernel::Linear, "linear"},
    {Kernel::Cubic, "cubic"},
    {Kernel::Lanczos3, "lanczos3"},
    {Kernel::Area, "area"},
}};
}  // namespace

std::string_view kernel_name(Kernel kernel) {
  for (const auto& [k, name] : kNames) {
    if (k == kernel) return name;
  }
  return "lanczos3";
}

std::optional<Kernel> kernel_from_name(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace imgpool::core
