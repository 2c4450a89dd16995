#include "report.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

#include "names.hpp"

namespace imgpool::app {

namespace {
const char* status_name(core::Status s) {
  switch (s) {
    case core::Status::Ok: return "ok";
    case core::Status::Failed: return "failed";
    case core::Status::Skipped: return "skipped";
  }
  return "failed";
}

double images_per_s(const core::BatchSummary& s) {
  return s.elapsed_s > 0 ? static_cast<double>(s.processed) / s.elapsed_s : 0.0;
}
}  // namespace

nlohmann::json result_to_json(const core::FileResult& r) {
  nlohmann::json line = nlohmann::json::object();
  put_path(line, "input", r.input.native());
  put_path(line, "output", r.output.native());
  line["status"] = status_name(r.status);
  line["error"] = r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error);
  line["width"] = r.width;
  line["height"] = r.height;
  line["ms"] = r.ms;
  line["warnings"] = r.warnings;  // dump_line replaces any byte that is not UTF-8
  return line;
}

nlohmann::json summary_to_json(const core::BatchSummary& s, const std::vector<core::FileResult>& failures,
                               const SummaryNotes& notes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : failures) {
    nlohmann::json failure = nlohmann::json::object();
    put_path(failure, "input", f.input.native());
    failure["error"] = f.error;
    list.push_back(std::move(failure));
  }
  return {{"processed", s.processed},     {"failed", s.failed},       {"skipped", s.skipped},
          {"cancelled", s.cancelled},     {"warned", s.warned},       {"interrupted", notes.interrupted},
          {"elapsed_s", s.elapsed_s},     {"images_per_s", images_per_s(s)},
          {"failures", list}};
}

void print_summary(std::FILE* out, const core::BatchSummary& s, const std::vector<core::FileResult>& failures,
                   const SummaryNotes& notes) {
  fmt::print(out, "{}{} processed, {} failed, {} skipped", notes.interrupted ? "interrupted: " : "", s.processed,
             s.failed, s.skipped);
  if (s.cancelled) fmt::print(out, ", {} cancelled (not started)", s.cancelled);
  if (s.warned) fmt::print(out, ", {} with decoder warnings", s.warned);
  fmt::print(out, " in {:.2f} s ({:.1f} images/s)\n", s.elapsed_s, images_per_s(s));
  if (!failures.empty()) {
    fmt::print(out, "failed:\n");
    for (const auto& f : failures) fmt::print(out, "  {}: {}\n", printable(f.input.native()), printable(f.error));
  }
  if (s.failed > failures.size()) {
    fmt::print(out, "  ... and {} more ({})\n", s.failed - failures.size(),
               notes.report.empty() ? std::string("--report FILE lists every result")
                                    : fmt::format("{} lists every result", printable(notes.report)));
  }
  if (notes.outputs_existed > 0) {
    fmt::print(out, "{} output{} existed already (an earlier run?): --skip-existing does only what is missing, "
               "--overwrite replaces them\n", notes.outputs_existed, notes.outputs_existed == 1 ? "" : "s");
  }
}

void FailureLog::add(const core::FileResult& failure) {
  ++count_;
  switch (keep_) {
    case Keep::All: kept_.push_back(failure); break;
    case Keep::First:
      if (kept_.size() < kListed) kept_.push_back(failure);
      break;
    case Keep::None:
      fmt::print(stream_, "{}: {}\n", printable(failure.input.native()), printable(failure.error));
      std::fflush(stream_);
      break;
  }
}

ReportMode parse_report_mode(const std::string& text, bool overwrite) {
  if (text.empty()) return overwrite ? ReportMode::Replace : ReportMode::New;
  if (text == "new") return ReportMode::New;
  if (text == "append") return ReportMode::Append;
  if (text == "replace") return ReportMode::Replace;
  throw core::UsageError("--report-mode is new, append or replace, not " + text);
}

ReportWriter::ReportWriter(const std::string& path, ReportMode mode) : path_(path) {
  if (path.empty()) return;
  const int flags = O_WRONLY | O_CLOEXEC | O_APPEND;  // each line lands at the end, whoever else writes
  fd_ = ::open(path.c_str(), flags | O_CREAT | O_EXCL, 0644);
  created_ = fd_ >= 0;
  if (fd_ < 0 && errno == EEXIST) fd_ = ::open(path.c_str(), flags);
  if (fd_ < 0) {
    throw core::ConfigError(fmt::format("cannot write the report {}: {}", printable(path), std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw core::ConfigError(fmt::format("cannot write the report {}: {}", printable(path), std::strerror(e)));
  }
  device_ = st.st_dev;
  inode_ = st.st_ino;
  regular_ = S_ISREG(st.st_mode);
  if (mode == ReportMode::New && regular_ && st.st_size > 0) {
    ::close(fd_);
    fd_ = -1;
    throw core::ConfigError(fmt::format(
        "the report {} exists ({} bytes); --report-mode replace (or --overwrite) replaces it, --report-mode append "
        "adds to it",
        printable(path), st.st_size));
  }
  if (mode == ReportMode::Replace) replace_ = true;
}

ReportWriter::~ReportWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool ReportWriter::is_file(std::uint64_t device, std::uint64_t inode) const {
  return fd_ >= 0 && device == device_ && inode == inode_;
}

void ReportWriter::refuse_input(const std::string& input) {
  ::close(fd_);
  fd_ = -1;
  if (created_) ::unlink(path_.c_str());
  throw core::ConfigError(fmt::format("the report {} is the input {}; nothing was written to it", printable(path_),
                                      printable(input)));
}

void ReportWriter::start() {
  if (fd_ < 0 || !replace_ || !regular_) return;
  if (::ftruncate(fd_, 0) != 0) {
    throw core::ConfigError(fmt::format("cannot write the report {}: {}", printable(path_), std::strerror(errno)));
  }
}

void ReportWriter::write(const core::FileResult& result) { write_line(result_to_json(result)); }

void ReportWriter::write_line(const nlohmann::json& line) {
  if (fd_ < 0) return;
  if (error_ != 0) {
    ++lost_;
    return;
  }
  const std::string text = dump_line(line) + '\n';
  const off_t before = regular_ ? ::lseek(fd_, 0, SEEK_END) : -1;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      error_ = n < 0 ? errno : EIO;
      break;
    }
  }
  if (error_ == 0) {
    ++written_;
    return;
  }
  ++lost_;
  if (before >= 0 && done > 0) (void)::ftruncate(fd_, before);  // no half line stays
}

bool ReportWriter::finish() {
  if (fd_ < 0) return true;
  if (::fdatasync(fd_) != 0 && errno != EINVAL && errno != EROFS && error_ == 0) error_ = errno;  // EINVAL: a pipe
  return error_ == 0;
}

std::string ReportWriter::problem() const {
  if (error_ == 0) return {};
  if (lost_ == 0) return std::strerror(error_);
  return fmt::format("{}: {} of {} lines not written", std::strerror(error_), lost_, lost_ + written_);
}

}  // namespace imgpool::app
