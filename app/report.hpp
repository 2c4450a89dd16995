#pragma once
// What the command writes about a batch: the JSONL report, the --json summary and the human summary.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <imgpool/core/batch/batch.hpp>

namespace imgpool::app {

/// the JSON line `--report` writes for one input: input, output, status, error, width, height, ms
nlohmann::json result_to_json(const core::FileResult& result);

/// what the summary says besides the counts
struct SummaryNotes {
  bool interrupted = false;          ///< the run was stopped by a signal
  std::string report;                ///< the --report file (empty: none)
  std::size_t outputs_existed = 0;   ///< failures because the output exists (a run done before?)
};

/// the `--json` summary: processed, failed, skipped, cancelled, warned, interrupted, elapsed_s,
/// images_per_s, failures[{input, error}]
nlohmann::json summary_to_json(const core::BatchSummary& summary, const std::vector<core::FileResult>& failures,
                               const SummaryNotes& notes);

/// the human summary: one line of counts, then each failure in `failures` with its reason, how many
/// more there were (summary.failed counts them all) with where to find them, and one hint when outputs
/// existed
void print_summary(std::FILE* out, const core::BatchSummary& summary, const std::vector<core::FileResult>& failures,
                   const SummaryNotes& notes);

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

/// what --report does with a file that exists: New refuses one that is not empty, Append adds to it,
/// Replace empties it (only once the run is known not to name it as an input)
enum class ReportMode { New, Append, Replace };

/// "new", "append" or "replace"; "" picks Replace with --overwrite, else New; throws core::UsageError
ReportMode parse_report_mode(const std::string& text, bool overwrite);

/// The --report file: one JSON line per settled item, each written with one write(2) as it settles, so
/// that kill -9 loses no settled line and leaves no half line (a reader may see the line being written).
/// A write error (a full disk, a file size limit) truncates the file back to its last whole line and
/// stops writing; finish() then says how many lines were lost. Nothing is truncated or written before
/// start(), so a report path that turns out to be an input is refused with the input untouched.
class ReportWriter {
 public:
  ReportWriter() = default;  ///< no report: every call does nothing
  /// opens (creating it if missing) `path`; throws core::ConfigError if it cannot be opened, or if
  /// `mode` is New and a file with content is there
  ReportWriter(const std::string& path, ReportMode mode);
  ~ReportWriter();
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  bool enabled() const { return fd_ >= 0; }
  /// whether the report is the file with this device and inode (e.g. an input the scan found)
  bool is_file(std::uint64_t device, std::uint64_t inode) const;
  /// throws core::ConfigError naming `input` (removing the report if this run created it)
  [[noreturn]] void refuse_input(const std::string& input);
  /// Replace: empties the file; then lines may be written
  void start();
  void write(const core::FileResult& result);
  /// writes one JSON object as a line, e.g. the shard header a sharded run starts its report with
  void write_line(const nlohmann::json& line);
  /// flushes to the disk (fdatasync); false if a line was lost or the flush failed, see problem()
  bool finish();
  /// e.g. "No space left on device: 89 of 120 lines not written"
  std::string problem() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool created_ = false;   // this run made the file
  bool regular_ = false;   // a regular file (it can be truncated back)
  bool replace_ = false;   // start() empties it
  std::uint64_t device_ = 0, inode_ = 0;
  std::size_t written_ = 0, lost_ = 0;
  int error_ = 0;          // the first write or flush error (errno)
};

}  // namespace imgpool::app
