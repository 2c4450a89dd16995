// JPEG output through libjpeg's own API rather than TurboJPEG's: only it offers optimised Huffman
// tables (TurboJPEG 2.1 has no flag for them), and it writes the metadata markers in place.
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <jpeglib.h>

#include <imgpool/core/error.hpp>

#include "codec/encoders.hpp"

namespace imgpool::core::detail {

namespace {

constexpr std::size_t kMaxMarker = 65533;  // a marker segment's payload: 65535 less its length field
constexpr char kExifPrefix[] = "Exif\0";   // with its terminator: "Exif\0\0"
constexpr char kXmpPrefix[] = "http://ns.adobe.com/xap/1.0/";  // with its terminator

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr, int) {}  // libjpeg's warnings: none matters for an encoder fed our own pixels

// What compress() reads: plain data, so that nothing with a destructor lives across setjmp/longjmp.
struct JpegJob {
  const unsigned char* pixels;
  std::size_t step;
  int width, height, channels;
  const EncodeSettings* settings;
  const std::uint8_t* exif;  // with kExifPrefix already in front
  std::size_t exif_size;
  const std::uint8_t* xmp;   // with kXmpPrefix already in front
  std::size_t xmp_size;
  const std::uint8_t* icc;
  std::size_t icc_size;
};

// libjpeg reports errors by longjmp: every local here is trivially destructible, and `out` is
// allocated by libjpeg (malloc), freed by the caller.
bool compress(const JpegJob& job, unsigned char** out, unsigned long* size, char* message) {
  jpeg_compress_struct cinfo;
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    std::memcpy(message, err.message, sizeof err.message);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, size);
  cinfo.image_width = static_cast<JDIMENSION>(job.width);
  cinfo.image_height = static_cast<JDIMENSION>(job.height);
  cinfo.input_components = job.channels;
  cinfo.in_color_space = job.channels == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, job.settings->quality, TRUE);
  cinfo.optimize_coding = job.settings->optimize ? TRUE : FALSE;
  if (job.channels == 3) {
    const Chroma chroma = job.settings->chroma;
    cinfo.comp_info[0].h_samp_factor = chroma == Chroma::S444 ? 1 : 2;
    cinfo.comp_info[0].v_samp_factor = chroma == Chroma::S420 ? 2 : 1;
    for (int c = 1; c < 3; ++c) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  }
  if (job.settings->progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  if (job.exif_size > 0) jpeg_write_marker(&cinfo, JPEG_APP0 + 1, job.exif, static_cast<unsigned>(job.exif_size));
  if (job.xmp_size > 0) jpeg_write_marker(&cinfo, JPEG_APP0 + 1, job.xmp, static_cast<unsigned>(job.xmp_size));
  if (job.icc_size > 0) jpeg_write_icc_profile(&cinfo, job.icc, static_cast<unsigned>(job.icc_size));
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(job.pixels + std::size_t(cinfo.next_scanline) * job.step);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

template <std::size_t N>
EncodedBytes prefixed(const char (&prefix)[N], const std::uint8_t* data, std::size_t size) {
  EncodedBytes out(prefix, prefix + N);  // N counts the terminator, which the prefixes include
  out.insert(out.end(), data, data + size);
  return out;
}

}  // namespace

EncodedBytes encode_jpeg(const cv::Mat& image, const EncodeSettings& settings, const ImageMetadata& metadata) {
  // An ICC profile may span up to 255 APP2 chunks; EXIF and XMP must each fit one marker (extended
  // XMP is not written): a block that does not fit is left out rather than written truncated.
  constexpr std::size_t kMaxIcc = 255 * (kMaxMarker - 14);
  if (metadata.icc.size() > kMaxIcc) {
    throw ImageError(fmt::format("cannot encode JPEG: an ICC profile of {} bytes does not fit", metadata.icc.size()));
  }
  const EncodedBytes exif = metadata.exif.empty() || metadata.exif.size() + 6 > kMaxMarker
                                ? EncodedBytes()
                                : prefixed(kExifPrefix, metadata.exif.data(), metadata.exif.size());
  const auto* xmp_data = reinterpret_cast<const std::uint8_t*>(metadata.xmp.data());
  const EncodedBytes xmp = metadata.xmp.empty() || metadata.xmp.size() + sizeof kXmpPrefix > kMaxMarker
                               ? EncodedBytes()
                               : prefixed(kXmpPrefix, xmp_data, metadata.xmp.size());
  const JpegJob job{image.data,  image.step,      image.cols,          image.rows, image.channels(),
                    &settings,   exif.data(),     exif.size(),         xmp.data(), xmp.size(),
                    metadata.icc.data(), metadata.icc.size()};
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  char message[JMSG_LENGTH_MAX] = {};
  const bool ok = compress(job, &buffer, &size, message);
  const std::unique_ptr<unsigned char, decltype(&std::free)> owned(buffer, &std::free);
  if (!ok) throw ImageError(fmt::format("cannot encode JPEG: {}", message));
  return {buffer, buffer + size};
}

}  // namespace imgpool::core::detail
