#pragma once
// How many CPUs this process may actually use (affinity mask and container CPU quota).

#include <string>
#include <string_view>

namespace imgpool::pool {

/// returns the CPUs this process may use: the sched_getaffinity count, lowered by any cgroup v2
/// `cpu.max` quota on the process's own cgroup or its ancestors; at least 1.
/// Unlike std::thread::hardware_concurrency() this respects `taskset` and `docker --cpus`.
/// Thread-safe; reads /proc and /sys on every call, so cache the value if it is hot.
int available_cpus();

/// returns affinity_cpus limited by a cgroup v2 `cpu.max` file's contents ("max 100000" or
/// "150000 100000" = ceil(quota/period) CPUs); malformed contents leave affinity_cpus; at least 1.
int cpus_from_cgroup_quota(std::string_view cpu_max_contents, int affinity_cpus);

/// returns the cgroup v2 path ("/user.slice/...") from /proc/self/cgroup's contents (the "0::" line),
/// or an empty string when the process is not in a cgroup v2 hierarchy.
std::string cgroup_v2_path(std::string_view proc_self_cgroup_contents);

}  // namespace imgpool::pool
