#include <imgpool/core/ops/models.hpp>

#include <cstdlib>
#include <system_error>

#include <fmt/format.h>
#include <opencv2/objdetect.hpp>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/pipeline.hpp>

namespace imgpool::core {

std::filesystem::path WorkerModels::default_cascade_path() {
  if (const char* env = std::getenv("IMGPOOL_CASCADE"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(IMGPOOL_DEFAULT_CASCADE_DIR) / "haarcascade_frontalface_default.xml";
}

WorkerModels WorkerModels::load(const Pipeline& pipeline, std::filesystem::path cascade) {
  WorkerModels models;
  if (!pipeline.needs_face_model()) return models;
  if (cascade.empty()) cascade = default_cascade_path();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(cascade, ec)) {
    throw ConfigError(fmt::format(
        "face model {} not found (crop=smart needs it: install Debian's opencv-data, or set IMGPOOL_CASCADE)",
        cascade.string()));
  }
  auto detector = std::make_shared<cv::CascadeClassifier>();
  bool loaded = false;
  try {
    loaded = detector->load(cascade.string());
  } catch (const cv::Exception& e) {
    throw ConfigError(fmt::format("cannot load face model {}: {}", cascade.string(), e.err));
  }
  if (!loaded || detector->empty()) {
    throw ConfigError(fmt::format("cannot load face model {} (not an OpenCV cascade file?)", cascade.string()));
  }
  models.face_detector = std::move(detector);
  return models;
}

}  // namespace imgpool::core
