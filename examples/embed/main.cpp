// embed: thumbnails the images named on the command line in memory with imgpool::core::MemoryBatch and
// writes NAME.thumb.EXT into the working directory, printing each result as it arrives.
//
//   embed [--size N] [--workers N] [--cancel-after N] IMAGE...
//
// Ctrl-C (SIGINT) or SIGTERM cancels: pending images are dropped, running ones stop at their next stage.
// --cancel-after N cancels the same way once N images have finished (to test cancellation).
// Exit status: 0 all written, 1 some failed, 2 usage error, 130 cancelled.
#include <signal.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <imgpool/core.hpp>
#include <imgpool/core/batch/memory_batch.hpp>

namespace fs = std::filesystem;
using namespace imgpool;

namespace {

struct Options {
  int size = 256;
  int workers = 0;
  long cancel_after = -1;
  std::vector<fs::path> images;
};

bool parse_int(std::string_view text, long& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    long value = 0;
    if ((arg == "--size" || arg == "--workers" || arg == "--cancel-after") && i + 1 < argc) {
      if (!parse_int(argv[++i], value) || value < 0) return false;
      if (arg == "--size") options.size = static_cast<int>(value);
      if (arg == "--workers") options.workers = static_cast<int>(value);
      if (arg == "--cancel-after") options.cancel_after = value;
    } else if (arg.starts_with("--")) {
      return false;
    } else {
      options.images.emplace_back(arg);
    }
  }
  return !options.images.empty() && options.size > 0;
}

// the whole file; empty when it cannot be read (the batch then reports "not an image")
std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  std::vector<std::uint8_t> bytes(ec ? 0 : size);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::cerr << "usage: embed [--size N] [--workers N] [--cancel-after N] IMAGE...\n";
    return 2;
  }

  // Signals go to a watcher thread (sigtimedwait), never to a handler: requesting a stop takes locks,
  // which a signal handler must not. Blocked here, before any thread starts, so every thread inherits it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::stop_source stop;
  std::jthread watcher([&](std::stop_token done) {
    const timespec tick{0, 100'000'000};
    while (!done.stop_requested()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) stop.request_stop();
    }
  });

  // The caller owns the bytes until it moves them into the batch; from then on the batch owns them.
  std::vector<core::MemoryItem> items;
  for (const fs::path& image : options.images) {
    items.push_back(core::MemoryItem::from_bytes(read_file(image), image.string()));
  }
  core::JobOptions job;
  job.pipeline = core::Pipeline::parse({"thumbnail=" + std::to_string(options.size)});

  // Runs on worker threads: only touches the atomic counter and the (thread-safe) stop source.
  std::atomic<long> finished{0};
  auto on_progress = [&](const core::ProgressEvent& e) {
    if (e.event != core::ItemEvent::Succeeded && e.event != core::ItemEvent::Failed) return;
    if (++finished == options.cancel_after) stop.request_stop();
  };

  int status = 0;
  try {
    core::MemoryBatch batch(std::move(items), job, {.workers = options.workers}, stop.get_token(), on_progress);
    std::size_t seen = 0;
    for (const auto& future : batch.as_completed()) {
      std::printf("[%zu/%zu] ", ++seen, batch.futures().size());
      try {
        const core::MemoryResult r = future.result();
        if (r.status != core::Status::Ok) {
          std::printf("%s: failed: %s\n", r.name.c_str(), r.error.c_str());
          status = 1;
          continue;
        }
        const fs::path name = fs::path(r.name).filename();
        const fs::path out = fs::path(name).replace_extension(".thumb" + core::output_extension(r.format, name).string());
        std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(r.encoded.data()),
                                                   static_cast<std::streamsize>(r.encoded.size()));
        std::printf("%s -> %s (%dx%d, %.1f ms)\n", r.name.c_str(), out.c_str(), r.width, r.height, r.ms);
      } catch (const pool::CancelledError&) {
        std::printf("cancelled\n");
      }
      std::fflush(stdout);
    }
    batch.wait();  // the counts follow the futures: wait for the last item's final event
    const core::BatchProgress p = batch.progress();
    std::fprintf(stderr, "%zu written, %zu failed, %zu cancelled\n", p.succeeded, p.failed, p.cancelled);
    if (p.cancelled > 0) status = 130;
  } catch (const imgpool::Error& e) {
    std::fprintf(stderr, "embed: %s\n", e.what());
    return 2;
  }
  return status;
}
