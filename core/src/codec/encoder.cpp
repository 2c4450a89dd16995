#include <imgpool/core/codec/encoder.hpp>

#include <memory>
#include <string>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <imgpool/core/error.hpp>

#include "codec/opencv_codecs.hpp"

namespace imgpool::core {

namespace {

struct TjDestroy {
  void operator()(void* handle) const { tjDestroy(handle); }
};

// JPEG has no alpha: lay the image over white, as Pillow users usually do by hand.
cv::Mat flatten_on_white(const cv::Mat& bgra) {
  cv::Mat out(bgra.size(), CV_8UC3);
  for (int y = 0; y < bgra.rows; ++y) {
    const cv::Vec4b* src = bgra.ptr<cv::Vec4b>(y);
    cv::Vec3b* dst = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgra.cols; ++x) {
      const int a = src[x][3];
      for (int c = 0; c < 3; ++c) dst[x][c] = static_cast<std::uint8_t>((src[x][c] * a + 255 * (255 - a) + 127) / 255);
    }
  }
  return out;
}

std::vector<std::uint8_t> encode_jpeg(const cv::Mat& input, int quality) {
  cv::Mat image = input.channels() == 4 ? flatten_on_white(input) : input;
  const bool gray = image.channels() == 1;
  const int subsampling = gray ? TJSAMP_GRAY : TJSAMP_420;
  // One compressor per thread, reused (see thread_decompressor in decoder.cpp).
  thread_local std::unique_ptr<void, TjDestroy> handle(tjInitCompress());
  if (!handle) throw ImageError(fmt::format("cannot start the JPEG encoder: {}", tjGetErrorStr2(nullptr)));
  // Encode straight into our buffer (tjBufSize is the worst case), saving a copy.
  std::vector<std::uint8_t> out(tjBufSize(image.cols, image.rows, subsampling));
  unsigned char* buffer = out.data();
  unsigned long size = out.size();
  if (tjCompress2(handle.get(), image.data, image.cols, int(image.step), image.rows, gray ? TJPF_GRAY : TJPF_BGR,
                  &buffer, &size, subsampling, quality, TJFLAG_NOREALLOC) != 0) {
    throw ImageError(fmt::format("cannot encode JPEG: {}", tjGetErrorStr2(handle.get())));
  }
  out.resize(size);
  return out;
}

std::vector<std::uint8_t> encode_webp(const cv::Mat& input, int quality) {
  if (input.cols > WEBP_MAX_DIMENSION || input.rows > WEBP_MAX_DIMENSION) {
    throw ImageError(fmt::format("cannot encode WebP: {}x{} is above its {}x{} limit", input.cols, input.rows,
                                 WEBP_MAX_DIMENSION, WEBP_MAX_DIMENSION));
  }
  cv::Mat image = input;
  if (image.channels() == 1) cv::cvtColor(input, image, cv::COLOR_GRAY2BGR);
  std::uint8_t* data = nullptr;
  const float q = static_cast<float>(quality);
  const std::size_t size = image.channels() == 4
                               ? WebPEncodeBGRA(image.data, image.cols, image.rows, int(image.step), q, &data)
                               : WebPEncodeBGR(image.data, image.cols, image.rows, int(image.step), q, &data);
  std::unique_ptr<std::uint8_t, decltype(&WebPFree)> owned(data, &WebPFree);
  if (size == 0 || data == nullptr) throw ImageError("cannot encode WebP");
  return {data, data + size};
}

std::vector<std::uint8_t> encode_opencv(const cv::Mat& image, const char* extension, const std::vector<int>& params) {
  std::vector<std::uint8_t> out;
  bool ok = false;
  try {
    ok = detail::imencode(extension, image, out, params);
  } catch (const cv::Exception& e) {
    throw ImageError(fmt::format("cannot encode {}: {}", extension + 1, e.err));
  }
  if (!ok) throw ImageError(fmt::format("cannot encode {}", extension + 1));
  return out;
}

}  // namespace

std::vector<std::uint8_t> encode(const cv::Mat& image, Format format, int quality) {
  if (quality < 1 || quality > 100) throw UsageError(fmt::format("quality {} is out of range (1..100)", quality));
  if (image.empty()) throw ImageError("cannot encode an empty image");
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
    throw ImageError(fmt::format("cannot encode: expected 8-bit gray, BGR or BGRA, got type {}", image.type()));
  }
  switch (format) {
    case Format::Jpeg: return encode_jpeg(image, quality);
    case Format::Png: return encode_opencv(image, ".png", {cv::IMWRITE_PNG_COMPRESSION, kPngCompression});
    case Format::Webp: return encode_webp(image, quality);
    case Format::Tiff: return encode_opencv(image, ".tiff", {});
    case Format::Same: break;
  }
  throw UsageError("encode needs a concrete format, not \"same\"");
}

}  // namespace imgpool::core
