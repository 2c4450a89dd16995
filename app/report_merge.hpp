#pragma once
// `imgpool report merge`: one summary from the JSONL reports of the shards of a batch.

#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace imgpool::app {

/// the options of `imgpool report merge`
struct ReportMergeOptions {
  std::vector<std::string> reports;
  bool json = false;
};

/// one report read line by line; a sharded run's report starts with {"shard", "shards", "inputs", ...}
struct ShardReport {
  std::string path;
  std::vector<std::string> lines;
};

/// what the merge found; `complete()` when every input was reported once by every shard
struct MergedReport {
  struct Duplicate {
    std::string input;
    std::vector<std::string> reports;  ///< each report that has it, once per line
  };
  struct Incomplete {
    int shard = 0;
    std::string report;
    std::size_t reported = 0, expected = 0;
  };
  struct Malformed {
    std::string report;
    std::size_t line = 0;  ///< 1-based
    std::string error;
  };
  std::size_t reports = 0;
  int shards = 0;  ///< from the headers; 0 when no report has one (unsharded runs)
  std::size_t inputs = 0, processed = 0, failed = 0, skipped = 0;
  std::vector<nlohmann::json> failures;  ///< {input, error}
  std::vector<Duplicate> duplicates;
  std::vector<int> missing_shards;
  std::vector<int> repeated_shards;      ///< shards with more than one report
  std::vector<Incomplete> incomplete_shards;
  std::vector<Malformed> malformed;      ///< unreadable lines, e.g. the last one of a killed shard
  std::vector<std::string> conflicts;    ///< headers that disagree on the shard count or total

  bool complete() const {
    return duplicates.empty() && missing_shards.empty() && repeated_shards.empty() && incomplete_shards.empty() &&
           malformed.empty() && conflicts.empty();
  }
};

/// merges reports. Inputs are compared as written, so shards must be given the same INPUT arguments.
MergedReport merge_reports(const std::vector<ShardReport>& reports);

/// the --json form of a merge
nlohmann::json merged_to_json(const MergedReport& merged);

/// adds `report merge` to `app`; returns the merge subcommand
CLI::App* setup_report(CLI::App& app, ReportMergeOptions& options);

/// reads the reports, prints the merge; exit 0 when complete without failures, 1 when anything is
/// flagged or failed, 2 when a report cannot be read
int run_report_merge(const ReportMergeOptions& options);

}  // namespace imgpool::app
