#pragma once
// What the file job and the in-memory batch share (internal to core): decode options from job options,
// and the failure reason of an exception.

#include <string>

#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/job/file_job.hpp>

namespace imgpool::core::detail {

/// how a job decodes: its orientation and pixel settings, gray when the pipeline needs only luminance,
/// and shrink-on-load to the pipeline's least source size. The result refers to `options.pipeline`.
DecodeOptions decode_options_for(const JobOptions& options);

/// the one-line reason for the exception currently being handled; call it only inside a catch block.
/// imgpool and standard exceptions give their message, cv::Exception "OpenCV: " and its text,
/// std::bad_alloc "out of memory", anything else "unknown error".
std::string current_failure_reason();

}  // namespace imgpool::core::detail
