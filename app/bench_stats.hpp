#pragma once
// The arithmetic of `imgpool bench`: robust summaries of repeated timings and the scaling figures
// derived from them (speed-up, parallel efficiency, Karp–Flatt serial fraction).

#include <optional>
#include <vector>

namespace imgpool::app {

/// median and spread of repeated wall times
struct TimingSummary {
  double median = 0;
  double min = 0;
  double max = 0;
  /// (max - min) / median: how much the repeats disagree
  double spread() const { return median > 0 ? (max - min) / median : 0; }
};

/// summarises repeated timings; an empty input gives zeros
TimingSummary summarise(std::vector<double> seconds);

/// how a configuration with `workers` workers scales against the same job on one worker
struct Scaling {
  double speedup = 0;     ///< t1 / tp
  double efficiency = 0;  ///< speedup / workers
  /// Karp–Flatt experimentally determined serial fraction (1/S - 1/p) / (1 - 1/p); none for p = 1
  std::optional<double> serial_fraction;
};

/// scaling from the median wall time on one worker `t1` and on `workers` workers `tp`
Scaling scaling(double t1, double tp, int workers);

/// worker counts to try by default: 1, 2, 4, ... below `max_cpus`, then `max_cpus` itself
std::vector<int> default_worker_counts(int max_cpus);

}  // namespace imgpool::app
