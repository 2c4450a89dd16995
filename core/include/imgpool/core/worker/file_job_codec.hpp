#pragma once
// The file job as a named task kind for the process backend: how its options, items and results are
// serialised between imgpool and imgpool-worker. Not part of the umbrella header: only the process
// backend (batch/process_runner.cpp) and the worker (worker/file_job_kinds.hpp) use it.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <utility>

#include <imgpool/core/job/file_job.hpp>
#include <imgpool/pool/message.hpp>

namespace imgpool::core {

/// the task kind: one item is an (input, output) pair, its result a FileResult without the paths
inline constexpr std::string_view kFileJobKind = "imgpool.file_job";
/// the initializer kind: receives the JobOptions once per worker process and loads its models
inline constexpr std::string_view kFileJobInitKind = "imgpool.file_job.init";

/// JobOptions (the pipeline as canonical specs) ⇄ bytes. decode validates every field and throws
/// pool::MessageError on anything malformed or truncated, UsageError on an invalid operation spec.
pool::Bytes encode_job_options(const JobOptions& options);
JobOptions decode_job_options(std::span<const std::uint8_t> bytes);

/// one item of a file-job chunk. `output_existed`: the output was there before the batch started.
/// A worker that died just after renaming its output into place leaves a file the rerun must not
/// refuse as "output exists": on a rerun (pool::this_task::attempt() > 0) an output that did not
/// exist before is the dead attempt's own, and ExistingOutput::Fail replaces it.
struct FileItem {
  std::filesystem::path input, output;
  bool output_existed = false;
};
/// FileItem ⇄ bytes; decode throws pool::MessageError on anything malformed or truncated (an empty
/// path, a NUL byte in a path, a bad flag, trailing bytes)
pool::Bytes encode_file_item(const FileItem& item);
FileItem decode_file_item(std::span<const std::uint8_t> bytes);

/// a FileResult without its paths (the parent knows them); decode fills in `input` and `output` and
/// throws pool::MessageError on anything malformed or truncated (a bad status, an output size over
/// 2^30, a negative or non-finite duration, trailing bytes)
pool::Bytes encode_file_result(const FileResult& result);
FileResult decode_file_result(std::span<const std::uint8_t> bytes, const std::filesystem::path& input,
                              const std::filesystem::path& output);

}  // namespace imgpool::core
