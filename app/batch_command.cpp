#include "batch_command.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include <imgpool/core.hpp>

#include "cli_words.hpp"
#include "exit_codes.hpp"
#include "names.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "shard_option.hpp"

namespace imgpool::app {
namespace fs = std::filesystem;

void add_common_options(CLI::App& sub, CommonOptions& o) {
  sub.add_option("inputs", o.inputs, "Image files and folders to process");
  sub.add_option("--files-from", o.files_from,
                 "Also process the files and folders listed in this file, one per line (- reads stdin); "
                 "a relative path keeps its folders under -o");
  sub.add_flag("-0,--null", o.null_separated, "--files-from's entries end with NUL, as find -print0 writes them");
  sub.add_option("-o,--output", o.output, "Folder the outputs go to (created if missing)")->required();
  sub.add_option("-j,--workers", o.workers, "Worker count (default: the CPUs this process may use)")
      ->check(CLI::Range(1, 4096))
      ->default_str("CPUs");
  sub.add_option("--format", o.format, "Output format: jpg, png, webp, tiff or same (default: same as input)")
      ->check(CLI::IsMember({"same", "jpg", "jpeg", "png", "webp", "tif", "tiff"}, CLI::ignore_case));
  sub.add_option("--quality", o.quality, "JPEG/WebP quality 1-100")->check(CLI::Range(1, 100))->default_str("85");
  sub.add_flag("-r,--recursive", o.recursive, "Walk sub-folders of folder inputs");
  sub.add_flag("--follow-symlinks", o.follow_symlinks,
               "Follow symbolic links that lead outside their input folder (default: report them, not followed)");
  sub.add_option("--include", o.include, "Only files matching this glob (repeatable)");
  sub.add_option("--exclude", o.exclude, "Leave out files matching this glob (repeatable)");
  auto* overwrite = sub.add_flag("--overwrite", o.overwrite, "Replace outputs that exist");
  auto* skip = sub.add_flag("--skip-existing", o.skip_existing, "Skip inputs whose output exists and is newer");
  overwrite->excludes(skip);
  sub.add_option("--report", o.report, "Write one JSON line per input to this file, each as it settles");
  sub.add_option("--report-mode", o.report_mode,
                 "What --report does with a file that exists: new (refuse it unless empty; the default), append, "
                 "replace (the default with --overwrite)")
      ->check(CLI::IsMember({"new", "append", "replace"}));
  sub.add_flag("--json", o.json, "Print a JSON summary on stdout instead of the text one");
  sub.add_flag("-q,--quiet", o.quiet, "No progress and no summary; each failure still goes to stderr as it happens");
  sub.add_option("--progress", o.progress, "Progress bar on stderr: auto (when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub.add_option("--backend", o.backend,
                 "Worker backend: thread (default, fastest) or process (a crashing or hanging file fails alone)")
      ->check(CLI::IsMember({"thread", "process"}));
  sub.add_option("--retries", o.retries, "process backend: reruns of a file whose worker died (default 1)")
      ->check(CLI::Range(0, 100));
  sub.add_option("--task-timeout", o.task_timeout, "process backend: seconds per file before its worker is killed")
      ->check(CLI::PositiveNumber)
      ->default_str("none");
  sub.add_option("--stopped-grace", o.stopped_grace,
                 "process backend: seconds a stopped (SIGSTOP) worker is waited for before it is killed; 0: forever")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--worker-memory", o.worker_memory, "process backend: address-space cap per worker, in MB")
      ->check(CLI::PositiveNumber)
      ->default_str("none");
  sub.add_option("--max-tasks-per-child", o.max_tasks_per_child,
                 "process backend: replace a worker after it has run this many tasks (chunks)")
      ->check(CLI::Range(1, 1'000'000'000))
      ->default_str("none");
  sub.add_option("--chunk", o.chunk, "Group small files into one task: auto or off")
      ->check(CLI::IsMember({"auto", "off"}));
  sub.add_option("--max-pixels", o.max_pixels, "Refuse images with more pixels than this (decompression bombs)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--fail-on", o.fail_on,
                 "What fails a file: error (damaged data; decoder warnings are kept in --report) or warning (any)")
      ->check(CLI::IsMember({"error", "warning"}))
      ->capture_default_str();
  sub.add_option("--max-file-size", o.max_file_size,
                 "Refuse input files larger than this many bytes (suffixes K, M, G: powers of 1024; 0: no limit)")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("2G");
  sub.add_flag("--no-auto-orient", o.no_auto_orient, "Ignore the EXIF orientation tag");
  auto* keep_profile = sub.add_flag("--keep-profile", o.keep_profile,
                                    "Leave images with an ICC profile unconverted and embed their profile (default: convert to sRGB)");
  sub.add_option("--profile", o.output_profile, "Convert to this RGB ICC profile file and embed it, instead of sRGB")
      ->excludes(keep_profile);
  sub.add_option("--cmyk-profile", o.cmyk_profile,
                 "CMYK ICC profile file for CMYK JPEGs that embed none (default: Ghostscript's default_cmyk.icc)");
  sub.add_option("--keep-metadata", o.keep_metadata,
                 "Metadata outputs keep, comma-separated: none (default: only the colour profile), exif, "
                 "copyright, xmp, gps (location: only with exif or xmp), all")
      ->capture_default_str();
  sub.add_option("--background", o.background,
                 "Colour transparent images are flattened onto for JPEG: #rrggbb, r,g,b, white, black, gray")
      ->capture_default_str();
  sub.add_option("--chroma", o.chroma, "JPEG chroma subsampling: 420 (smallest), 422 or 444 (sharpest colour)")
      ->check(CLI::IsMember({"420", "422", "444", "4:2:0", "4:2:2", "4:4:4"}))
      ->capture_default_str();
  sub.add_flag("--jpeg-progressive", o.jpeg_progressive, "Write progressive JPEGs (default: baseline)");
  sub.add_option("--shard", o.shard,
                 "Process only slice K of N (K/N, numbered from 0), or auto: from a Slurm array task or a "
                 "Kubernetes Indexed Job");
  sub.add_option("--shard-count", o.shard_count,
                 "The N for --shard auto (default: from Slurm, or IMGPOOL_SHARD_COUNT for Kubernetes)")
      ->check(CLI::Range(1, 1'000'000));
}

namespace {

// SIGINT and SIGTERM are blocked in every thread and taken by one watcher thread with sigtimedwait,
// so that the stop request runs in ordinary code, not in a signal handler. A second signal while
// stopping restores the default action and re-raises it: the process ends at once.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::jthread([this](std::stop_token own) { watch(own); });
  }
  ~SignalWatcher() {
    thread_.request_stop();
    pthread_kill(thread_.native_handle(), SIGINT);  // ends its sigtimedwait now, not at the next slice
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  std::stop_token token() const { return source_.get_token(); }
  bool interrupted() const { return source_.stop_requested(); }

 private:
  void watch(const std::stop_token& own) {
    const timespec slice{0, 100'000'000};
    while (!own.stop_requested()) {
      const int sig = sigtimedwait(&set_, nullptr, &slice);
      if (sig <= 0 || own.stop_requested()) continue;  // the destructor's wake-up is not an interrupt
      if (!source_.stop_requested()) {
        source_.request_stop();
        continue;
      }
      signal(sig, SIG_DFL);
      pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
      raise(sig);
    }
  }
  sigset_t set_{};
  sigset_t old_{};
  std::stop_source source_;
  std::jthread thread_;
};

bool show_progress(const CommonOptions& o) {
  if (o.quiet || o.progress == "never") return false;
  if (o.progress == "always") return true;
  return isatty(STDERR_FILENO) != 0;  // where it is drawn: `imgpool ... | tee log` still shows it
}

// The paths `file` lists (stdin for "-"), one per line or NUL-terminated; empty entries are skipped.
static std::vector<fs::path> read_input_list(const std::string& file, bool null_separated) {
  std::FILE* in = file == "-" ? stdin : std::fopen(file.c_str(), "rb");
  if (in == nullptr) {
    throw core::ConfigError(fmt::format("cannot read the list {}: {}", printable(file), std::strerror(errno)));
  }
  const char end = null_separated ? '\0' : '\n';
  std::vector<fs::path> paths;
  std::string entry;
  for (int c; (c = std::fgetc(in)) != EOF;) {
    if (char(c) != end) {
      entry += char(c);
    } else if (!entry.empty()) {
      paths.emplace_back(std::exchange(entry, {}));
    }
  }
  if (!entry.empty()) paths.emplace_back(std::move(entry));
  const bool failed = std::ferror(in) != 0;
  if (in != stdin) std::fclose(in);
  if (failed) throw core::ConfigError(fmt::format("cannot read the list {}", printable(file)));
  return paths;
}

core::JobOptions job_options(const CommonOptions& o, const std::vector<std::string>& op_specs) {
  core::JobOptions job;
  job.pipeline = core::Pipeline::parse(op_specs);
  job.encode.format = core::parse_format(o.format);
  if (o.quality != 0) job.encode.quality = o.quality;
  job.encode.chroma = core::parse_chroma(o.chroma);
  job.encode.progressive = o.jpeg_progressive;
  job.encode.background = core::parse_colour(o.background);
  job.metadata = core::parse_keep_metadata(o.keep_metadata);
  job.auto_orient = !o.no_auto_orient;
  job.max_pixels = o.max_pixels;
  job.max_file_size = o.max_file_size;
  job.fail_on = o.fail_on == "warning" ? core::FailOn::Warning : core::FailOn::Error;
  job.colour.handling = o.keep_profile              ? core::ColourHandling::Keep
                        : !o.output_profile.empty() ? core::ColourHandling::ToProfile
                                                    : core::ColourHandling::ToSrgb;
  job.colour.output_profile = o.output_profile;
  job.colour.cmyk_profile = o.cmyk_profile;
  job.existing = o.overwrite        ? core::ExistingOutput::Overwrite
                 : o.skip_existing  ? core::ExistingOutput::Skip
                                    : core::ExistingOutput::Fail;
  return job;
}

// --report naming an input (through any link or spelling) would destroy it: refused before it is touched
void refuse_report_input(ReportWriter& report, const core::InputFile& f) {
  std::uint64_t device = f.device, inode = f.inode;
  if (device == 0 && inode == 0) {
    struct stat st {};
    if (::stat(f.path.c_str(), &st) != 0) return;
    device = st.st_dev;
    inode = st.st_ino;
  }
  if (report.is_file(device, inode)) report.refuse_input(f.path.native());
}

}  // namespace

int run_batch_command(const CommonOptions& o, const std::vector<std::string>& op_specs) {
  // First, before any thread exists, so that every thread inherits the blocked signal mask.
  SignalWatcher signals;
  // Everything that can be wrong with the command line is checked before a file is touched.
  const core::JobOptions job = job_options(o, op_specs);
  // OpenCV's own pixel limit as a second wall behind the header checks (codec/raster_header.cpp): its
  // imgcodecs reads it once, when core loads it on the first decode, and workers inherit it. Set here,
  // where no other thread can be reading the environment; a value the user exported wins.
  if (job.max_pixels != 0) ::setenv("OPENCV_IO_MAX_IMAGE_PIXELS", std::to_string(job.max_pixels).c_str(), 0);
  std::optional<core::ShardSpec> shard;
  if (!o.shard.empty()) {
    shard = resolve_shard(o.shard, o.shard_count);
  } else if (o.shard_count) {
    throw core::UsageError("--shard-count goes with --shard auto");
  }
  const std::vector<fs::path> listed = o.files_from.empty() ? std::vector<fs::path>{}
                                                            : read_input_list(o.files_from, o.null_separated);
  if (o.inputs.empty() && o.files_from.empty()) {
    throw core::UsageError("no inputs: name image files or folders, or pass --files-from FILE");
  }
  // An input named on the command line that does not exist is a mistake in the command, found before
  // any work (as cp and tar do), not one failed item among the results.
  std::vector<std::string> missing;
  for (const std::string& input : o.inputs) {
    std::error_code missing_ec;
    if (!fs::exists(fs::status(input, missing_ec))) missing.push_back(printable(input));
  }
  if (!missing.empty()) {
    std::string named;
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i) named += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) named += fmt::format(" and {} more", missing.size() - 5);
    throw core::UsageError("no such file or folder: " + named);
  }
  const ReportMode report_mode = parse_report_mode(o.report_mode, o.overwrite);
  if (shard && report_mode == ReportMode::Append && !o.report.empty()) {
    throw core::UsageError("--report-mode append cannot go with --shard: a shard's report starts with its header");
  }
  // Opened (never emptied) before the scan so that an unwritable path fails before any work; emptied
  // only once the scan has shown it is none of the inputs.
  ReportWriter report(o.report, report_mode);
  const fs::path out_dir = o.output;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    throw core::ConfigError(fmt::format("cannot create the output folder {}: {}", out_dir.string(),
                                        ec ? ec.message() : "a file of that name exists"));
  }
  // An output folder that exists but cannot be written is found now, not once per image after decoding
  // them all: a probe file is created and removed at once (hidden, and unique to this run).
  {
    std::string probe = (out_dir / ".imgpool-probe-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) {
      throw core::ConfigError(
          fmt::format("cannot write in the output folder {}: {}", printable(out_dir.native()), std::strerror(errno)));
    }
    ::close(fd);
    ::unlink(probe.c_str());
  }
  core::check_job(job);  // quality and models: start-up errors, before the scan
  if (o.quality != 0 && (job.encode.format == core::Format::Png || job.encode.format == core::Format::Tiff)) {
    fmt::print(stderr, "imgpool: note: --quality is for JPEG and WebP outputs; {} outputs are lossless and ignore it\n",
               job.encode.format == core::Format::Png ? "PNG" : "TIFF");
  }

  // The scan streams into a compact table (tens of bytes per file) and, with --shard, keeps only this
  // shard's files as they are found: memory stays nearly flat however many files the inputs hold.
  // -o inside an input tree (-r photos -o photos/thumbs): its outputs are not inputs of this run or the next
  core::ScanOptions scan_options{o.recursive, o.include, o.exclude, o.follow_symlinks, {out_dir}, false};
  core::InputTable files;
  std::vector<core::InputProblem> problems;
  std::size_t total = 0;  // files and problems found, in every shard
  std::optional<ScanProgress> scanning;
  if (show_progress(o)) scanning.emplace(stderr);
  const auto mine = [&](const fs::path& key) { return !shard || shard->contains(key); };
  const auto on_file = [&](const core::InputFile& f) {
    if (report.enabled()) refuse_report_input(report, f);
    ++total;
    if (scanning) scanning->found();
    if (mine(f.relative)) files.push_back(f);
  };
  const auto on_problem = [&](const core::InputProblem& p) {
    ++total;
    if (mine(p.path)) problems.push_back(p);
  };
  core::scan_inputs({o.inputs.begin(), o.inputs.end()}, scan_options, on_file, on_problem);
  if (!listed.empty()) {  // a listed path that is missing is one failed item, as a scanned one would be
    scan_options.keep_folders_of_named_files = true;
    core::scan_inputs(listed, scan_options, on_file, on_problem);
  }
  if (scanning) scanning->finish();
  report.start();
  const bool found_nothing = total == 0;
  if (shard) {
    // Every shard scans all inputs and keeps its slice. The header lets `report merge` tell missing and
    // incomplete shards: "inputs" is the number of lines this shard's report will hold when it finishes.
    report.write_line({{"shard", shard->index},
                       {"shards", shard->count},
                       {"inputs", files.size() + problems.size()},
                       {"total_inputs", total}});
  }
  const core::BatchPlan plan = core::plan_batch(std::move(files), out_dir, job.encode.format);

  FailureLog failures(o.json ? FailureLog::Keep::All : o.quiet ? FailureLog::Keep::None : FailureLog::Keep::First,
                      stderr);
  core::BatchSummary summary;
  auto record_early = [&](core::FileResult r) {
    r.error = cli_words(std::move(r.error));
    report.write(r);
    ++summary.failed;
    failures.add(r);
  };
  for (const auto& problem : problems) {
    core::FileResult r;
    r.input = problem.path;
    r.error = problem.error;
    record_early(std::move(r));
  }
  for (const auto& refused : plan.refused) record_early(refused);
  if (found_nothing) {
    fmt::print(stderr, "imgpool: no image files found in the inputs{}\n",
               o.recursive ? "" : " (folders are walked one level deep; add --recursive for sub-folders)");
  }

  core::BatchOptions batch;
  batch.workers = o.workers;
  batch.chunking = o.chunk != "off";
  batch.backend = o.backend == "process" ? core::Backend::Process : core::Backend::Thread;
  batch.process.retries = o.retries;
  if (o.task_timeout > 0) batch.process.task_timeout = std::chrono::duration<double>(o.task_timeout);
  batch.process.stopped_worker_grace =
      o.stopped_grace > 0 ? std::optional<pool::Seconds>(o.stopped_grace) : std::nullopt;
  batch.process.worker_memory_mb = o.worker_memory;
  batch.process.max_tasks_per_child = o.max_tasks_per_child;

  std::size_t outputs_existed = 0;
  std::optional<ProgressBar> bar;
  if (show_progress(o)) {
    std::uint64_t total_bytes = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) total_bytes += plan.cost(i);
    bar.emplace(stderr, plan.size(), total_bytes);
  }
  const core::BatchSummary ran = core::run_batch(
      plan, job, batch,
      [&](const core::FileResult& result) {
        std::optional<core::FileResult> worded;  // a copy only for the results that carry a reason
        if (!result.error.empty()) {
          worded = result;
          worded->error = cli_words(std::move(worded->error));
        }
        const core::FileResult& r = worded ? *worded : result;
        report.write(r);
        if (r.status == core::Status::Failed) failures.add(r);
        if (result.error.starts_with("output exists (")) ++outputs_existed;  // the library's words (cli_words)
        if (bar) {  // the work by bytes: the input's size (one stat per file, only with the bar)
          struct stat st {};
          bar->advance(failures.count(), ::stat(r.input.c_str(), &st) == 0 ? std::uint64_t(st.st_size) : 0);
        }
      },
      signals.token());
  if (bar) bar->finish();

  summary.processed = ran.processed;
  summary.failed += ran.failed;
  summary.skipped = ran.skipped;
  summary.cancelled = ran.cancelled;
  summary.warned = ran.warned;
  summary.elapsed_s = ran.elapsed_s;
  const bool interrupted = signals.interrupted();
  const bool report_whole = report.finish();  // durable before the summary says the run is over

  const SummaryNotes notes{interrupted, o.report, outputs_existed};
  if (o.json) {
    nlohmann::json json = summary_to_json(summary, failures.kept(), notes);
    if (shard) {
      json["shard"] = shard->index;
      json["shards"] = shard->count;
    }
    fmt::print("{}\n", dump_line(json));
  } else if (!o.quiet) {
    if (shard) fmt::print("shard {}/{}: ", shard->index, shard->count);
    print_summary(stdout, summary, failures.kept(), notes);
  }  // with --quiet each failure went to stderr as it happened
  if (!report_whole) {
    fmt::print(stderr, "imgpool: the report {} is incomplete: {}\n", printable(report.path()), report.problem());
  }
  if (interrupted) return kExitInterrupted;
  if (!report_whole) return kExitReportIncomplete;
  return summary.failed ? kExitSomeFailed : kExitOk;
}

}  // namespace imgpool::app
