#pragma once
// What every operation's declaration uses: the size type, the context apply() receives, and the
// documentation of one key=value parameter.

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <opencv2/core.hpp>

namespace imgpool::core {

using Size = cv::Size;
struct WorkerModels;

/// what an operation may use besides its input image
struct OperationContext {
  /// per-worker models (face detector); may be null when the pipeline needs none
  const WorkerModels* models = nullptr;
  /// the size the input stands for. Equal to the image's size except for the first operation after
  /// shrink-on-load, where the image is a reduced-scale decode of an image this large; operations
  /// compute their geometry from it so that the output does not depend on the decode scale.
  Size logical_input;
};

/// one documented key=value parameter of an operation
struct ParamInfo {
  std::string_view key;          ///< e.g. "fit"
  std::string_view values;       ///< e.g. "exact|inside|cover"
  std::string_view description;  ///< one line
};

/// the key=value pairs that follow a spec's name and value, in order, each key once
using ParamList = std::span<const std::pair<std::string, std::string>>;

}  // namespace imgpool::core
