#pragma once
// The PNG plot of `imgpool bench --plot`: throughput and parallel efficiency against workers.

#include <string>
#include <vector>

namespace imgpool::app {

/// one measured configuration on the plot
struct PlotPoint {
  int workers = 1;
  double images_per_s = 0;
  double efficiency = 0;  ///< 0 when unknown (no one-worker run to compare with)
};

/// one line on the plot, e.g. "thread chunk=auto"
struct PlotSeries {
  std::string name;
  std::vector<PlotPoint> points;
};

/// draws throughput (left axis, solid) and efficiency (right axis, thin) against workers with OpenCV
/// and writes it as PNG; throws core::ConfigError if the file cannot be written
void write_scaling_plot(const std::string& path, const std::vector<PlotSeries>& series, const std::string& title);

}  // namespace imgpool::app
