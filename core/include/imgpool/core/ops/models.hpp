#pragma once
// Per-worker model state (the face detector for crop=smart).

#include <filesystem>
#include <memory>

namespace cv {
class CascadeClassifier;
}

namespace imgpool::core {

class Pipeline;

/// the models one worker thread uses. IMPORTANT: a cv::CascadeClassifier is not thread safe; build
/// one WorkerModels per worker (the batch's pool initializer does). Copies share the classifier: the
/// copy constructor exists so that it can live in std::any, not for handing to another thread.
struct WorkerModels {
  /// OpenCV's Haar face cascade; null unless the pipeline needs it
  std::shared_ptr<cv::CascadeClassifier> face_detector;

  /// loads what `pipeline` needs (nothing for most pipelines). `cascade` overrides the face model's
  /// path (default: default_cascade_path()). Throws ConfigError naming the path when it is missing
  /// or cannot be loaded.
  static WorkerModels load(const Pipeline& pipeline, std::filesystem::path cascade = {});

  /// $IMGPOOL_CASCADE when set, else IMGPOOL_DEFAULT_CASCADE_DIR/haarcascade_frontalface_default.xml
  static std::filesystem::path default_cascade_path();
};

}  // namespace imgpool::core
