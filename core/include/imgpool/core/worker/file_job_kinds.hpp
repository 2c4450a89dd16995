#pragma once
// The task kinds a worker executable (imgpool-worker) registers to run the file job. Not part of the
// umbrella header: only the worker's main() needs it.

#include <imgpool/core/worker/file_job_codec.hpp>
#include <imgpool/pool/process_worker.hpp>

namespace imgpool::core {

/// registers kFileJobInitKind and kFileJobKind. The initializer keeps the options and models in the
/// worker process (which runs one task at a time); the task kind runs run_file_job with them.
void register_file_job_kinds(pool::TaskRegistry& registry);

}  // namespace imgpool::core
