#pragma once
// What the command writes about a batch: the JSONL report, the --json summary and the human summary.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <imgpool/core/batch/batch.hpp>

namespace imgpool::app {

/// the JSON line `--report` writes for one input: input, output, status, error, width, height, ms
nlohmann::json result_to_json(const core::FileResult& result);

/// the `--json` summary: processed, failed, skipped, elapsed_s, images_per_s, failures[{input, error}]
nlohmann::json summary_to_json(const core::BatchSummary& summary, const std::vector<core::FileResult>& failures);

/// the human summary: one line of counts, then each failure in `failures` with its reason, and how many
/// more there were (summary.failed counts them all) with where to find them
void print_summary(std::FILE* out, const core::BatchSummary& summary, const std::vector<core::FileResult>& failures,
                   bool interrupted);

/// What a run keeps of its failures, so that a batch of many bad files does not grow without bound:
/// - Keep::All: every one (the --json summary lists each);
/// - Keep::First: the first kListed, for the text summary (the report has every result);
/// - Keep::None: none; each is printed to `stream` as it happens (--quiet).
class FailureLog {
 public:
  enum class Keep { All, First, None };
  static constexpr std::size_t kListed = 20;
  FailureLog(Keep keep, std::FILE* stream) : keep_(keep), stream_(stream) {}
  void add(const core::FileResult& failure);
  std::size_t count() const { return count_; }
  const std::vector<core::FileResult>& kept() const { return kept_; }

 private:
  Keep keep_;
  std::FILE* stream_;
  std::size_t count_ = 0;
  std::vector<core::FileResult> kept_;
};

/// appends one JSON line per result to a file; throws core::ConfigError if it cannot be opened
class ReportWriter {
 public:
  explicit ReportWriter(const std::string& path);
  void write(const core::FileResult& result);
  /// writes one JSON object as a line, e.g. the shard header a sharded run starts its report with
  void write_line(const nlohmann::json& line);
  bool enabled() const { return out_.is_open(); }

 private:
  std::ofstream out_;
};

}  // namespace imgpool::app
