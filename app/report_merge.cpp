#include "report_merge.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <imgpool/core/error.hpp>

#include "exit_codes.hpp"
#include "names.hpp"

namespace imgpool::app {

namespace {

struct Header {
  int shard = 0, shards = 0;
  std::size_t inputs = 0, total = 0;
  std::string report;
};

bool is_header(const nlohmann::json& line) { return line.contains("shard") && line.contains("shards"); }

}  // namespace

MergedReport merge_reports(const std::vector<ShardReport>& reports) {
  MergedReport m;
  m.reports = reports.size();
  std::map<std::string, std::vector<std::string>> seen;  // input → the reports that have it
  std::vector<Header> headers;
  for (const ShardReport& report : reports) {
    std::size_t inputs = 0;
    std::optional<Header> header;
    for (std::size_t i = 0; i < report.lines.size(); ++i) {
      const std::string& text = report.lines[i];
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      const nlohmann::json line = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!line.is_object()) {
        m.malformed.push_back({report.path, i + 1, "not a JSON object"});
        continue;
      }
      if (is_header(line)) {
        if (i != 0 || header) {
          m.malformed.push_back({report.path, i + 1, "a shard header after the first line"});
          continue;
        }
        header = Header{line.value("shard", 0), line.value("shards", 0), line.value("inputs", std::size_t{0}),
                        line.value("total_inputs", std::size_t{0}), report.path};
        continue;
      }
      if (!line.contains("input") || !line.contains("status")) {
        m.malformed.push_back({report.path, i + 1, "no \"input\" or \"status\""});
        continue;
      }
      ++inputs;
      const std::string input = path_bytes(line, "input");  // the name's bytes, also when they are not UTF-8
      seen[input].push_back(report.path);
      const std::string status = line["status"].is_string() ? line["status"].get<std::string>() : "";
      if (status == "ok") {
        ++m.processed;
      } else if (status == "skipped") {
        ++m.skipped;
      } else {
        ++m.failed;
        const auto& error = line.contains("error") && line["error"].is_string() ? line["error"] : nlohmann::json("");
        nlohmann::json failure = nlohmann::json::object();
        put_path(failure, "input", input);
        failure["error"] = error;
        m.failures.push_back(std::move(failure));
      }
    }
    if (header) {
      if (inputs != header->inputs) {
        m.incomplete_shards.push_back({header->shard, report.path, inputs, header->inputs});
      }
      headers.push_back(*header);
    }
  }
  m.inputs = seen.size();
  for (const auto& [input, where] : seen) {
    if (where.size() > 1) m.duplicates.push_back({input, where});
  }

  if (!headers.empty()) {
    m.shards = headers.front().shards;
    std::map<int, int> count_of;
    for (const Header& h : headers) {
      if (h.shards != m.shards || h.total != headers.front().total) {
        m.conflicts.push_back(fmt::format("{} is shard {} of {} with {} inputs in all, {} shard {} of {} with {}",
                                          h.report, h.shard, h.shards, h.total, headers.front().report,
                                          headers.front().shard, m.shards, headers.front().total));
      }
      ++count_of[h.shard];
    }
    for (int k = 0; k < m.shards; ++k) {
      const auto it = count_of.find(k);
      if (it == count_of.end()) m.missing_shards.push_back(k);
      else if (it->second > 1) m.repeated_shards.push_back(k);
    }
  }
  return m;
}

nlohmann::json merged_to_json(const MergedReport& m) {
  nlohmann::json duplicates = nlohmann::json::array();
  for (const auto& d : m.duplicates) {
    nlohmann::json duplicate = nlohmann::json::object();
    put_path(duplicate, "input", d.input);
    duplicate["reports"] = d.reports;
    duplicates.push_back(std::move(duplicate));
  }
  nlohmann::json incomplete = nlohmann::json::array();
  for (const auto& s : m.incomplete_shards) {
    incomplete.push_back({{"shard", s.shard}, {"report", s.report}, {"reported", s.reported}, {"expected", s.expected}});
  }
  nlohmann::json malformed = nlohmann::json::array();
  for (const auto& b : m.malformed) malformed.push_back({{"report", b.report}, {"line", b.line}, {"error", b.error}});
  return {{"reports", m.reports},
          {"shards", m.shards ? nlohmann::json(m.shards) : nlohmann::json(nullptr)},
          {"inputs", m.inputs},
          {"processed", m.processed},
          {"failed", m.failed},
          {"skipped", m.skipped},
          {"failures", m.failures},
          {"duplicates", duplicates},
          {"missing_shards", m.missing_shards},
          {"repeated_shards", m.repeated_shards},
          {"incomplete_shards", incomplete},
          {"malformed", malformed},
          {"conflicts", m.conflicts},
          {"complete", m.complete()}};
}

CLI::App* setup_report(CLI::App& app, ReportMergeOptions& o) {
  auto* report = app.add_subcommand("report", "Work with the JSONL reports that --report writes");
  report->require_subcommand(1);
  auto* merge = report->add_subcommand(
      "merge", "One summary from the reports of a sharded batch, flagging inputs reported twice and shards missing");
  merge->add_option("reports", o.reports, "Report files (JSONL), one per shard")->required()->check(CLI::ExistingFile);
  merge->add_flag("--json", o.json, "Print a JSON object instead of the text summary");
  return merge;
}

int run_report_merge(const ReportMergeOptions& o) {
  std::vector<ShardReport> reports;
  for (const std::string& path : o.reports) {
    std::ifstream in(path);
    if (!in) throw core::ConfigError("cannot read the report " + path);
    ShardReport& r = reports.emplace_back();
    r.path = path;
    for (std::string line; std::getline(in, line);) r.lines.push_back(std::move(line));
  }
  const MergedReport m = merge_reports(reports);
  if (o.json) {
    fmt::print("{}\n", dump_line(merged_to_json(m)));
  } else {
    fmt::print("{} reports", m.reports);
    if (m.shards) fmt::print(" of {} shards", m.shards);
    fmt::print(": {} inputs, {} processed, {} failed, {} skipped\n", m.inputs, m.processed, m.failed, m.skipped);
    if (!m.missing_shards.empty()) fmt::print("missing shards: {}\n", fmt::join(m.missing_shards, ", "));
    if (!m.repeated_shards.empty()) {
      fmt::print("shards with more than one report: {}\n", fmt::join(m.repeated_shards, ", "));
    }
    for (const auto& s : m.incomplete_shards) {
      fmt::print("incomplete: shard {} ({}) reported {} of {} inputs\n", s.shard, s.report, s.reported, s.expected);
    }
    for (const auto& c : m.conflicts) fmt::print("conflicting headers: {}\n", c);
    for (const auto& b : m.malformed) fmt::print("malformed: {}:{}: {}\n", b.report, b.line, b.error);
    for (const auto& d : m.duplicates) {
      fmt::print("reported {} times: {} ({})\n", d.reports.size(), printable(d.input), printable(fmt::format("{}", fmt::join(d.reports, ", "))));
    }
    if (!m.failures.empty()) {
      fmt::print("failed:\n");
      for (const auto& f : m.failures) {
        fmt::print("  {}: {}\n", printable(path_bytes(f, "input")), printable(f["error"].get<std::string>()));
      }
    }
  }
  return m.complete() && m.failed == 0 ? kExitOk : kExitSomeFailed;
}

}  // namespace imgpool::app
