#include "codec/jpeg_dc.hpp"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t first

#include <jpeglib.h>
#include <jerror.h>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

#include "codec/warnings.hpp"

namespace imgpool::core::detail {

namespace {

// libjpeg reports errors through a callback that must not return; the documented way out is longjmp.
struct ErrorManager {
  jpeg_error_mgr mgr;  // first member: libjpeg hands &mgr back as cinfo->err
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int warnings;
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (corrupt data that libjpeg recovers from) fail the file, as in the TurboJPEG path, except
// the harmless "extraneous bytes before marker" that many camera files carry.
void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) {
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    note_warning("JPEG", text);  // kept with the file's result
    return;
  }
  if (err->warnings++ == 0) (*cinfo->err->format_message)(cinfo, err->message);
}

// The DC path stops reading early, so it would never notice a truncated file; those go to the full
// decoder, which fails them. An EOI marker near the end (some cameras append data after it) is the test.
bool has_end_marker(std::span<const std::uint8_t> bytes) {
  const std::size_t stop = bytes.size() > 4096 ? bytes.size() - 4096 : 0;
  for (std::size_t i = bytes.size() - 1; i > stop; --i) {
    if (bytes[i] == 0xD9 && bytes[i - 1] == 0xFF) return true;
  }
  return false;
}

bool dc_complete(const jpeg_decompress_struct& cinfo) {
  for (int c = 0; c < cinfo.num_components; ++c) {
    // coef_bits[c][0]: the successive-approximation bit position of DC still to come; -1 = none yet
    if (cinfo.comp_info[c].component_needed && cinfo.coef_bits[c][0] != 0) return false;
  }
  return true;
}

enum class Outcome { Done, NotProgressive, Failed };

// Everything libjpeg may longjmp out of happens in this frame, which holds no object with a destructor
// (longjmp past one would be undefined); `cinfo` is created and destroyed by the caller.
Outcome decode(jpeg_decompress_struct& cinfo, ErrorManager& err, std::span<const std::uint8_t> bytes, bool grayscale,
               cv::Mat& out) {
  if (setjmp(err.jump) != 0) return Outcome::Failed;
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (!cinfo.progressive_mode || cinfo.arith_code || cinfo.jpeg_color_space == JCS_CMYK ||
      cinfo.jpeg_color_space == JCS_YCCK) {
    return Outcome::NotProgressive;
  }
  cinfo.buffered_image = TRUE;
  cinfo.do_block_smoothing = FALSE;  // smoothing would guess AC terms from neighbouring DCs
  cinfo.scale_num = 1;
  cinfo.scale_denom = 8;
  cinfo.out_color_space = grayscale ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_start_decompress(&cinfo);
  for (;;) {
    const int status = jpeg_consume_input(&cinfo);
    if (status == JPEG_REACHED_EOI || status == JPEG_SUSPENDED) break;
    if (status == JPEG_SCAN_COMPLETED && dc_complete(cinfo)) break;
  }
  jpeg_start_output(&cinfo, cinfo.input_scan_number);
  out.create(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width),
             grayscale ? CV_8UC1 : CV_8UC3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.ptr(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  return err.warnings == 0 ? Outcome::Done : Outcome::Failed;
}

}  // namespace

DcDecode decode_progressive_dc(std::span<const std::uint8_t> bytes, bool grayscale, cv::Mat& out) {
  if (bytes.size() < 4 || !has_end_marker(bytes)) return DcDecode::NotProgressive;
  jpeg_decompress_struct cinfo{};
  ErrorManager err{};
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_error;
  err.mgr.emit_message = on_message;
  cv::Mat image;
  Outcome outcome;
  try {
    outcome = decode(cinfo, err, bytes, grayscale, image);
  } catch (...) {  // cv::Mat's allocation
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  jpeg_destroy_decompress(&cinfo);  // also abandons the AC scans never read
  switch (outcome) {
    case Outcome::NotProgressive: return DcDecode::NotProgressive;
    case Outcome::Failed: throw ImageError(fmt::format("corrupt JPEG: {}", err.message));
    case Outcome::Done: break;
  }
  out = std::move(image);
  return DcDecode::Done;
}

}  // namespace imgpool::core::detail
