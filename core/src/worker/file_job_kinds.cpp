#include <imgpool/core/worker/file_job_kinds.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core/utility.hpp>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/worker/file_job_codec.hpp>

#include "job/atomic_write.hpp"
#include "job/stages.hpp"

namespace imgpool::core {

namespace {

// What one worker process keeps between tasks: it runs one task at a time, so no locking.
struct WorkerJob {
  JobOptions options;
  WorkerModels models;
  std::optional<detail::OutputRoot> root;  // opened once, checked to be the folder the parent opened
  detail::InputIds inputs;
};
std::optional<WorkerJob> worker_job;

std::vector<detail::FileId> file_ids(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& pairs) {
  std::vector<detail::FileId> ids;
  ids.reserve(pairs.size());
  for (const auto& [device, inode] : pairs) ids.push_back({device, inode});
  return ids;
}

}  // namespace

void register_file_job_kinds(pool::TaskRegistry& registry) {
  registry.add_initializer(std::string(kFileJobInitKind), [](std::span<const std::uint8_t> argument) {
    // The pool's parallelism is the worker processes: OpenCV's own threads would oversubscribe the CPUs
    // (the thread backend gets the same effect from its arena, which OpenCV's TBB work joins).
    cv::setNumThreads(1);
    FileJobSetup setup = decode_file_job_setup(argument);
    WorkerModels models = WorkerModels::load(setup.options.pipeline);  // the face cascade, when the pipeline needs it
    std::optional<detail::OutputRoot> root;
    // The root by its path, then its identity against the parent's: a folder swapped in since is refused
    // here (the initializer fails, and so the batch's remaining items), never written into.
    if (!setup.output_root.empty()) root.emplace(setup.output_root, detail::FileId{setup.root_device, setup.root_inode});
    worker_job.emplace(WorkerJob{std::move(setup.options), std::move(models), std::move(root),
                                 detail::InputIds(file_ids(setup.inputs))});
  });
  registry.add_task(std::string(kFileJobKind), [](std::span<const std::uint8_t> argument) {
    if (!worker_job) throw Error("the file job's initializer did not run in this worker");
    const FileItem item = decode_file_item(argument);
    const bool rerun = pool::this_task::attempt() > 0;
    const detail::OutputRoot* root = worker_job->root ? &*worker_job->root : nullptr;
    if (rerun) {  // the dead attempt's temporaries
      if (root) {
        try {
          detail::remove_temporaries_of(*root, item.output);
        } catch (const ImageError&) {  // its folder is refused: the job says why
        }
      } else {
        detail::remove_temporaries_of(item.output);
      }
    }
    // The batch's ExistingOutput holds on a rerun too; only an output holding exactly this attempt's
    // bytes, where none was before the batch, is taken for the dead attempt's own.
    const detail::OutputPlace place{root, &worker_job->inputs, rerun && !item.output_existed};
    return encode_file_result(
        detail::run_file_job(place, item.input, item.output, worker_job->options, &worker_job->models,
                             {item.input_device, item.input_inode}));
  });
}

}  // namespace imgpool::core
