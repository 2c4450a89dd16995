#pragma once
// One pipeline step of any kind, and the table of known operations that the pipeline parser, the CLI
// and the docs all read.

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <imgpool/core/ops/operations.hpp>

namespace imgpool::core {

/// any one operation, by value (cheap to copy, immutable once built). Thread-safe to apply concurrently.
class Operation {
 public:
  using Variant = std::variant<Resize, Grayscale, Thumbnail>;

  Operation(Resize op) : op_(op) {}        // NOLINT(google-explicit-constructor): a Resize is an Operation
  Operation(Grayscale op) : op_(op) {}     // NOLINT(google-explicit-constructor)
  Operation(Thumbnail op) : op_(op) {}     // NOLINT(google-explicit-constructor)

  std::string_view name() const;           ///< e.g. "resize"
  std::string_view description() const;    ///< the one-line summary from the operation table
  std::string spec() const;                ///< canonical spec; parse_operation(spec()) gives it back
  Size output_size(Size in) const;         ///< the size apply() returns for an input this large
  /// the size this operation scales its input to, or `in` when it does not resample (grayscale);
  /// what shrink-on-load must still deliver
  Size resample_size(Size in) const;
  bool changes_geometry() const;           ///< whether it resamples (false for grayscale)
  bool needs_colour() const;               ///< whether it needs colour input (none does yet)
  bool needs_face_model() const;           ///< thumbnail with crop=smart
  cv::Mat apply(const cv::Mat& image, const OperationContext& context) const;

  /// the concrete operation, or null when it is another kind
  template <class T>
  const T* get_if() const { return std::get_if<T>(&op_); }
  const Variant& variant() const { return op_; }

 private:
  Variant op_;
};

/// one documented key=value parameter of an operation
struct ParamInfo {
  std::string_view key;          ///< e.g. "fit"
  std::string_view values;       ///< e.g. "exact|inside|cover"
  std::string_view description;  ///< one line
};

/// one row of the operation table
struct OperationInfo {
  std::string_view name;         ///< what a spec starts with, e.g. "resize"
  std::string_view value;        ///< the syntax after '=', e.g. "WxH | Wx | xH | P%" (empty: none)
  std::string_view description;  ///< one line
  std::span<const ParamInfo> params;
  std::string_view example;      ///< a complete spec, e.g. "thumbnail=256,crop=smart"
  /// builds the operation from its value (empty when absent) and key=value pairs; throws UsageError
  Operation (*make)(std::string_view value, std::span<const std::pair<std::string, std::string>> params);
};

/// every known operation, in documentation order. An immutable table; safe to read from any thread.
std::span<const OperationInfo> operation_table();

/// the table row for `name`, or null
const OperationInfo* find_operation(std::string_view name);

/// parses one spec `name[=value][,key=value...]` (whitespace around parts ignored). Throws UsageError
/// naming the bad part, e.g. `bad --op "resize=80x": ...` or `unknown operation "blur" (known: ...)`.
Operation parse_operation(std::string_view spec);

}  // namespace imgpool::core
