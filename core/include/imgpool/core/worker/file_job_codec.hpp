#pragma once
// The file job as a named task kind for the process backend: how its options, items and results are
// serialised between imgpool and imgpool-worker. Not part of the umbrella header: only the process
// backend (batch/process_runner.cpp) and the worker (worker/file_job_kinds.hpp) use it.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

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

/// what each worker process receives once, in the initializer: the job's options, the output root the
/// batch writes below (empty: each output's own folder) with the identity (device, inode) the parent
/// found when it opened it, and the identities of the batch's inputs, which no output may replace. A
/// worker opens the root itself and refuses one whose identity differs (replaced since the start).
/// decode throws pool::MessageError on anything malformed or truncated, as decode_job_options does.
struct FileJobSetup {
  JobOptions options;
  std::filesystem::path output_root;
  std::uint64_t root_device = 0, root_inode = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> inputs;  ///< (device, inode), 16 bytes each on the wire
};
pool::Bytes encode_file_job_setup(const FileJobSetup& setup);
FileJobSetup decode_file_job_setup(std::span<const std::uint8_t> bytes);

/// one item of a file-job chunk. `output_existed`: the output was there before the batch started.
/// A worker that died just after linking its output into place leaves a file the rerun must not
/// refuse as "output exists": on a rerun (pool::this_task::attempt() > 0) of an output that did not
/// exist before, an existing output holding exactly the bytes the rerun made counts as written. The
/// rerun keeps the batch's ExistingOutput: any other file there (another run's, made meanwhile) is
/// refused with ExistingOutput::Fail, never replaced.
struct FileItem {
  std::filesystem::path input, output;
  std::uint64_t input_device = 0, input_inode = 0;  ///< BatchItem's device and inode
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
