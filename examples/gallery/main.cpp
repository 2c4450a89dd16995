// gallery: shows a contact sheet of a folder's images that fills in live while imgpool thumbnails them
// in the background. The UI thread polls the batch (MemoryBatch::poll) between HighGUI events; workers
// never touch the window.
//
//   gallery FOLDER [--size N] [--cols N] [--workers N] [--exit-after-ms N] [--save SHEET.png]
//
// Esc cancels a running batch (pending images are dropped, running ones stop at their next stage);
// Esc or q once it is over closes the window. --exit-after-ms N closes it by itself N ms after the batch
// is over (for tests); --save writes the final sheet.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/highgui.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <imgpool/core.hpp>
#include <imgpool/core/batch/memory_batch.hpp>

namespace fs = std::filesystem;
using namespace imgpool;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  fs::path folder;
  int size = 160;
  int cols = 6;
  int workers = 0;
  long exit_after_ms = -1;
  fs::path save;
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--save" && i + 1 < argc) {
      o.save = argv[++i];
    } else if ((arg == "--size" || arg == "--cols" || arg == "--workers" || arg == "--exit-after-ms") && i + 1 < argc) {
      const std::string_view text = argv[++i];
      long v = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || v < 0) return false;
      if (arg == "--size") o.size = static_cast<int>(v);
      if (arg == "--cols") o.cols = static_cast<int>(v);
      if (arg == "--workers") o.workers = static_cast<int>(v);
      if (arg == "--exit-after-ms") o.exit_after_ms = v;
    } else if (!arg.starts_with("--") && o.folder.empty()) {
      o.folder = arg;
    } else {
      return false;
    }
  }
  return !o.folder.empty() && o.size >= 16 && o.cols >= 1;
}

// The contact sheet: one cell per image, in folder order, and a status line at the bottom.
class ContactSheet {
 public:
  ContactSheet(std::size_t count, int thumb, int cols) : thumb_(thumb), cols_(cols) {
    const int rows = std::max(1, static_cast<int>((count + static_cast<std::size_t>(cols) - 1) / static_cast<std::size_t>(cols)));
    canvas_ = cv::Mat(rows * cell() + kStatusHeight, cols * cell(), CV_8UC3, kBackground);
    for (std::size_t i = 0; i < count; ++i) cv::rectangle(canvas_, slot(i), cv::Scalar(70, 70, 70), 1);
  }

  void show_image(std::size_t index, const cv::Mat& image, const std::string& name) {
    cv::Mat bgr;
    if (image.channels() == 1) {
      cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    } else if (image.channels() == 4) {
      cv::Mat white(image.size(), CV_8UC3, cv::Scalar::all(255)), alpha, colour;
      cv::extractChannel(image, alpha, 3);
      cv::cvtColor(image, colour, cv::COLOR_BGRA2BGR);
      colour.copyTo(white, alpha);  // crude alpha: opaque pixels over white
      bgr = white;
    } else {
      bgr = image;
    }
    const cv::Rect r = slot(index);
    canvas_(r).setTo(kBackground);
    const cv::Rect at(r.x + (thumb_ - bgr.cols) / 2, r.y + (thumb_ - bgr.rows) / 2, bgr.cols, bgr.rows);
    bgr.copyTo(canvas_(at & r));
    label(index, name, cv::Scalar(220, 220, 220));
  }

  void show_mark(std::size_t index, const std::string& text, const cv::Scalar& colour) {
    const cv::Rect r = slot(index);
    cv::line(canvas_, r.tl(), r.br(), colour, 2);
    cv::line(canvas_, {r.x + r.width, r.y}, {r.x, r.y + r.height}, colour, 2);
    label(index, text, colour);
  }

  void status(const std::string& text) {
    const cv::Rect line(0, canvas_.rows - kStatusHeight, canvas_.cols, kStatusHeight);
    canvas_(line).setTo(cv::Scalar(20, 20, 20));
    cv::putText(canvas_, text, {8, canvas_.rows - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(255, 255, 255), 1,
                cv::LINE_AA);
  }

  const cv::Mat& canvas() const { return canvas_; }

 private:
  static constexpr int kPad = 8, kLabel = 14, kStatusHeight = 28;
  static constexpr int kFont = cv::FONT_HERSHEY_PLAIN;
  static constexpr double kFontScale = 0.8;
  inline static const cv::Scalar kBackground{40, 40, 40};
  int cell() const { return thumb_ + 2 * kPad + kLabel; }
  cv::Rect slot(std::size_t i) const {
    const int col = static_cast<int>(i % static_cast<std::size_t>(cols_));
    const int row = static_cast<int>(i / static_cast<std::size_t>(cols_));
    return {col * cell() + kPad, row * cell() + kPad, thumb_, thumb_};
  }
  void label(std::size_t index, const std::string& text, const cv::Scalar& colour) {
    const cv::Rect r = slot(index);
    std::string shown = text;  // shortened with "~" until it fits under the thumbnail
    int baseline = 0;
    while (shown.size() > 2 && cv::getTextSize(shown, kFont, kFontScale, 1, &baseline).width > thumb_) {
      shown = shown.substr(0, shown.size() - 2) + "~";
    }
    cv::putText(canvas_, shown, {r.x, r.y + r.height + kLabel - 2}, kFont, kFontScale, colour, 1);
  }
  int thumb_, cols_;
  cv::Mat canvas_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: gallery FOLDER [--size N] [--cols N] [--workers N] [--exit-after-ms N] [--save SHEET.png]\n");
    return 2;
  }
  const core::ScanResult scan = core::scan_inputs({o.folder}, {});
  if (scan.files.empty()) {
    std::fprintf(stderr, "gallery: no images in %s\n", o.folder.c_str());
    return 2;
  }
  std::vector<core::MemoryItem> items;
  for (const auto& f : scan.files) items.push_back(core::MemoryItem::from_file(f.path));
  const std::size_t total = items.size();

  core::JobOptions job;
  job.pipeline = core::Pipeline::parse({"thumbnail=" + std::to_string(o.size)});
  ContactSheet sheet(total, o.size, o.cols);
  const char* window = "imgpool gallery";
  cv::namedWindow(window, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);  // GUI_NORMAL: no Qt toolbar

  try {
    // Files are read on the workers; only processed images come back (no encoding needed to show them).
    core::MemoryBatch batch(std::move(items), job, {.workers = o.workers, .encode = false, .keep_image = true});
    const auto start = Clock::now();
    std::optional<Clock::time_point> over_at;
    while (true) {
      for (const core::ProgressEvent& e : batch.poll()) {
        const std::string name = fs::path(e.name).filename().string();
        if (e.event == core::ItemEvent::Succeeded) {
          sheet.show_image(e.index, batch.futures()[e.index].result().image, name);
        } else if (e.event == core::ItemEvent::Failed) {
          sheet.show_mark(e.index, "failed", cv::Scalar(60, 60, 230));
        } else if (e.event == core::ItemEvent::Cancelled) {
          sheet.show_mark(e.index, "cancelled", cv::Scalar(120, 120, 120));
        }
      }
      const core::BatchProgress p = batch.progress();
      const double seconds = std::chrono::duration<double>((over_at ? *over_at : Clock::now()) - start).count();
      char line[160];
      std::snprintf(line, sizeof line, "%zu/%zu  ok %zu  failed %zu  cancelled %zu  %.1fs  %s", p.done(), p.total,
                    p.succeeded, p.failed, p.cancelled, seconds,
                    batch.done() ? (p.cancelled ? "cancelled - Esc closes" : "done - Esc closes")
                                 : "working - Esc cancels");
      sheet.status(line);
      cv::imshow(window, sheet.canvas());
      if (!over_at && batch.done()) {
        over_at = Clock::now();
        std::printf("%s\n", line);
        std::fflush(stdout);
      }

      const int key = cv::waitKey(30);
      if (key == 27 || key == 'q') {
        if (!batch.done() && key == 27) {
          batch.cancel();
        } else {
          break;
        }
      }
      if (over_at && o.exit_after_ms >= 0 && Clock::now() - *over_at >= std::chrono::milliseconds(o.exit_after_ms)) break;
      if (cv::getWindowProperty(window, cv::WND_PROP_VISIBLE) < 1) {  // closed by the window manager
        batch.cancel();
        break;
      }
    }
    if (!o.save.empty()) cv::imwrite(o.save.string(), sheet.canvas());
  } catch (const imgpool::Error& e) {
    std::fprintf(stderr, "gallery: %s\n", e.what());
    return 2;
  }
  cv::destroyAllWindows();
  return 0;
}
