#include <imgpool/core/worker/file_job_kinds.hpp>

#include <optional>
#include <string>

#include <opencv2/core/utility.hpp>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/worker/file_job_codec.hpp>

#include "job/atomic_write.hpp"

namespace imgpool::core {

namespace {

// What one worker process keeps between tasks: it runs one task at a time, so no locking.
struct WorkerJob {
  JobOptions options;
  WorkerModels models;
};
std::optional<WorkerJob> worker_job;

}  // namespace

void register_file_job_kinds(pool::TaskRegistry& registry) {
  registry.add_initializer(std::string(kFileJobInitKind), [](std::span<const std::uint8_t> argument) {
    // The pool's parallelism is the worker processes: OpenCV's own threads would oversubscribe the CPUs
    // (the thread backend gets the same effect from its arena, which OpenCV's TBB work joins).
    cv::setNumThreads(1);
    JobOptions options = decode_job_options(argument);
    WorkerModels models = WorkerModels::load(options.pipeline);  // the face cascade, when the pipeline needs it
    worker_job.emplace(WorkerJob{std::move(options), std::move(models)});
  });
  registry.add_task(std::string(kFileJobKind), [](std::span<const std::uint8_t> argument) {
    if (!worker_job) throw Error("the file job's initializer did not run in this worker");
    const FileItem item = decode_file_item(argument);
    if (pool::this_task::attempt() > 0) detail::remove_temporaries_of(item.output);  // the dead attempt's
    if (pool::this_task::attempt() > 0 && worker_job->options.existing == ExistingOutput::Fail && !item.output_existed) {
      JobOptions rerun = worker_job->options;  // the output, if any, is the dead attempt's own
      rerun.existing = ExistingOutput::Overwrite;
      return encode_file_result(run_file_job(item.input, item.output, rerun, &worker_job->models));
    }
    return encode_file_result(run_file_job(item.input, item.output, worker_job->options, &worker_job->models));
  });
}

}  // namespace imgpool::core
