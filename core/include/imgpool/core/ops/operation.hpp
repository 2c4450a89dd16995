#pragma once
// One pipeline step of any kind, and the table of known operations that the pipeline parser, the CLI
// and the docs all read. Each operation declares itself once, in its own header (resize.hpp, ...);
// registering a new one takes its header and source and one entry in Operation::Variant.

#include <concepts>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <opencv2/core.hpp>

#include <imgpool/core/ops/grayscale.hpp>
#include <imgpool/core/ops/operation_context.hpp>
#include <imgpool/core/ops/resize.hpp>
#include <imgpool/core/ops/thumbnail.hpp>

namespace imgpool::core {

/// what a type declares to be an operation: its table row (name, value syntax, one-line description,
/// parameters, example spec, parser) and what the pipeline asks of it
template <class T>
concept OperationType = std::copyable<T> && requires(const T& op, Size in, const cv::Mat& image,
                                                     const OperationContext& context, std::string_view value,
                                                     ParamList params) {
  { T::kName } -> std::convertible_to<std::string_view>;
  { T::kValueSyntax } -> std::convertible_to<std::string_view>;  // "" when it takes no value
  { T::kDescription } -> std::convertible_to<std::string_view>;
  std::span<const ParamInfo>(T::kParams);
  { T::kExample } -> std::convertible_to<std::string_view>;
  { T::parse(value, params) } -> std::same_as<T>;  // throws UsageError
  { op.spec() } -> std::same_as<std::string>;
  { op.output_size(in) } -> std::same_as<Size>;
  { op.resample_size(in) } -> std::same_as<Size>;
  { op.changes_geometry() } -> std::same_as<bool>;
  { op.needs_face_model() } -> std::same_as<bool>;
  { op.needs_colour() } -> std::same_as<bool>;
  { op.drops_colour() } -> std::same_as<bool>;
  { op.apply(image, context) } -> std::same_as<cv::Mat>;
};

namespace detail {
template <class T, class Variant>
inline constexpr bool kIsAlternative = false;
template <class T, class... Ts>
inline constexpr bool kIsAlternative<T, std::variant<Ts...>> = (std::is_same_v<T, Ts> || ...);

template <class Variant>
inline constexpr bool kAllOperations = false;
template <class... Ts>
inline constexpr bool kAllOperations<std::variant<Ts...>> = (OperationType<Ts> && ...);
}  // namespace detail

/// any one operation, by value (cheap to copy, immutable once built). Thread-safe to apply concurrently.
///
///   Operation op = Thumbnail{256, Crop::Centre};
///   Size out = op.output_size({4000, 3000});  // 256x256
class Operation {
 public:
  /// every known operation, in table order: one entry here registers a type
  using Variant = std::variant<Resize, Grayscale, Thumbnail>;
  static_assert(detail::kAllOperations<Variant>, "every alternative must declare what OperationType asks");

  template <class T>
    requires detail::kIsAlternative<T, Variant>
  Operation(T op) : op_(std::move(op)) {}  // NOLINT(google-explicit-constructor): a Resize is an Operation

  std::string_view name() const;           ///< e.g. "resize"
  std::string_view description() const;    ///< the one-line summary, as in the operation table
  std::string spec() const;                ///< canonical spec; parse_operation(spec()) gives it back
  Size output_size(Size in) const;         ///< the size apply() returns for an input this large
  /// the size this operation scales its input to, or `in` when it does not resample (grayscale);
  /// what shrink-on-load must still deliver
  Size resample_size(Size in) const;
  bool changes_geometry() const;           ///< whether it resamples (false for grayscale)
  bool needs_colour() const;               ///< whether it needs colour input (none does yet)
  bool drops_colour() const;               ///< whether its output is luminance only (grayscale)
  bool needs_face_model() const;           ///< thumbnail with crop=smart
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;

  /// the concrete operation, or null when it is another kind
  template <class T>
  const T* get_if() const { return std::get_if<T>(&op_); }
  const Variant& variant() const { return op_; }

 private:
  Variant op_;
};

/// one row of the operation table, built from an operation type's declaration
struct OperationInfo {
  std::string_view name;         ///< what a spec starts with, e.g. "resize"
  std::string_view value;        ///< the syntax after '=', e.g. "WxH | Wx | xH | P%" (empty: none)
  std::string_view description;  ///< one line
  std::span<const ParamInfo> params;
  std::string_view example;      ///< a complete spec, e.g. "thumbnail=256,crop=smart"
  /// builds the operation from its value (empty when absent) and key=value pairs; throws UsageError
  Operation (*make)(std::string_view value, ParamList params);
};

/// every known operation, in documentation order. An immutable table; safe to read from any thread.
std::span<const OperationInfo> operation_table();

/// the table row for `name`, or null
const OperationInfo* find_operation(std::string_view name);

/// parses one spec `name[=value][,key=value...]` (whitespace around parts ignored). Throws UsageError
/// naming the bad part, e.g. `bad operation spec "resize=80x": ...` or `unknown operation "blur" (known: ...)`.
Operation parse_operation(std::string_view spec);

}  // namespace imgpool::core
