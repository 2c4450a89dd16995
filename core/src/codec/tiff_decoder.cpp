// TIFF through libtiff's RGBA interface, which reads every photometric kind, bit depth, planar layout,
// palette and compression libtiff knows, one strip or tile at a time into the output. Replaces OpenCV's
// TIFF reader, which turns TIFFs by their Orientation itself, returns unassociated alpha premultiplied,
// and got 16-bit planar and 1-bit palette files wrong while reporting success.
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <tiffio.h>

#include <imgpool/core/error.hpp>

#include "codec/decode_common.hpp"
#include "codec/warnings.hpp"

namespace imgpool::core::detail {

namespace {

// The data libtiff reads, and the first error it reports (libtiff's own handlers print to stderr).
struct MemoryFile {
  explicit MemoryFile(std::span<const std::uint8_t> data) : bytes(data) {}
  std::span<const std::uint8_t> bytes;
  toff_t position = 0;
  std::string error;
};

MemoryFile& file_of(thandle_t handle) { return *static_cast<MemoryFile*>(handle); }

tmsize_t read_proc(thandle_t handle, void* buffer, tmsize_t size) {
  MemoryFile& f = file_of(handle);
  if (size <= 0 || f.position >= f.bytes.size()) return 0;
  const std::size_t n = std::min<std::size_t>(std::size_t(size), f.bytes.size() - f.position);
  std::memcpy(buffer, f.bytes.data() + f.position, n);
  f.position += n;
  return tmsize_t(n);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return 0; }
toff_t seek_proc(thandle_t handle, toff_t offset, int whence) {
  MemoryFile& f = file_of(handle);
  const toff_t base = whence == SEEK_CUR ? f.position : whence == SEEK_END ? f.bytes.size() : 0;
  f.position = base + offset;
  return f.position;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t handle) { return file_of(handle).bytes.size(); }
int map_proc(thandle_t handle, void** base, toff_t* size) {
  MemoryFile& f = file_of(handle);
  *base = const_cast<std::uint8_t*>(f.bytes.data());  // libtiff only reads a file opened "r"
  *size = f.bytes.size();
  return 1;
}
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* format, va_list args) {
  auto& f = *static_cast<MemoryFile*>(user);
  if (f.error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    f.error = module != nullptr && *module != 0 ? fmt::format("{}: {}", module, text) : text;
  }
  return 1;
}
// kept with the file's result (warnings.hpp), never printed
int on_warning(TIFF*, void*, const char* module, const char* format, va_list args) {
  char text[512];
  int used = module != nullptr && *module != 0 ? std::snprintf(text, sizeof text, "%s: ", module) : 0;
  if (used < 0 || std::size_t(used) >= sizeof text) used = 0;
  std::vsnprintf(text + used, sizeof text - std::size_t(used), format, args);
  note_warning("TIFF", text);
  return 1;
}

struct TiffClose {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffClose>;

TiffPtr open_tiff(MemoryFile& file) {
  const std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> opts(TIFFOpenOptionsAlloc(), TIFFOpenOptionsFree);
  if (!opts) throw ImageError("cannot start the TIFF decoder: out of memory");
  TIFFOpenOptionsSetErrorHandlerExtR(opts.get(), on_error, &file);
  TIFFOpenOptionsSetWarningHandlerExtR(opts.get(), on_warning, &file);
  TiffPtr tif(TIFFClientOpenExt("input", "r", &file, read_proc, write_proc, seek_proc, close_proc, size_proc,
                                map_proc, unmap_proc, opts.get()));
  if (!tif) throw ImageError(fmt::format("corrupt TIFF: {}", file.error.empty() ? "cannot read its header" : file.error));
  return tif;
}

Size tiff_size(TIFF* tif) {
  std::uint32_t width = 0, height = 0;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
  if (width == 0 || height == 0 || width > (1u << 30) || height > (1u << 30)) {
    throw ImageError(fmt::format("corrupt TIFF: impossible size {}x{}", width, height));
  }
  return {int(width), int(height)};
}

int tiff_orientation(TIFF* tif) {
  std::uint16_t orientation = ORIENTATION_TOPLEFT;
  TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &orientation);
  return orientation >= 1 && orientation <= 8 ? orientation : 1;
}

// colour divided by alpha again, for files whose alpha is associated (premultiplied)
void unpremultiply(cv::Mat& rgba) {
  for (int y = 0; y < rgba.rows; ++y) {
    auto* p = rgba.ptr<std::uint8_t>(y);
    for (int x = 0; x < rgba.cols; ++x, p += 4) {
      const int a = p[3];
      if (a == 255) continue;
      for (int c = 0; c < 3; ++c) p[c] = a == 0 ? 0 : std::uint8_t(std::min(255, (p[c] * 255 + a / 2) / a));
    }
  }
}

}  // namespace

TiffHeader tiff_header(std::span<const std::uint8_t> bytes) {
  MemoryFile file(bytes);
  const TiffPtr tif = open_tiff(file);
  return {tiff_size(tif.get()), tiff_orientation(tif.get())};
}

ImageMetadata tiff_metadata(std::span<const std::uint8_t> bytes) {
  ImageMetadata out;
  try {
    MemoryFile file(bytes);
    const TiffPtr tif = open_tiff(file);
    std::uint32_t size = 0;
    void* data = nullptr;
    if (TIFFGetField(tif.get(), TIFFTAG_ICCPROFILE, &size, &data) == 1 && data != nullptr) {
      const auto* p = static_cast<const std::uint8_t*>(data);
      out.icc.assign(p, p + size);
    }
    if (TIFFGetField(tif.get(), TIFFTAG_XMLPACKET, &size, &data) == 1 && data != nullptr) {
      out.xmp.assign(static_cast<const char*>(data), size);
    }
    out.orientation = tiff_orientation(tif.get());
  } catch (const ImageError&) {
    return {};  // lenient: decode() judges the file
  }
  return out;
}

DecodedImage decode_tiff(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  MemoryFile file(bytes);
  const TiffPtr tif = open_tiff(file);
  const Size size = tiff_size(tif.get());
  check_pixels(size, options.max_pixels);  // before the raster is allocated or a strip decoded

  // Pixels as stored: decode() applies the orientation, so libtiff must not flip anything itself.
  TIFFSetField(tif.get(), TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  // libtiff premultiplies unassociated alpha on the way out; told it is associated, it leaves the
  // stored (straight) values alone. Associated alpha is divided out below: imgpool's images are straight.
  bool premultiplied = false;
  std::uint16_t extra_count = 0;
  std::uint16_t* extra = nullptr;
  if (TIFFGetField(tif.get(), TIFFTAG_EXTRASAMPLES, &extra_count, &extra) == 1 && extra_count > 0) {
    std::vector<std::uint16_t> types(extra, extra + extra_count);
    premultiplied = types[0] == EXTRASAMPLE_ASSOCALPHA;
    if (types[0] == EXTRASAMPLE_UNASSALPHA) {
      types[0] = EXTRASAMPLE_ASSOCALPHA;
      TIFFSetField(tif.get(), TIFFTAG_EXTRASAMPLES, extra_count, types.data());
    }
  }
  char message[1024] = {};
  // What the RGBA reader cannot take (floating-point or 32-bit samples, ...) goes to OpenCV's reader,
  // which reads such files as stored (IMREAD_UNCHANGED: no orientation of its own).
  if (TIFFRGBAImageOK(tif.get(), message) != 1) return decode_with_opencv(bytes, options, Format::Tiff);
  TIFFRGBAImage reader{};
  if (TIFFRGBAImageBegin(&reader, tif.get(), 0, message) != 1) {
    throw ImageError(fmt::format("unsupported TIFF: {}", message));
  }
  const std::unique_ptr<TIFFRGBAImage, void (*)(TIFFRGBAImage*)> end(&reader, TIFFRGBAImageEnd);
  reader.req_orientation = ORIENTATION_TOPLEFT;
  const bool alpha = reader.alpha != 0;
  const bool gray = (reader.photometric == PHOTOMETRIC_MINISBLACK || reader.photometric == PHOTOMETRIC_MINISWHITE) &&
                    reader.samplesperpixel - extra_count == 1;
  cv::Mat rgba(size, CV_8UC4);  // libtiff's ABGR words: R, G, B, A in memory order
  if (TIFFRGBAImageGet(&reader, reinterpret_cast<std::uint32_t*>(rgba.data), std::uint32_t(size.width),
                       std::uint32_t(size.height)) != 1) {
    throw ImageError(fmt::format("corrupt TIFF: {}", file.error.empty() ? "cannot decode its image data" : file.error));
  }
  if (alpha && premultiplied) unpremultiply(rgba);
  cv::Mat image;
  if (alpha) {
    cv::cvtColor(rgba, image, cv::COLOR_RGBA2BGRA);
  } else {
    cv::cvtColor(rgba, image, gray ? cv::COLOR_RGBA2GRAY : cv::COLOR_RGBA2BGR);
  }
  DecodedImage out = decoded_result(Format::Tiff, std::move(image), size, size, options.grayscale);
  out.metadata = tiff_metadata(bytes);
  return out;
}

}  // namespace imgpool::core::detail
