#pragma once
// Running the imgpool binary from tests, and the scratch folders they use.

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace imgpool::test {

/// what one run of the command printed and returned
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  /// the command's peak resident memory (wait4's ru_maxrss). Linux counts in it the memory of the
  /// process that spawned it as it was at the exec (the test's own peak, test_peak_rss_kb()), so only
  /// a peak above that says something about the command.
  long peak_rss_kb = 0;
};

/// changes to the environment the command inherits: variables to set, variables to remove
struct CliEnvironment {
  std::vector<std::pair<std::string, std::string>> set = {};
  std::vector<std::string> unset = {};  // the initializers let callers name only one: {.set = {...}}
};

/// this test process's peak resident memory so far (VmHWM), the floor of every CliRun::peak_rss_kb
long test_peak_rss_kb();

/// runs the imgpool binary with `args` (each passed as one argument, no shell splitting)
CliRun run_imgpool(const std::vector<std::string>& args, const CliEnvironment& env = {});

/// a fresh folder under the system temp folder, removed with the object
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// the regular files under `dir`, recursively, as paths relative to it, sorted
std::vector<std::string> list_files(const std::filesystem::path& dir);

/// a --report file's lines by their "input" as written (a later line for the same input wins)
std::map<std::string, nlohmann::json> read_report_by_input(const std::filesystem::path& file);

}  // namespace imgpool::test
