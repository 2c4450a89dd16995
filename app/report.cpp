#include "report.hpp"

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

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
  return {{"input", r.input.string()},
          {"output", r.output.string()},
          {"status", status_name(r.status)},
          {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
          {"width", r.width},
          {"height", r.height},
          {"ms", r.ms}};
}

nlohmann::json summary_to_json(const core::BatchSummary& s, const std::vector<core::FileResult>& failures) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : failures) list.push_back({{"input", f.input.string()}, {"error", f.error}});
  return {{"processed", s.processed}, {"failed", s.failed},        {"skipped", s.skipped},
          {"cancelled", s.cancelled}, {"elapsed_s", s.elapsed_s}, {"images_per_s", images_per_s(s)},
          {"failures", list}};
}

void print_summary(std::FILE* out, const core::BatchSummary& s, const std::vector<core::FileResult>& failures,
                   bool interrupted) {
  fmt::print(out, "{}{} processed, {} failed, {} skipped", interrupted ? "interrupted: " : "", s.processed, s.failed,
             s.skipped);
  if (s.cancelled) fmt::print(out, ", {} not started", s.cancelled);
  fmt::print(out, " in {:.2f} s ({:.1f} images/s)\n", s.elapsed_s, images_per_s(s));
  if (!failures.empty()) {
    fmt::print(out, "failed:\n");
    for (const auto& f : failures) fmt::print(out, "  {}: {}\n", f.input.string(), f.error);
  }
  if (s.failed > failures.size()) {
    fmt::print(out, "  ... and {} more (--report FILE lists every result)\n", s.failed - failures.size());
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
      fmt::print(stream_, "{}: {}\n", failure.input.string(), failure.error);
      std::fflush(stream_);
      break;
  }
}

ReportWriter::ReportWriter(const std::string& path) {
  if (path.empty()) return;
  out_.open(path, std::ios::out | std::ios::trunc);
  if (!out_) throw core::ConfigError("cannot write the report " + path);
}

void ReportWriter::write(const core::FileResult& result) {
  if (!out_.is_open()) return;
  out_ << result_to_json(result).dump() << '\n';
}

void ReportWriter::write_line(const nlohmann::json& line) {
  if (!out_.is_open()) return;
  out_ << line.dump() << '\n';
}

}  // namespace imgpool::app
