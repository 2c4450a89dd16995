#include <imgpool/pool/cpu.hpp>

#include <gtest/gtest.h>

#include <sched.h>

using imgpool::pool::cgroup_v2_path;
using imgpool::pool::cpus_from_cgroup_quota;

TEST(cpu, quota_max_keeps_affinity) { EXPECT_EQ(cpus_from_cgroup_quota("max 100000\n", 8), 8); }

TEST(cpu, quota_rounds_up) {
  EXPECT_EQ(cpus_from_cgroup_quota("150000 100000\n", 8), 2);
  EXPECT_EQ(cpus_from_cgroup_quota("200000 100000", 8), 2);
  EXPECT_EQ(cpus_from_cgroup_quota("50000 100000", 8), 1);
}

TEST(cpu, quota_never_exceeds_affinity) { EXPECT_EQ(cpus_from_cgroup_quota("1600000 100000", 4), 4); }

TEST(cpu, malformed_quota_keeps_affinity) {
  EXPECT_EQ(cpus_from_cgroup_quota("", 3), 3);
  EXPECT_EQ(cpus_from_cgroup_quota("garbage", 3), 3);
  EXPECT_EQ(cpus_from_cgroup_quota("12x 100000", 3), 3);
  EXPECT_EQ(cpus_from_cgroup_quota("100000 0", 3), 3);
}

TEST(cpu, result_is_at_least_one) { EXPECT_EQ(cpus_from_cgroup_quota("max 100000", 0), 1); }

TEST(cpu, parses_cgroup_v2_path) {
  EXPECT_EQ(cgroup_v2_path("0::/user.slice/session-1.scope\n"), "/user.slice/session-1.scope");
  EXPECT_EQ(cgroup_v2_path("12:cpu,cpuacct:/docker/abc\n0::/docker/abc\n"), "/docker/abc");
  EXPECT_EQ(cgroup_v2_path("12:cpu,cpuacct:/docker/abc\n"), "");
}

TEST(cpu, available_cpus_within_affinity) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  const int cpus = imgpool::pool::available_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_LE(cpus, CPU_COUNT(&set));
}
