// Only <imgpool/core/batch/memory_batch.hpp>: the in-memory batch header must compile on its own.
#include <imgpool/core/batch/memory_batch.hpp>

#include <imgpool/core/codec/encoder.hpp>

#include <string>
#include <utility>
#include <vector>

bool memory_batch_round_trip() {
  using namespace imgpool::core;
  std::vector<MemoryItem> items;
  for (int i = 0; i < 3; ++i) {
    cv::Mat image(90, 60 + 30 * i, CV_8UC3, cv::Scalar(40.0 * i, 200, 10));
    items.push_back(MemoryItem::from_bytes(encode(image, Format::Jpeg, 90), "item" + std::to_string(i)));
  }
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=30"});
  MemoryBatch batch(std::move(items), options, {.workers = 2});
  std::size_t ok = 0;
  for (const auto& f : batch.as_completed()) ok += f.result().status == Status::Ok && f.result().height <= 30 ? 1 : 0;
  batch.wait();  // counts follow the futures; wait() for the last final event
  return ok == 3 && batch.progress().succeeded == 3;
}
