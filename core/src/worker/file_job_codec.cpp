#include <imgpool/core/worker/file_job_codec.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <imgpool/core/error.hpp>

#include "codec/warnings.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;
using pool::MessageError;

namespace {

template <class Enum>
Enum enum_field(pool::wire::Reader& r, Enum last) {
  const std::uint8_t v = r.u8();
  if (v > static_cast<std::uint8_t>(last)) throw MessageError("file job: enum field out of range");
  return static_cast<Enum>(v);
}

// A duration from the other side: a NaN, infinite or negative one is corruption, not a timing.
double duration_ms(pool::wire::Reader& r) {
  const double v = r.f64();
  if (!std::isfinite(v) || v < 0) throw MessageError("file job: duration out of range");
  return v;
}

// A path from the other side: a NUL inside would silently cut it short where the OS reads it.
fs::path path_field(pool::wire::Reader& r) {
  std::string p = r.str();
  if (p.empty()) throw MessageError("file job: empty path");
  if (p.find('\0') != std::string::npos) throw MessageError("file job: NUL byte in a path");
  return fs::path(std::move(p));
}

// A path that may be empty (an option left unset), without NUL bytes.
fs::path optional_path_field(pool::wire::Reader& r) {
  std::string p = r.str();
  if (p.find('\0') != std::string::npos) throw MessageError("file job: NUL byte in a path");
  return fs::path(std::move(p));
}

}  // namespace

pool::Bytes encode_job_options(const JobOptions& options) {
  pool::wire::Writer w;
  w.u32(static_cast<std::uint32_t>(options.pipeline.size()));
  for (const Operation& op : options.pipeline.operations()) w.str(op.spec());
  w.u8(static_cast<std::uint8_t>(options.colour.handling));
  w.str(options.colour.output_profile.native());
  w.str(options.colour.cmyk_profile.native());
  w.u8(static_cast<std::uint8_t>(options.encode.format));
  w.u32(static_cast<std::uint32_t>(options.encode.quality));
  w.u8(static_cast<std::uint8_t>(options.encode.chroma));
  w.u8(options.encode.progressive ? 1 : 0);
  w.u8(options.encode.optimize ? 1 : 0);
  w.u8(options.encode.background.r);
  w.u8(options.encode.background.g);
  w.u8(options.encode.background.b);
  const KeepMetadata& keep = options.metadata;
  w.u8(static_cast<std::uint8_t>((keep.exif ? 1 : 0) | (keep.copyright ? 2 : 0) | (keep.xmp ? 4 : 0) | (keep.gps ? 8 : 0)));
  w.u8(options.auto_orient ? 1 : 0);
  w.u64(options.max_pixels);
  w.u64(options.max_file_size);
  w.u8(static_cast<std::uint8_t>(options.existing));
  w.u8(static_cast<std::uint8_t>(options.fail_on));
  return w.take();
}

JobOptions decode_job_options(std::span<const std::uint8_t> bytes) {
  pool::wire::Reader r(bytes);
  JobOptions options;
  const std::uint32_t ops = r.u32();
  if (ops > r.remaining() / 4) throw MessageError("file job: operation count exceeds the message size");
  std::vector<std::string> specs;
  for (std::uint32_t i = 0; i < ops; ++i) specs.push_back(r.str());
  options.pipeline = Pipeline::parse(specs);  // validates every spec (UsageError)
  options.colour.handling = enum_field(r, ColourHandling::ToProfile);
  options.colour.output_profile = optional_path_field(r);
  options.colour.cmyk_profile = optional_path_field(r);
  options.encode.format = enum_field(r, Format::Tiff);
  const std::uint32_t quality = r.u32();
  if (quality < 1 || quality > 100) throw MessageError("file job: quality out of range");
  options.encode.quality = static_cast<int>(quality);
  options.encode.chroma = enum_field(r, Chroma::S444);
  options.encode.progressive = r.boolean();
  options.encode.optimize = r.boolean();
  options.encode.background.r = r.u8();
  options.encode.background.g = r.u8();
  options.encode.background.b = r.u8();
  const std::uint8_t keep = r.u8();
  if (keep > 15) throw MessageError("file job: unknown metadata flags");
  options.metadata = {(keep & 1) != 0, (keep & 2) != 0, (keep & 4) != 0, (keep & 8) != 0};
  options.auto_orient = r.boolean();
  options.max_pixels = r.u64();
  options.max_file_size = r.u64();
  options.existing = enum_field(r, ExistingOutput::Skip);
  options.fail_on = enum_field(r, FailOn::Warning);
  r.finish();
  return options;
}

pool::Bytes encode_file_job_setup(const FileJobSetup& setup) {
  pool::wire::Writer w;
  w.bytes(encode_job_options(setup.options));
  w.str(setup.output_root.native());
  w.u64(setup.root_device);
  w.u64(setup.root_inode);
  w.u64(setup.inputs.size());
  for (const auto& [device, inode] : setup.inputs) {
    w.u64(device);
    w.u64(inode);
  }
  return w.take();
}

FileJobSetup decode_file_job_setup(std::span<const std::uint8_t> bytes) {
  pool::wire::Reader r(bytes);
  FileJobSetup setup;
  setup.options = decode_job_options(r.bytes());
  setup.output_root = optional_path_field(r);
  setup.root_device = r.u64();
  setup.root_inode = r.u64();
  const std::uint64_t inputs = r.u64();
  if (inputs > r.remaining() / 16) throw MessageError("file job: input count exceeds the message size");
  setup.inputs.reserve(static_cast<std::size_t>(inputs));
  for (std::uint64_t i = 0; i < inputs; ++i) {
    const std::uint64_t device = r.u64();
    setup.inputs.emplace_back(device, r.u64());
  }
  r.finish();
  return setup;
}

pool::Bytes encode_file_item(const FileItem& item) {
  pool::wire::Writer w;
  w.str(item.input.native());
  w.str(item.output.native());
  w.u64(item.input_device);
  w.u64(item.input_inode);
  w.u8(item.output_existed ? 1 : 0);
  return w.take();
}

FileItem decode_file_item(std::span<const std::uint8_t> bytes) {
  pool::wire::Reader r(bytes);
  FileItem item;
  item.input = path_field(r);
  item.output = path_field(r);
  item.input_device = r.u64();
  item.input_inode = r.u64();
  item.output_existed = r.boolean();
  r.finish();
  return item;
}

pool::Bytes encode_file_result(const FileResult& result) {
  pool::wire::Writer w;
  w.u8(static_cast<std::uint8_t>(result.status));
  w.str(result.error);
  w.u32(static_cast<std::uint32_t>(result.warnings.size()));
  for (const std::string& warning : result.warnings) w.str(warning);
  w.u32(static_cast<std::uint32_t>(result.width));
  w.u32(static_cast<std::uint32_t>(result.height));
  w.f64(result.ms);
  w.f64(result.stages.read_ms);
  w.f64(result.stages.decode_ms);
  w.f64(result.stages.process_ms);
  w.f64(result.stages.encode_ms);
  w.f64(result.stages.write_ms);
  w.u64(result.input_pixels);
  return w.take();
}

FileResult decode_file_result(std::span<const std::uint8_t> bytes, const fs::path& input, const fs::path& output) {
  pool::wire::Reader r(bytes);
  FileResult result;
  result.input = input;
  result.output = output;
  result.status = enum_field(r, Status::Skipped);
  result.error = r.str();
  const std::uint32_t warnings = r.u32();
  if (warnings > detail::WarningCapture::kMaxWarnings + 1) throw MessageError("file job: too many warnings");
  for (std::uint32_t i = 0; i < warnings; ++i) result.warnings.push_back(r.str());
  const std::uint32_t width = r.u32(), height = r.u32();
  if (width > 1u << 30 || height > 1u << 30) throw MessageError("file job: output size out of range");
  result.width = static_cast<int>(width);
  result.height = static_cast<int>(height);
  result.ms = duration_ms(r);
  result.stages.read_ms = duration_ms(r);
  result.stages.decode_ms = duration_ms(r);
  result.stages.process_ms = duration_ms(r);
  result.stages.encode_ms = duration_ms(r);
  result.stages.write_ms = duration_ms(r);
  result.input_pixels = r.u64();
  r.finish();
  return result;
}

}  // namespace imgpool::core
