#include "codec/opencv_codecs.hpp"

#include <dlfcn.h>

#include <type_traits>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>  // declarations only: the library is not linked

#include <imgpool/core/error.hpp>

#include "codec/warnings.hpp"

namespace imgpool::core::detail {

namespace {

using Imdecode = cv::Mat (*)(cv::InputArray, int);
using Imencode = bool (*)(const cv::String&, cv::InputArray, std::vector<uchar>&, const std::vector<int>&);

// The symbols are looked up by their mangled names; these asserts tie the names below to the
// declarations in the OpenCV headers this is built against, so a different signature fails to compile.
static_assert(std::is_same_v<decltype(static_cast<Imdecode>(&cv::imdecode)), Imdecode>);
static_assert(std::is_same_v<decltype(&cv::imencode), Imencode>);
static_assert(std::is_same_v<cv::String, std::string>);
constexpr const char* kImdecode = "_ZN2cv8imdecodeERKNS_11_InputArrayEi";
constexpr const char* kImencode =
    "_ZN2cv8imencodeERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERSt6vectorIhSaIhEERKSB_"
    "IiSaIiEE";

struct Codecs {
  Imdecode imdecode = nullptr;
  Imencode imencode = nullptr;
};

Codecs load() {
  // Never closed: OpenCV registers codecs and thread-local state that must outlive every caller.
  void* library = ::dlopen(IMGPOOL_OPENCV_IMGCODECS, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    throw ConfigError(fmt::format("cannot load OpenCV's image codecs ({}): {}", IMGPOOL_OPENCV_IMGCODECS, ::dlerror()));
  }
  route_std_cerr_to_captures();  // OpenCV 4.6's imgcodecs writes its errors to std::cerr: kept per file
  Codecs codecs;
  codecs.imdecode = reinterpret_cast<Imdecode>(::dlsym(library, kImdecode));
  codecs.imencode = reinterpret_cast<Imencode>(::dlsym(library, kImencode));
  if (codecs.imdecode == nullptr || codecs.imencode == nullptr) {
    throw ConfigError(fmt::format("{} lacks cv::imdecode or cv::imencode (another OpenCV version?)",
                                  IMGPOOL_OPENCV_IMGCODECS));
  }
  return codecs;
}

const Codecs& codecs() {
  static const Codecs loaded = load();  // thread safe; a throw leaves it to be tried again
  return loaded;
}

}  // namespace

cv::Mat imdecode(std::span<const std::uint8_t> bytes, int flags) {
  return codecs().imdecode(cv::_InputArray(bytes.data(), static_cast<int>(bytes.size())), flags);
}

bool imencode(const std::string& extension, const cv::Mat& image, std::vector<std::uint8_t>& out,
              const std::vector<int>& params) {
  return codecs().imencode(extension, image, out, params);
}

}  // namespace imgpool::core::detail
