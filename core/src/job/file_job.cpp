#include <imgpool/core/job/file_job.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <new>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>

#include "job/atomic_write.hpp"
#include "job/file_identity.hpp"
#include "job/stages.hpp"

namespace imgpool::core {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kOutputExists = "output exists (set existing to ExistingOutput::Overwrite or ExistingOutput::Skip)";

double ms_since(Clock::time_point& start) {
  const auto now = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  return ms;
}

[[noreturn]] void read_failed(int error) {
  throw ImageError(fmt::format("cannot read: {}", std::generic_category().message(error)));
}

}  // namespace

namespace {
const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a file";
}
}  // namespace

std::vector<std::uint8_t> read_input_file(const fs::path& path, std::uint64_t max_bytes) {
  return detail::read_input(path, max_bytes, {});
}

// One open, one fstat, reads into a buffer of the file's size. O_NONBLOCK: opening a FIFO (an input
// swapped for one after the scan) must not wait for a writer; a regular file ignores the flag. The
// identity is that of the file opened, so no later swap can slip between the check and the read.
std::vector<std::uint8_t> detail::read_input(const fs::path& path, std::uint64_t max_bytes, FileId scanned) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) read_failed(errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) read_failed(errno);
  if (S_ISDIR(st.st_mode)) read_failed(EISDIR);
  if (!S_ISREG(st.st_mode)) throw ImageError(fmt::format("cannot read: not a regular file ({})", file_kind(st.st_mode)));
  if (scanned != FileId{} && file_id(st) != scanned) {
    throw ImageError("cannot read: the file was replaced after the scan (another file has its name now)");
  }
  const auto size = static_cast<std::uint64_t>(std::max<off_t>(st.st_size, 0));
  if (max_bytes != 0 && size > max_bytes) {
    throw ImageError(fmt::format("cannot read: the file is {} bytes, above max_file_size {}", size, max_bytes));
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      read_failed(errno);
    }
    if (n == 0) break;  // shrank while we read
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

namespace {

// Whether the output's modification time is not older than the input's (links followed for the input).
bool not_older(const struct stat& output, const fs::path& input) {
  struct stat in {};
  if (::stat(input.c_str(), &in) != 0) return false;
  if (output.st_mtim.tv_sec != in.st_mtim.tv_sec) return output.st_mtim.tv_sec > in.st_mtim.tv_sec;
  return output.st_mtim.tv_nsec >= in.st_mtim.tv_nsec;
}

// The job proper; throws, run_file_job turns that into a result. Every look at and write of the output
// goes through `place`'s root (links below it never followed), and no input is ever replaced.
void run(FileResult& result, const detail::OutputPlace& place, const JobOptions& options, const WorkerModels* models,
         detail::FileId scanned, const detail::WarningCapture& warnings) {
  auto clock = Clock::now();
  detail::InputIds own_input;
  const detail::InputIds* inputs = place.inputs;
  if (!inputs) {
    if (const auto id = detail::file_id(result.input)) own_input = detail::InputIds({*id});
    inputs = &own_input;
  }
  std::optional<struct stat> existing;
  if (place.root) {
    existing = detail::stat_output(*place.root, result.output);
  } else if (struct stat st {}; ::lstat(result.output.c_str(), &st) == 0) {
    existing = st;
  }
  if (existing) {
    const detail::FileId out_id = detail::file_id(*existing);
    if (inputs->contains(out_id) || out_id == detail::file_id(result.input)) throw ImageError(detail::kOverwritesInput);
    if (options.existing == ExistingOutput::Fail && !place.rerun) throw ImageError(kOutputExists);
    if (options.existing == ExistingOutput::Skip && not_older(*existing, result.input)) {
      result.status = Status::Skipped;
      return;
    }
  }

  const std::vector<std::uint8_t> bytes = detail::read_input(result.input, options.max_file_size, scanned);
  result.stages.read_ms = ms_since(clock);
  DecodedImage decoded = detail::decode_for_pipeline(bytes, options);
  result.stages.decode_ms = ms_since(clock);
  result.input_pixels = std::uint64_t(decoded.image.cols) * std::uint64_t(decoded.image.rows);
  const Format input_format = decoded.format;
  const detail::ProcessedImage processed = detail::apply_pipeline(std::move(decoded), options, models);
  const cv::Mat& image = processed.image;
  result.stages.process_ms = ms_since(clock);

  const Format format = detail::choose_format(options.encode, &result.output, input_format);
  const std::vector<std::uint8_t> encoded = detail::encode_output(processed, format, options);
  result.stages.encode_ms = ms_since(clock);
  detail::check_warnings(warnings, options);

  const auto replace =
      options.existing == ExistingOutput::Fail ? detail::Replace::Never : detail::Replace::Always;
  const detail::WriteOutcome outcome =
      place.root ? detail::write_atomically(*place.root, result.output, encoded, replace, *inputs)
                 : detail::write_atomically(result.output, encoded, replace, *inputs);
  // A rerun's Replace::Never finding exactly its own bytes: what the dead attempt wrote before it died.
  if (outcome == detail::WriteOutcome::Exists &&
      !(place.rerun && place.root && detail::output_holds(*place.root, result.output, encoded))) {
    throw ImageError(kOutputExists);
  }
  result.stages.write_ms = ms_since(clock);
  result.width = image.cols;
  result.height = image.rows;
  result.status = Status::Ok;
}

}  // namespace

FileResult run_file_job(const fs::path& input, const fs::path& output, const JobOptions& options,
                        const WorkerModels* models) noexcept {
  return detail::run_file_job(detail::OutputPlace{}, input, output, options, models);
}

FileResult detail::run_file_job(const OutputPlace& place, const fs::path& input, const fs::path& output,
                                const JobOptions& options, const WorkerModels* models, FileId scanned) noexcept {
  const auto start = Clock::now();
  FileResult result;
  result.input = input;
  result.output = output;
  detail::WarningCapture warnings;
  try {
    run(result, place, options, models, scanned, warnings);
  } catch (...) {
    result.error = detail::current_failure_reason();
  }
  result.warnings = warnings.take();
  if (!result.error.empty()) result.status = Status::Failed;
  result.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

std::vector<std::uint8_t> process_encoded(std::span<const std::uint8_t> input, const JobOptions& options,
                                          const WorkerModels* models, Format fallback) {
  const detail::WarningCapture warnings;  // no result to keep them in: they count only for fail_on
  DecodedImage decoded = detail::decode_for_pipeline(input, options);
  const Format format = detail::choose_format(options.encode, nullptr, decoded.format, fallback);
  std::vector<std::uint8_t> out =
      detail::encode_output(detail::apply_pipeline(std::move(decoded), options, models), format, options);
  detail::check_warnings(warnings, options);
  return out;
}

cv::Mat process_to_image(std::span<const std::uint8_t> bytes, const JobOptions& options, const WorkerModels* models) {
  const detail::WarningCapture warnings;
  cv::Mat image = detail::apply_pipeline(detail::decode_for_pipeline(bytes, options), options, models).image;
  detail::check_warnings(warnings, options);
  return image;
}

void check_job(const JobOptions& options) {
  if (options.encode.quality < 1 || options.encode.quality > 100) {
    throw UsageError(fmt::format("quality must be 1..100, not {}", options.encode.quality));
  }
  check_colour_options(options.colour);
  (void)WorkerModels::load(options.pipeline);
}

}  // namespace imgpool::core
