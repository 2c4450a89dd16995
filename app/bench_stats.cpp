#include "bench_stats.hpp"

#include <algorithm>

namespace imgpool::app {

TimingSummary summarise(std::vector<double> seconds) {
  TimingSummary s;
  if (seconds.empty()) return s;
  std::sort(seconds.begin(), seconds.end());
  const std::size_t n = seconds.size();
  s.median = n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
  s.min = seconds.front();
  s.max = seconds.back();
  return s;
}

Scaling scaling(double t1, double tp, int workers) {
  Scaling s;
  if (t1 <= 0 || tp <= 0 || workers < 1) return s;
  s.speedup = t1 / tp;
  s.efficiency = s.speedup / workers;
  if (workers > 1) {
    const double p = workers;
    s.serial_fraction = (1 / s.speedup - 1 / p) / (1 - 1 / p);
  }
  return s;
}

std::vector<int> default_worker_counts(int max_cpus) {
  std::vector<int> counts;
  for (int w = 1; w < max_cpus; w *= 2) counts.push_back(w);
  counts.push_back(std::max(1, max_cpus));
  return counts;
}

}  // namespace imgpool::app
