// A worker for the process backend's tests: the real file job, except that on the first attempt at an
// input whose name starts with "crash" it dies by SIGKILL, as a crash would, after doing what
// $IMGPOOL_TEST_CRASH says:
//   rival       writes "rival" to the output first, as if another run made it meanwhile
//   after-write runs the file job (its output linked into place), then dies before answering
// Each item's rerun (pool::this_task::attempt() > 0) is the real file job.

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include <imgpool/core/worker/file_job_kinds.hpp>
#include <imgpool/pool/process_worker.hpp>

namespace core = imgpool::core;
namespace pool = imgpool::pool;

int main(int argc, char** argv) {
  pool::TaskRegistry real;
  core::register_file_job_kinds(real);
  pool::TaskRegistry kinds;
  kinds.add_initializer(std::string(core::kFileJobInitKind), *real.find_initializer(core::kFileJobInitKind));
  const pool::TaskFunction job = *real.find_task(core::kFileJobKind);
  kinds.add_task(std::string(core::kFileJobKind), [job](std::span<const std::uint8_t> argument) {
    const core::FileItem item = core::decode_file_item(argument);
    if (pool::this_task::attempt() == 0 && item.input.filename().native().starts_with("crash")) {
      const char* mode = std::getenv("IMGPOOL_TEST_CRASH");
      if (mode && std::string_view(mode) == "rival") {
        std::ofstream(item.output) << "rival";
      } else if (mode && std::string_view(mode) == "after-write") {
        (void)job(argument);
      }
      ::raise(SIGKILL);
    }
    return job(argument);
  });
  return pool::run_worker(kinds, argc, argv);
}
