// imgpool-worker: the worker process of imgpool's process backend. ProcessPoolExecutor starts it
// (found beside the imgpool binary, via $IMGPOOL_WORKER, or on PATH); it runs core's file job.

#include <cstdio>

#include <imgpool/core/worker/file_job_kinds.hpp>
#include <imgpool/pool/process_worker.hpp>

int main(int argc, char** argv) {
  imgpool::pool::TaskRegistry kinds;
  imgpool::core::register_file_job_kinds(kinds);
  const int rc = imgpool::pool::run_worker(kinds, argc, argv);
  if (rc == 2) std::fputs("imgpool-worker: the worker process of `imgpool --backend process`; not run by hand\n", stderr);
  return rc;
}
