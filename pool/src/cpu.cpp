#include <imgpool/pool/cpu.hpp>

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

namespace imgpool::pool {
namespace {

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

int cpus_from_cgroup_quota(std::string_view cpu_max_contents, int affinity) {
  affinity = std::max(1, affinity);
  const std::string_view text = trim(cpu_max_contents);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return affinity;
  const std::string_view quota_text = text.substr(0, space);
  const std::string_view period_text = trim(text.substr(space + 1));
  if (quota_text == "max") return affinity;
  long long quota = 0;
  long long period = 0;
  const auto q = std::from_chars(quota_text.data(), quota_text.data() + quota_text.size(), quota);
  const auto p = std::from_chars(period_text.data(), period_text.data() + period_text.size(), period);
  if (q.ec != std::errc{} || p.ec != std::errc{} || q.ptr != quota_text.data() + quota_text.size() ||
      p.ptr != period_text.data() + period_text.size() || quota <= 0 || period <= 0)
    return affinity;
  const long long cpus = (quota + period - 1) / period;
  return static_cast<int>(std::clamp<long long>(cpus, 1, affinity));
}

std::string cgroup_v2_path(std::string_view contents) {
  while (!contents.empty()) {
    const auto eol = contents.find('\n');
    const std::string_view line = contents.substr(0, eol);
    if (line.starts_with("0::")) return std::string(trim(line.substr(3)));
    if (eol == std::string_view::npos) break;
    contents.remove_prefix(eol + 1);
  }
  return {};
}

int available_cpus() {
  int cpus = affinity_cpus();
  // A quota on any ancestor cgroup limits us too, so walk from our own cgroup up to the root.
  std::string path = cgroup_v2_path(read_file("/proc/self/cgroup"));
  while (true) {
    const std::string contents = read_file("/sys/fs/cgroup" + path + "/cpu.max");
    if (!contents.empty()) cpus = cpus_from_cgroup_quota(contents, cpus);
    if (path.empty() || path == "/") break;
    const auto slash = path.rfind('/');
    path = slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
  }
  return std::max(1, cpus);
}

}  // namespace imgpool::pool
