#include "bench_command.hpp"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <imgpool/core.hpp>
#include <imgpool/pool/cpu.hpp>

#include "bench_plot.hpp"
#include "bench_stats.hpp"
#include "cli_words.hpp"
#include "exit_codes.hpp"

namespace imgpool::app {
namespace fs = std::filesystem;

CLI::App* setup_bench(CLI::App& app, BenchOptions& o) {
  auto* sub = app.add_subcommand("bench", "Measure throughput and core scaling of a job at several pool configurations");
  sub->add_option("inputs", o.inputs, "Image files and folders (use real photos, not synthetic images)")->required();
  sub->add_option("--op", o.ops, "The pipeline, as for `run` (default: thumbnail=256)");
  sub->add_option("--format", o.format, "Output format (default jpg)")
      ->check(CLI::IsMember({"same", "jpg", "jpeg", "png", "webp", "tif", "tiff"}, CLI::ignore_case));
  sub->add_option("--quality", o.quality, "JPEG/WebP quality (default 85)")->check(CLI::Range(1, 100));
  sub->add_flag("-r,--recursive", o.recursive, "Walk sub-folders of folder inputs");
  sub->add_option("--workers", o.workers, "Worker counts, e.g. 1,2,4 (default: 1, 2, 4, ... up to the CPUs available)")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  sub->add_option("--backend", o.backends, "Backends to compare, e.g. thread,process")
      ->delimiter(',')
      ->check(CLI::IsMember({"thread", "process"}));
  sub->add_option("--chunk", o.chunks, "Chunking settings to compare: auto,off")
      ->delimiter(',')
      ->check(CLI::IsMember({"auto", "off"}));
  sub->add_option("--repeat", o.repeat, "Timed runs per configuration (default 3)")->check(CLI::Range(1, 1000));
  sub->add_option("--plot", o.plot, "Write a PNG plot of throughput and efficiency against workers");
  sub->add_option("--csv", o.csv, "Write the table as CSV");
  sub->add_flag("--json", o.json, "Print the results as JSON instead of a table");
  return sub;
}

namespace {

struct Config {
  std::string backend;
  std::string chunk;
  int workers = 1;
  std::string series() const { return backend + " chunk=" + chunk; }
};

struct ConfigResult {
  Config config;
  std::vector<double> walls;
  core::StageTimes stages;  // summed over files and runs
  double job_ms = 0;        // summed over files and runs
  std::size_t failed = 0;
  TimingSummary wall;
  Scaling scale;
  double images_per_s = 0;
  double megapixels_per_s = 0;
};

// A scratch folder for outputs, removed with the object.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string tmpl = (fs::temp_directory_path() / "imgpool-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw core::ConfigError("cannot create a temporary folder for bench outputs");
    path_ = tmpl;
  }
  ~ScratchFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Reads every input once (so the page cache is warm for every configuration alike) and returns the
// source pixels from the headers; formats whose header imgpool does not read count as 0 here.
std::uint64_t source_pixels(const std::vector<core::InputFile>& files) {
  std::uint64_t pixels = 0;
  for (const auto& f : files) {
    try {
      const auto h = core::read_header(core::read_input_file(f.path));
      pixels += static_cast<std::uint64_t>(h.size.width) * static_cast<std::uint64_t>(h.size.height);
    } catch (const std::exception&) {
    }
  }
  return pixels;
}

void add(core::StageTimes& into, const core::StageTimes& s) {
  into.read_ms += s.read_ms;
  into.decode_ms += s.decode_ms;
  into.process_ms += s.process_ms;
  into.encode_ms += s.encode_ms;
  into.write_ms += s.write_ms;
}

double run_once(const std::vector<core::InputFile>& files, const core::JobOptions& job, const Config& c,
                ConfigResult* into) {
  ScratchFolder out;
  const core::BatchPlan plan = core::plan_batch(files, out.path(), job.encode.format);
  core::BatchOptions batch;
  batch.workers = c.workers;
  batch.chunking = c.chunk != "off";
  batch.backend = c.backend == "process" ? core::Backend::Process : core::Backend::Thread;
  const core::BatchSummary summary = core::run_batch(plan, job, batch, [&](const core::FileResult& r) {
    if (!into) return;
    add(into->stages, r.stages);
    into->job_ms += r.ms;
  });
  if (into) into->failed += summary.failed + plan.refused.size();
  return summary.elapsed_s;
}

std::vector<std::string> stage_shares(const ConfigResult& r) {
  const double total = r.stages.read_ms + r.stages.decode_ms + r.stages.process_ms + r.stages.encode_ms +
                       r.stages.write_ms;
  auto pct = [&](double v) { return fmt::format("{:.0f}%", total > 0 ? 100 * v / total : 0); };
  return {pct(r.stages.read_ms), pct(r.stages.decode_ms), pct(r.stages.process_ms), pct(r.stages.encode_ms),
          pct(r.stages.write_ms)};
}

nlohmann::json to_json(const ConfigResult& r) {
  nlohmann::json j = {{"backend", r.config.backend},
                      {"chunk", r.config.chunk},
                      {"workers", r.config.workers},
                      {"wall_s_median", r.wall.median},
                      {"wall_s_min", r.wall.min},
                      {"wall_s_max", r.wall.max},
                      {"spread", r.wall.spread()},
                      {"walls_s", r.walls},
                      {"images_per_s", r.images_per_s},
                      {"megapixels_per_s", r.megapixels_per_s},
                      {"speedup", r.scale.speedup},
                      {"efficiency", r.scale.efficiency},
                      {"karp_flatt", r.scale.serial_fraction ? nlohmann::json(*r.scale.serial_fraction) : nullptr},
                      {"failed", r.failed},
                      {"stage_ms", {{"read", r.stages.read_ms},
                                    {"decode", r.stages.decode_ms},
                                    {"process", r.stages.process_ms},
                                    {"encode", r.stages.encode_ms},
                                    {"write", r.stages.write_ms}}}};
  return j;
}

}  // namespace

int run_bench(const BenchOptions& o) {
  core::JobOptions job;
  job.pipeline = core::Pipeline::parse(o.ops.empty() ? std::vector<std::string>{"thumbnail=256"} : o.ops);
  job.encode.format = core::parse_format(o.format);
  job.encode.quality = o.quality;
  job.existing = core::ExistingOutput::Overwrite;

  core::ScanOptions scan_options;
  scan_options.recursive = o.recursive;
  const core::ScanResult scan = core::scan_inputs({o.inputs.begin(), o.inputs.end()}, scan_options);
  for (const auto& p : scan.problems) fmt::print(stderr, "imgpool bench: {}: {}\n", p.path.string(), cli_words(p.error));
  if (scan.files.empty()) throw core::UsageError("bench: no image files found in the inputs");

  const int cpus = pool::available_cpus();
  const std::vector<int> worker_counts = o.workers.empty() ? default_worker_counts(cpus) : o.workers;
  std::vector<ConfigResult> results;
  for (const auto& backend : o.backends)
    for (const auto& chunk : o.chunks)
      for (int w : worker_counts) results.push_back({Config{backend, chunk, w}, {}, {}, 0, 0, {}, {}, 0, 0});

  const std::uint64_t pixels = source_pixels(scan.files);
  std::uint64_t bytes = 0;
  for (const auto& f : scan.files) bytes += f.size;
  fmt::print(stderr, "imgpool bench: {} files, {:.1f} MB, {:.1f} megapixels; {} configurations x {} runs; {} CPUs\n",
             scan.files.size(), static_cast<double>(bytes) / 1e6, static_cast<double>(pixels) / 1e6, results.size(),
             o.repeat, cpus);
  // One untimed run first: page cache, lazy library initialisation and CPU frequency settle for all alike.
  run_once(scan.files, job, Config{o.backends.front(), o.chunks.front(), cpus}, nullptr);

  // Interleaved: every round runs every configuration, starting one further along each time, so that
  // drift in machine speed hits all configurations alike.
  const std::size_t total_runs = results.size() * static_cast<std::size_t>(o.repeat);
  std::size_t done = 0;
  for (int round = 0; round < o.repeat; ++round) {
    for (std::size_t k = 0; k < results.size(); ++k) {
      ConfigResult& r = results[(k + static_cast<std::size_t>(round)) % results.size()];
      const double wall = run_once(scan.files, job, r.config, &r);
      r.walls.push_back(wall);
      fmt::print(stderr, "[{}/{}] {} workers={}: {:.3f} s\n", ++done, total_runs, r.config.series(), r.config.workers,
                 wall);
    }
  }

  for (ConfigResult& r : results) {
    r.wall = summarise(r.walls);
    r.images_per_s = r.wall.median > 0 ? static_cast<double>(scan.files.size()) / r.wall.median : 0;
    r.megapixels_per_s = r.wall.median > 0 ? static_cast<double>(pixels) / 1e6 / r.wall.median : 0;
    const auto one = std::find_if(results.begin(), results.end(), [&](const ConfigResult& x) {
      return x.config.workers == 1 && x.config.backend == r.config.backend && x.config.chunk == r.config.chunk;
    });
    if (one != results.end()) r.scale = scaling(summarise(one->walls).median, r.wall.median, r.config.workers);
  }

  if (o.json) {
    nlohmann::json j = {{"files", scan.files.size()},
                        {"bytes", bytes},
                        {"megapixels", static_cast<double>(pixels) / 1e6},
                        {"cpus", cpus},
                        {"repeat", o.repeat},
                        {"pipeline", job.pipeline.describe()},
                        {"configurations", nlohmann::json::array()}};
    for (const auto& r : results) j["configurations"].push_back(to_json(r));
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{:<20} {:>7} {:>9} {:>7} {:>9} {:>8} {:>8} {:>6} {:>7}  {}\n", "configuration", "workers", "wall(s)",
               "spread", "images/s", "MP/s", "speedup", "eff", "K-F", "read/decode/process/encode/write");
    for (const auto& r : results) {
      const auto shares = stage_shares(r);
      fmt::print("{:<20} {:>7} {:>9.3f} {:>6.0f}% {:>9.1f} {:>8.1f} {:>8} {:>6} {:>7}  {}\n", r.config.series(),
                 r.config.workers, r.wall.median, 100 * r.wall.spread(), r.images_per_s, r.megapixels_per_s,
                 r.scale.speedup > 0 ? fmt::format("{:.2f}", r.scale.speedup) : "-",
                 r.scale.speedup > 0 ? fmt::format("{:.2f}", r.scale.efficiency) : "-",
                 r.scale.serial_fraction ? fmt::format("{:.3f}", *r.scale.serial_fraction) : "-",
                 fmt::format("{}", fmt::join(shares, "/")));
    }
  }
  if (!o.csv.empty()) {
    std::ofstream csv(o.csv);
    if (!csv) throw core::ConfigError("cannot write " + o.csv);
    csv << "backend,chunk,workers,wall_s_median,wall_s_min,wall_s_max,images_per_s,megapixels_per_s,speedup,"
           "efficiency,karp_flatt,read_ms,decode_ms,process_ms,encode_ms,write_ms\n";
    for (const auto& r : results) {
      csv << fmt::format("{},{},{},{:.4f},{:.4f},{:.4f},{:.2f},{:.2f},{:.3f},{:.3f},{},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f}\n",
                         r.config.backend, r.config.chunk, r.config.workers, r.wall.median, r.wall.min, r.wall.max,
                         r.images_per_s, r.megapixels_per_s, r.scale.speedup, r.scale.efficiency,
                         r.scale.serial_fraction ? fmt::format("{:.4f}", *r.scale.serial_fraction) : "",
                         r.stages.read_ms, r.stages.decode_ms, r.stages.process_ms, r.stages.encode_ms,
                         r.stages.write_ms);
    }
  }
  if (!o.plot.empty()) {
    std::vector<PlotSeries> series;
    for (const auto& r : results) {
      auto it = std::find_if(series.begin(), series.end(), [&](const PlotSeries& s) { return s.name == r.config.series(); });
      if (it == series.end()) it = series.insert(series.end(), PlotSeries{r.config.series(), {}});
      it->points.push_back({r.config.workers, r.images_per_s, r.scale.efficiency});
    }
    write_scaling_plot(o.plot, series, fmt::format("imgpool bench: {} ({} files)", job.pipeline.describe(),
                                                    scan.files.size()));
  }
  std::size_t failed = 0;
  for (const auto& r : results) failed += r.failed;
  if (failed) fmt::print(stderr, "imgpool bench: {} item failures across all runs (see `imgpool run` for reasons)\n", failed);
  return kExitOk;
}

}  // namespace imgpool::app
