#pragma once
// A pipeline: the ordered operations run on every image, validated before any file is touched.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <imgpool/core/ops/operation.hpp>

namespace imgpool::core {

/// an immutable, ordered list of operations. Describe it once, then apply it to many images from
/// many threads at once (apply is const and keeps no state).
///
///   auto p = Pipeline::parse({"thumbnail=256,crop=centre", "grayscale"});
///   cv::Mat out = p.apply(image, &models);
class Pipeline {
 public:
  Pipeline() = default;
  explicit Pipeline(std::vector<Operation> operations) : ops_(std::move(operations)) {}

  /// parses one spec per operation (see parse_operation); throws UsageError on the first bad one
  static Pipeline parse(const std::vector<std::string>& specs);

  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  const std::vector<Operation>& operations() const { return ops_; }

  /// whether an operation needs the face model (WorkerModels::load loads it only then)
  bool needs_face_model() const;
  /// whether the result depends on luminance only: an operation that drops colour (grayscale) comes
  /// before any that needs it. Decoders may then decode straight to gray (TurboJPEG's TJPF_GRAY).
  bool luminance_only() const;
  /// the size apply() returns for an input this large
  Size output_size(Size input) const;
  /// how many times the first resampling operation's size min_source_size asks for
  static constexpr int kSourceMargin = 2;
  /// the smallest decode of an `input`-sized image that still gives full quality: kSourceMargin times
  /// what the first resampling operation scales to, each side at most `input`'s; `input` itself when
  /// that operation enlarges or nothing resamples
  Size min_source_size(Size input) const;
  /// canonical specs joined by " | ", e.g. "thumbnail=256,crop=centre | grayscale"; "" when empty
  std::string describe() const;

  /// runs every operation in order. `logical_input` is the size `image` stands for when it was
  /// decoded at a reduced scale (shrink-on-load); by default the image's own size.
  /// Throws ConfigError when an operation needs a model that `models` lacks.
  cv::Mat apply(cv::Mat image, const WorkerModels* models, std::optional<Size> logical_input = {}) const;

 private:
  std::vector<Operation> ops_;
};

}  // namespace imgpool::core
