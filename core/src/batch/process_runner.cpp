// run_batch's process backend: chunks as file-job tasks on a ProcessPoolExecutor.

#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>

#include <imgpool/core/error.hpp>
#include <imgpool/core/worker/file_job_codec.hpp>
#include <imgpool/pool/process_executor.hpp>

#include "batch/chunk_runner.hpp"

namespace imgpool::core {

namespace {

pool::ProcessExecutorOptions executor_options(const JobOptions& options, const OutputGuard& guard,
                                              const BatchOptions& batch, int workers) {
  pool::ProcessExecutorOptions exec = batch.process;
  exec.max_workers = workers;
  exec.initializer = std::string(kFileJobInitKind);
  FileJobSetup setup{options, {}, 0, 0, {}};
  if (guard.root) {
    setup.output_root = guard.root->path();
    setup.root_device = guard.root->id().device;
    setup.root_inode = guard.root->id().inode;
  }
  setup.inputs.reserve(guard.inputs.ids().size());
  for (const detail::FileId& id : guard.inputs.ids()) setup.inputs.emplace_back(id.device, id.inode);
  exec.initializer_argument = encode_file_job_setup(setup);
  return exec;
}

pool::ProcessPoolExecutor start_executor(pool::ProcessExecutorOptions exec) {
  try {
    return pool::ProcessPoolExecutor(std::move(exec));
  } catch (const imgpool::Error& e) {
    throw ConfigError(std::string("process backend: ") + e.what());
  }
}

// The executor's supervisor thread runs the done callbacks, which push each item's result to the inbox.
class ProcessRunner final : public ChunkRunner {
 public:
  ProcessRunner(const JobOptions& options, const OutputGuard& guard, const BatchOptions& batch, int workers, Inbox& inbox)
      : existing_(options.existing),
        inbox_(inbox),
        executor_(start_executor(executor_options(options, guard, batch, workers))) {}

  void submit(std::size_t chunk, std::vector<BatchItem> items) override {
    std::vector<pool::Bytes> arguments;
    arguments.reserve(items.size());
    for (const BatchItem& batch_item : items) {
      FileItem item{batch_item.input, batch_item.output, batch_item.device, batch_item.inode, false};
      if (existing_ == ExistingOutput::Fail) {
        std::error_code ec;
        item.output_existed = std::filesystem::exists(std::filesystem::symlink_status(item.output, ec));
      }
      arguments.push_back(encode_file_item(item));
    }
    std::vector<pool::Future<pool::Bytes>> submitted;
    try {
      submitted = executor_.submit_chunk(std::string(kFileJobKind), std::move(arguments));
    } catch (const imgpool::Error& e) {  // broken (an initializer failed): the chunk's items fail, not the batch
      for (const BatchItem& item : items) inbox_.push({chunk, failed_result(item, std::string("worker failed: ") + e.what())});
      return;
    }
    for (std::size_t k = 0; k < items.size(); ++k) {
      submitted[k].add_done_callback([this, chunk, item = std::move(items[k])](const pool::Future<pool::Bytes>& f) {
        if (f.cancelled()) {
          inbox_.push({chunk, std::nullopt});
          return;
        }
        try {
          inbox_.push({chunk, decode_file_result(f.result(), item.input, item.output)});
        } catch (const pool::BrokenExecutor& e) {
          inbox_.push({chunk, failed_result(item, std::string("worker failed: ") + e.what())});
        } catch (const std::exception& e) {  // crashed, timed out, out of memory, or a malformed result
          inbox_.push({chunk, failed_result(item, e.what())});
        }
      });
    }
    in_flight_.emplace(chunk, std::move(submitted));
  }

  void cancel_pending() override {
    for (auto& [chunk, futures] : in_flight_) {
      for (auto& f : futures) f.cancel();
    }
  }

  void retire(std::size_t chunk) override { in_flight_.erase(chunk); }

 private:
  ExistingOutput existing_;
  Inbox& inbox_;
  std::unordered_map<std::size_t, std::vector<pool::Future<pool::Bytes>>> in_flight_;
  pool::ProcessPoolExecutor executor_;  // last: its destructor waits for the callbacks that use the rest
};

}  // namespace

std::unique_ptr<ChunkRunner> make_process_runner(const JobOptions& options, const OutputGuard& guard,
                                                 const BatchOptions& batch, int workers, Inbox& inbox) {
  return std::make_unique<ProcessRunner>(options, guard, batch, workers, inbox);
}

}  // namespace imgpool::core
