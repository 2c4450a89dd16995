// The decode floor: the wall time libjpeg-turbo needs just to decode every JPEG once at the smallest
// scale that still serves the job (the same shrink-on-load plan imgpool uses), files already in memory,
// largest first, on N threads, into reused buffers. Nothing that decodes every image can beat it.
//
//   imgpool-decode-floor [--workers N] [--op SPEC ...] [--repeat R] FILE...
// prints one line of JSON: {"files", "workers", "wall_s_median", "walls_s"}.

#include <turbojpeg.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <imgpool/core.hpp>
#include <imgpool/pool/cpu.hpp>

namespace {

struct Job {
  std::vector<unsigned char> bytes;
  imgpool::core::ShrinkOnLoadPlan plan;
};

double decode_all(const std::vector<Job>& jobs, int workers) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      tjhandle handle = tjInitDecompress();
      std::vector<unsigned char> buffer;
      for (std::size_t i = next++; i < jobs.size(); i = next++) {
        const Job& job = jobs[i];
        const auto& d = job.plan.decoded;
        buffer.resize(static_cast<std::size_t>(d.width) * static_cast<std::size_t>(d.height) * 3);
        if (tjDecompress2(handle, job.bytes.data(), job.bytes.size(), buffer.data(), d.width, 0, d.height, TJPF_BGR,
                          0) != 0 && tjGetErrorCode(handle) == TJERR_FATAL) {
          ++failures;
        }
      }
      tjDestroy(handle);
    });
  }
  for (auto& t : threads) t.join();
  if (failures) std::fprintf(stderr, "decode-floor: %d files failed to decode\n", failures.load());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int workers = imgpool::pool::available_cpus();
  int repeat = 5;
  std::vector<std::string> ops, files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--workers" && i + 1 < argc) workers = std::stoi(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::stoi(argv[++i]);
    else if (a == "--op" && i + 1 < argc) ops.emplace_back(argv[++i]);
    else files.push_back(a);
  }
  if (ops.empty()) ops.emplace_back("thumbnail=256");
  const auto pipeline = imgpool::core::Pipeline::parse(ops);

  std::vector<Job> jobs;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    Job job;
    job.bytes.assign(std::istreambuf_iterator<char>(in), {});
    try {
      const auto header = imgpool::core::read_header(job.bytes);
      if (header.format != imgpool::core::Format::Jpeg) continue;
      job.plan = imgpool::core::plan_shrink_on_load(header.size, header.orientation,
                                                    pipeline.min_source_size(header.oriented_size()));
    } catch (const std::exception&) {
      continue;
    }
    jobs.push_back(std::move(job));
  }
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.bytes.size() > b.bytes.size(); });
  decode_all(jobs, workers);  // warm-up
  std::vector<double> walls;
  for (int r = 0; r < repeat; ++r) walls.push_back(decode_all(jobs, workers));
  std::vector<double> sorted = walls;
  std::sort(sorted.begin(), sorted.end());
  std::printf("{\"files\": %zu, \"workers\": %d, \"wall_s_median\": %.4f, \"walls_s\": [", jobs.size(), workers,
              sorted[sorted.size() / 2]);
  for (std::size_t i = 0; i < walls.size(); ++i) std::printf("%s%.4f", i ? ", " : "", walls[i]);
  std::printf("]}\n");
}
