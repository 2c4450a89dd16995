#include "bench_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/error.hpp>

namespace imgpool::app {

namespace {
constexpr int kWidth = 900, kHeight = 560;
constexpr int kLeft = 80, kRight = 80, kTop = 60, kBottom = 70;
const cv::Scalar kInk(40, 40, 40), kGrid(225, 225, 225), kWhite(255, 255, 255);
const std::vector<cv::Scalar> kColours = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148}};

void text(cv::Mat& img, const std::string& s, cv::Point at, double scale = 0.5, cv::Scalar colour = kInk) {
  cv::putText(img, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
}
}  // namespace

void write_scaling_plot(const std::string& path, const std::vector<PlotSeries>& series, const std::string& title) {
  cv::Mat img(kHeight, kWidth, CV_8UC3, kWhite);
  std::vector<int> workers;
  double max_rate = 0;
  for (const auto& s : series) {
    for (const auto& p : s.points) {
      workers.push_back(p.workers);
      max_rate = std::max(max_rate, p.images_per_s);
    }
  }
  std::sort(workers.begin(), workers.end());
  workers.erase(std::unique(workers.begin(), workers.end()), workers.end());
  if (workers.empty()) workers.push_back(1);
  max_rate = max_rate > 0 ? max_rate * 1.15 : 1;
  const int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  // Workers on a log2 axis: 1, 2, 4, ... are evenly spaced, as scaling is usually read.
  const double lo = std::log2(workers.front()), hi = std::log2(workers.back());
  auto x_of = [&](int w) {
    return kLeft + static_cast<int>(hi > lo ? (std::log2(w) - lo) / (hi - lo) * plot_w : plot_w / 2.0);
  };
  auto y_rate = [&](double r) { return kTop + plot_h - static_cast<int>(r / max_rate * plot_h); };
  auto y_eff = [&](double e) { return kTop + plot_h - static_cast<int>(std::min(e, 1.2) / 1.2 * plot_h); };

  for (int i = 0; i <= 5; ++i) {
    const int y = kTop + plot_h * i / 5;
    cv::line(img, {kLeft, y}, {kLeft + plot_w, y}, kGrid);
    text(img, fmt::format("{:.0f}", max_rate * (5 - i) / 5), {8, y + 5}, 0.45);
    text(img, fmt::format("{:.2f}", 1.2 * (5 - i) / 5), {kLeft + plot_w + 10, y + 5}, 0.45);
  }
  for (int w : workers) {
    cv::line(img, {x_of(w), kTop}, {x_of(w), kTop + plot_h}, kGrid);
    text(img, std::to_string(w), {x_of(w) - 6, kTop + plot_h + 20}, 0.45);
  }
  cv::rectangle(img, {kLeft, kTop}, {kLeft + plot_w, kTop + plot_h}, kInk);
  text(img, title, {kLeft, 30}, 0.6);
  text(img, "workers", {kLeft + plot_w / 2 - 30, kHeight - 35}, 0.5);
  text(img, "images/s (thick)", {8, kTop - 12}, 0.45);
  text(img, "efficiency (thin)", {kLeft + plot_w - 60, kTop - 12}, 0.45);

  for (std::size_t k = 0; k < series.size(); ++k) {
    const cv::Scalar colour = kColours[k % kColours.size()];
    auto points = series[k].points;
    std::sort(points.begin(), points.end(), [](const PlotPoint& a, const PlotPoint& b) { return a.workers < b.workers; });
    for (std::size_t i = 0; i < points.size(); ++i) {
      const cv::Point rate(x_of(points[i].workers), y_rate(points[i].images_per_s));
      cv::circle(img, rate, 4, colour, cv::FILLED, cv::LINE_AA);
      if (points[i].efficiency > 0) cv::circle(img, {rate.x, y_eff(points[i].efficiency)}, 3, colour, 1, cv::LINE_AA);
      if (i == 0) continue;
      const cv::Point prev(x_of(points[i - 1].workers), y_rate(points[i - 1].images_per_s));
      cv::line(img, prev, rate, colour, 2, cv::LINE_AA);
      if (points[i].efficiency > 0 && points[i - 1].efficiency > 0) {
        cv::line(img, {prev.x, y_eff(points[i - 1].efficiency)}, {rate.x, y_eff(points[i].efficiency)}, colour, 1,
                 cv::LINE_AA);
      }
    }
    const int ly = kHeight - 12;
    const int lx = kLeft + static_cast<int>(k) * 200;
    cv::line(img, {lx, ly - 4}, {lx + 20, ly - 4}, colour, 2, cv::LINE_AA);
    text(img, series[k].name, {lx + 26, ly}, 0.45);
  }
  const std::vector<std::uint8_t> png = core::encode(img, core::Format::Png, 100);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  if (!out.flush()) throw core::ConfigError("cannot write the plot " + path);
}

}  // namespace imgpool::app
