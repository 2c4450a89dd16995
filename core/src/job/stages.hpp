#pragma once
// Internal to core: the stages of one image, in order. The file job (file_job.cpp), the in-memory API
// (process_encoded, process_to_image, MemoryBatch) and bench all run an image through these, so that
// there is one way to read, decode for a pipeline, apply it, and choose the output format.
//
//   read_input_file(path)                     job/file_job.hpp (public)
//   decode_for_pipeline(bytes, options)       header → pipeline's least source size → decode told that size
//   apply_pipeline(decoded, options, models)  the pipeline, at the decoded image's logical size, and
//                                             colour management (to sRGB by default)
//   choose_format(...)                        the output format
//   encode_output(processed, format, options) the metadata the job keeps, then encode() (codec/encoder.hpp)
//   check_warnings(capture, options)          FailOn::Warning: a warned-about file fails before it is written

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/job/file_job.hpp>

#include "codec/warnings.hpp"
#include "job/file_identity.hpp"

namespace imgpool::core::detail {

/// how a job decodes `bytes`: its orientation and pixel settings, gray when the pipeline needs only
/// luminance, and, when the header gives the size, shrink-on-load to the pipeline's least source size
DecodeOptions decode_options_for(std::span<const std::uint8_t> bytes, const JobOptions& options);

/// decode(bytes, decode_options_for(bytes, options))
DecodedImage decode_for_pipeline(std::span<const std::uint8_t> bytes, const JobOptions& options);

/// a processed image and the metadata its output carries (`icc`: the profile its pixels are in, empty
/// for untagged sRGB and for gray images, whose outputs are untagged)
struct ProcessedImage {
  cv::Mat image;
  ImageMetadata metadata;
};

/// runs options.pipeline on `decoded.image`, standing for an image of `decoded.full_size`, and
/// converts its colours as options.colour says (convert_colour). The conversion runs where it costs
/// least: after the pipeline, on the output-sized image, unless an operation reads colour values
/// (grayscale), which must then see them in the output's colour space.
ProcessedImage apply_pipeline(DecodedImage decoded, const JobOptions& options, const WorkerModels* models);

/// `processed` encoded as `format` with options.encode's settings, embedding the profile its pixels
/// are in and the EXIF/XMP options.metadata keeps (metadata_to_keep)
std::vector<std::uint8_t> encode_output(const ProcessedImage& processed, Format format, const JobOptions& options);

/// throws ImageError("warning: <first warning> (fail_on is FailOn::Warning)") when options.fail_on is
/// Warning and `capture` holds one
void check_warnings(const WarningCapture& capture, const JobOptions& options);

/// the output format: `encode.format`, else the format of `output`'s extension (when there is an
/// output path), else the input's sniffed format, else `fallback`. Throws ImageError("cannot write
/// \"EXT\" files (set EncodeOptions::format)") when an output path's extension decides nothing and
/// neither does anything after it.
Format choose_format(const EncodeOptions& encode, const std::filesystem::path* output, Format input,
                     Format fallback = Format::Same);

class OutputRoot;
class InputIds;

/// where a batch's file job writes: below `root` (null: the output's own folder, created when
/// missing), never replacing one of `inputs` (null: only the job's own input). `rerun`: an earlier
/// attempt at this item died and the output was not there before the batch, so with
/// ExistingOutput::Fail an existing output holding exactly this attempt's bytes is the dead attempt's
/// own and counts as written; any other existing output is still refused, never replaced.
struct OutputPlace {
  const OutputRoot* root = nullptr;
  const InputIds* inputs = nullptr;
  bool rerun = false;
};

/// run_file_job (job/file_job.hpp) writing as `place` says, reading `input` only if it is still the
/// file `scanned` (when that is not {0, 0}): "cannot read: the file was replaced after the scan"
FileResult run_file_job(const OutputPlace& place, const std::filesystem::path& input,
                        const std::filesystem::path& output, const JobOptions& options,
                        const WorkerModels* models, FileId scanned = {}) noexcept;

/// read_input_file, refusing a file that is not `scanned` (unless that is {0, 0})
std::vector<std::uint8_t> read_input(const std::filesystem::path& path, std::uint64_t max_bytes, FileId scanned);

/// the one-line reason for the exception currently being handled; call it only inside a catch block.
/// imgpool and standard exceptions give their message, cv::Exception "OpenCV: " and its text,
/// std::bad_alloc "out of memory", anything else "unknown error".
std::string current_failure_reason();

}  // namespace imgpool::core::detail
