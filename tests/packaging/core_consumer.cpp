// Only the core's umbrella header, only imgpool::core: it must compile and link on its own, and the
// in-memory API must work (bytes in, a batch, bytes out).
#include <imgpool/core.hpp>

#include <cstdio>
#include <utility>
#include <vector>

bool memory_batch_round_trip();  // memory_batch_header.cpp

int main() {
  using namespace imgpool::core;
  cv::Mat image(120, 160, CV_8UC3, cv::Scalar(0, 128, 255));
  const std::vector<std::uint8_t> png = encode(image, Format::Png, 85);
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=40"});
  const cv::Mat small = process_to_image(png, options, nullptr);
  const std::vector<std::uint8_t> jpeg = process_encoded(png, [&] {
    JobOptions o = options;
    o.encode.format = Format::Jpeg;
    return o;
  }(), nullptr);
  const bool ok = small.cols == 40 && small.rows == 30 && sniff_format(jpeg) == Format::Jpeg &&
                  memory_batch_round_trip();
  std::printf("core_consumer: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
