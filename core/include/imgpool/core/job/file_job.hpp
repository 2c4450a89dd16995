#pragma once
// One file through read → decode → pipeline → encode → atomic write; errors become results.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <imgpool/core/codec/colour.hpp>
#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/codec/format.hpp>
#include <imgpool/core/ops/pipeline.hpp>

namespace imgpool::core {

struct WorkerModels;

/// how a file job ended
enum class Status { Ok, Failed, Skipped };

/// what to do when the output file exists already
enum class ExistingOutput {
  Fail,       ///< failed result "output exists ..."; also never clobbers a file created concurrently
  Overwrite,  ///< replace it (atomically)
  Skip,       ///< Skipped when the output is not older than the input; else overwrite
};

/// the output encoding: the format, and the settings of codec/encoder.hpp (quality, JPEG chroma,
/// progressive and optimised tables, the background alpha is flattened onto)
struct EncodeOptions : EncodeSettings {
  Format format = Format::Same;  ///< Same: the output path's extension, else the input's format
};

/// the default JobOptions::max_file_size: 2 GiB, above any image within kDefaultMaxPixels but an
/// uncompressed 16-bit RGBA one
inline constexpr std::uint64_t kDefaultMaxFileSize = 2ull << 30;

/// Which trouble fails a file (as libvips' fail-on). Damaged data always does (a truncated or corrupt
/// JPEG, a broken PNG stream): it would come out as a grey or partial picture. What decoders recover
/// from cleanly is a warning, kept in the result's `warnings`: libjpeg's "extraneous bytes before
/// marker", libtiff's unknown tags, Exiv2's complaints about metadata, an embedded ICC profile that
/// cannot be used (the pixels are then taken as sRGB), OpenCV's own messages.
enum class FailOn {
  Error,    ///< default: warnings are kept in the result, the file is processed
  Warning,  ///< any warning fails the file, before its output is written
};

/// everything a file job needs besides its paths and models
struct JobOptions {
  Pipeline pipeline;
  EncodeOptions encode;
  bool auto_orient = true;
  std::uint64_t max_pixels = kDefaultMaxPixels;
  std::uint64_t max_file_size = kDefaultMaxFileSize;  ///< bytes read at most per input; 0: no limit
  ExistingOutput existing = ExistingOutput::Fail;
  ColourOptions colour;  ///< ICC profiles: converted to sRGB by default (codec/colour.hpp)
  KeepMetadata metadata;  ///< EXIF/XMP kept in outputs: none by default (codec/metadata.hpp)
  FailOn fail_on = FailOn::Error;
};

/// wall time per stage, milliseconds
struct StageTimes {
  double read_ms = 0, decode_ms = 0, process_ms = 0, encode_ms = 0, write_ms = 0;
};

/// the outcome of one file
struct FileResult {
  std::filesystem::path input, output;
  Status status = Status::Failed;
  std::string error;  ///< one line; empty unless Failed
  int width = 0, height = 0;  ///< output dims
  double ms = 0;              ///< whole job
  StageTimes stages;
  std::uint64_t input_pixels = 0;  ///< decoded pixels before the pipeline (after shrink-on-load)
  /// what the decoders and encoders warned about this file ("JPEG: Corrupt JPEG data: 3 extraneous
  /// bytes before marker 0xd9", "TIFF: TIFFReadDirectory: Unknown field with tag 65000 (0xfde8)
  /// encountered"), each "<source>: <text>", at most 10 and a count of the rest; see FailOn
  std::vector<std::string> warnings;
};

/// processes one file. Never throws: every failure is a Failed result with a one-line reason
/// ("cannot read: No such file or directory", "corrupt JPEG: ...", "output exists (set existing to
/// ExistingOutput::Overwrite or ExistingOutput::Skip)", "output would overwrite an input file (choose
/// another output folder)", "cannot write: No space left on device").
/// Reads the input once; writes through a temporary file in the output's folder renamed into place,
/// so no partial output is ever visible or left behind. Creates missing parent folders.
/// Thread safe for distinct outputs; `models` must belong to the calling thread (may be null when the
/// pipeline needs no model).
FileResult run_file_job(const std::filesystem::path& input, const std::filesystem::path& output,
                        const JobOptions& options, const WorkerModels* models) noexcept;

/// the whole content of the file `path`: the one way imgpool reads an input (one open, one fstat, one
/// buffer of the file's size). Only a regular file is read: the open neither blocks nor follows the
/// file into a FIFO, socket or device (opened O_NONBLOCK, then fstat). A file of more than `max_bytes`
/// (0: no limit) is refused before anything is read. Throws ImageError("cannot read: <reason>"), e.g.
/// "cannot read: Is a directory", "cannot read: not a regular file (a FIFO)", "cannot read: the file is
/// 3221225472 bytes, above max_file_size 2147483648".
std::vector<std::uint8_t> read_input_file(const std::filesystem::path& path,
                                          std::uint64_t max_bytes = kDefaultMaxFileSize);

/// checks `options` before any file is touched: quality 1..100 (UsageError), the colour options
/// (check_colour_options), and that the pipeline's models load (ConfigError naming the missing file). run_batch and MemoryBatch call it first.
void check_job(const JobOptions& options);

/// decodes `bytes` (shrink-on-load, EXIF orientation and max_pixels from `options`) and runs
/// `options.pipeline`; returns the processed image (8-bit gray/BGR/BGRA). `options.encode` is unused.
/// Throws ImageError, UsageError, ConfigError. Thread safe; `models` as for Pipeline::apply. Warnings
/// are not returned (MemoryBatch keeps them); with FailOn::Warning, one throws ImageError.
cv::Mat process_to_image(std::span<const std::uint8_t> bytes, const JobOptions& options, const WorkerModels* models);

/// the in-memory job for embedding: decode (with shrink-on-load), pipeline, encode (with the
/// metadata `options.metadata` keeps and the ICC profile of the pixels). Format::Same
/// encodes in the input's sniffed format, or `fallback` when that is unknown. Throws ImageError,
/// UsageError, ConfigError. Warnings as for process_to_image.
std::vector<std::uint8_t> process_encoded(std::span<const std::uint8_t> input, const JobOptions& options,
                                          const WorkerModels* models, Format fallback = Format::Png);

}  // namespace imgpool::core
