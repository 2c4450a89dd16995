#include "bench_stats.hpp"

#include <gtest/gtest.h>

using imgpool::app::default_worker_counts;
using imgpool::app::scaling;
using imgpool::app::summarise;

TEST(bench_stats, summarise_takes_median_and_range) {
  const auto odd = summarise({3.0, 1.0, 2.0});
  EXPECT_DOUBLE_EQ(odd.median, 2.0);
  EXPECT_DOUBLE_EQ(odd.min, 1.0);
  EXPECT_DOUBLE_EQ(odd.max, 3.0);
  EXPECT_DOUBLE_EQ(odd.spread(), 1.0);
  EXPECT_DOUBLE_EQ(summarise({4.0, 1.0, 2.0, 3.0}).median, 2.5);
  EXPECT_DOUBLE_EQ(summarise({}).median, 0.0);
}

TEST(bench_stats, perfect_scaling_has_no_serial_fraction) {
  const auto s = scaling(8.0, 2.0, 4);
  EXPECT_DOUBLE_EQ(s.speedup, 4.0);
  EXPECT_DOUBLE_EQ(s.efficiency, 1.0);
  ASSERT_TRUE(s.serial_fraction.has_value());
  EXPECT_NEAR(*s.serial_fraction, 0.0, 1e-12);
}

TEST(bench_stats, karp_flatt_recovers_amdahl_serial_fraction) {
  // Amdahl with serial fraction 0.1 on 4 workers: t4 = t1 * (0.1 + 0.9 / 4)
  const double t1 = 10.0, t4 = t1 * (0.1 + 0.9 / 4);
  const auto s = scaling(t1, t4, 4);
  EXPECT_NEAR(s.speedup, 1 / 0.325, 1e-9);
  EXPECT_NEAR(s.efficiency, 1 / 0.325 / 4, 1e-9);
  EXPECT_NEAR(*s.serial_fraction, 0.1, 1e-9);
}

TEST(bench_stats, one_worker_has_no_serial_fraction) {
  const auto s = scaling(5.0, 5.0, 1);
  EXPECT_DOUBLE_EQ(s.speedup, 1.0);
  EXPECT_FALSE(s.serial_fraction.has_value());
}

TEST(bench_stats, default_worker_counts_double_up_to_the_cpus) {
  EXPECT_EQ(default_worker_counts(1), (std::vector<int>{1}));
  EXPECT_EQ(default_worker_counts(2), (std::vector<int>{1, 2}));
  EXPECT_EQ(default_worker_counts(6), (std::vector<int>{1, 2, 4, 6}));
  EXPECT_EQ(default_worker_counts(16), (std::vector<int>{1, 2, 4, 8, 16}));
}
