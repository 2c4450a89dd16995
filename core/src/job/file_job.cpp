#include <imgpool/core/job/file_job.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <new>
#include <system_error>

#include <fmt/format.h>

#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/error.hpp>

#include "job/atomic_write.hpp"
#include "job/job_common.hpp"

namespace imgpool::core {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point& start) {
  const auto now = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  return ms;
}

[[noreturn]] void read_failed(int error) {
  throw ImageError(fmt::format("cannot read: {}", std::generic_category().message(error)));
}

// One open, one fstat, reads into a buffer of the file's size.
std::vector<std::uint8_t> read_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) read_failed(errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) read_failed(errno);
  if (S_ISDIR(st.st_mode)) read_failed(EISDIR);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)));
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

struct Processed {
  cv::Mat image;
  Format input_format = Format::Same;
  std::uint64_t input_pixels = 0;
};

Processed decode_and_apply(std::span<const std::uint8_t> bytes, const JobOptions& options, const WorkerModels* models,
                           StageTimes* times, Clock::time_point& clock) {
  const Pipeline& pipeline = options.pipeline;
  DecodedImage decoded = decode(bytes, detail::decode_options_for(options));
  if (times != nullptr) times->decode_ms = ms_since(clock);

  Processed out;
  out.input_format = decoded.format;
  out.input_pixels = std::uint64_t(decoded.image.cols) * std::uint64_t(decoded.image.rows);
  out.image = pipeline.apply(std::move(decoded.image), models, decoded.full_size);
  if (times != nullptr) times->process_ms = ms_since(clock);
  return out;
}


// The job proper; throws, run_file_job turns that into a result.
void run(FileResult& result, const JobOptions& options, const WorkerModels* models) {
  auto clock = Clock::now();
  std::error_code ec;
  if (fs::exists(result.output, ec)) {
    if (std::error_code eq; fs::equivalent(result.input, result.output, eq) && !eq) {
      throw ImageError("output would overwrite the input");
    }
    if (options.existing == ExistingOutput::Fail) {
      throw ImageError("output exists (pass --overwrite or --skip-existing)");
    }
    if (options.existing == ExistingOutput::Skip) {
      std::error_code e1, e2;
      const auto out_time = fs::last_write_time(result.output, e1);
      const auto in_time = fs::last_write_time(result.input, e2);
      if (!e1 && !e2 && out_time >= in_time) {
        result.status = Status::Skipped;
        return;
      }
    }
  }

  const std::vector<std::uint8_t> bytes = read_file(result.input);
  result.stages.read_ms = ms_since(clock);
  Processed processed = decode_and_apply(bytes, options, models, &result.stages, clock);
  result.input_pixels = processed.input_pixels;

  Format format = options.encode.format;
  if (format == Format::Same) format = format_from_extension(result.output);
  if (format == Format::Same) format = processed.input_format;
  if (format == Format::Same) {
    throw ImageError(fmt::format("cannot write \"{}\" files (pass --format)", result.output.extension().string()));
  }
  const std::vector<std::uint8_t> encoded = encode(processed.image, format, options.encode.quality);
  result.stages.encode_ms = ms_since(clock);

  const auto replace =
      options.existing == ExistingOutput::Fail ? detail::Replace::Never : detail::Replace::Always;
  if (detail::write_atomically(result.output, encoded, replace) == detail::WriteOutcome::Exists) {
    throw ImageError("output exists (pass --overwrite or --skip-existing)");
  }
  result.stages.write_ms = ms_since(clock);
  result.width = processed.image.cols;
  result.height = processed.image.rows;
  result.status = Status::Ok;
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text.empty() ? std::string("unknown error") : text;
}

}  // namespace

DecodeOptions detail::decode_options_for(const JobOptions& options) {
  DecodeOptions decode_options;
  decode_options.auto_orient = options.auto_orient;
  decode_options.max_pixels = options.max_pixels;
  decode_options.grayscale = options.pipeline.luminance_only();
  const Pipeline& pipeline = options.pipeline;
  decode_options.min_size = [&pipeline](Size full) { return pipeline.min_source_size(full); };
  return decode_options;
}

std::string detail::current_failure_reason() {
  try {
    throw;
  } catch (const imgpool::Error& e) {
    return one_line(e.what());
  } catch (const cv::Exception& e) {
    return one_line("OpenCV: " + e.err);
  } catch (const std::bad_alloc&) {
    return "out of memory";
  } catch (const std::exception& e) {
    return one_line(e.what());
  } catch (...) {
    return "unknown error";
  }
}

FileResult run_file_job(const fs::path& input, const fs::path& output, const JobOptions& options,
                        const WorkerModels* models) noexcept {
  const auto start = Clock::now();
  FileResult result;
  result.input = input;
  result.output = output;
  try {
    run(result, options, models);
  } catch (...) {
    result.error = detail::current_failure_reason();
  }
  if (!result.error.empty()) result.status = Status::Failed;
  result.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

std::vector<std::uint8_t> process_encoded(std::span<const std::uint8_t> input, const JobOptions& options,
                                          const WorkerModels* models, Format fallback) {
  auto clock = Clock::now();
  Processed processed = decode_and_apply(input, options, models, nullptr, clock);
  Format format = options.encode.format;
  if (format == Format::Same) format = processed.input_format;
  if (format == Format::Same) format = fallback;
  return encode(processed.image, format, options.encode.quality);
}

}  // namespace imgpool::core
