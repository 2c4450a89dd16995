#include <imgpool/core/error.hpp>
#include <imgpool/core/batch/memory_batch.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stop_token>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

using namespace std::chrono_literals;

JobOptions thumbnail(int size, Format format = Format::Same) {
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=" + std::to_string(size)});
  options.encode.format = format;
  return options;
}

std::vector<MemoryItem> jpegs(int n, int width = 400, int height = 300) {
  std::vector<MemoryItem> items;
  for (int i = 0; i < n; ++i) {
    items.push_back(MemoryItem::from_bytes(test::encoded(test::corner_image(width, height), ".jpg"),
                                           "img" + std::to_string(i)));
  }
  return items;
}

// Every event of a batch, as the callback saw it; thread safe.
struct EventLog {
  std::mutex mutex;
  std::vector<ProgressEvent> events;
  void add(const ProgressEvent& e) {
    std::lock_guard lock(mutex);
    events.push_back(e);
  }
  std::map<std::size_t, std::vector<ItemEvent>> per_item() {
    std::lock_guard lock(mutex);
    std::map<std::size_t, std::vector<ItemEvent>> out;
    for (const auto& e : events) out[e.index].push_back(e.event);
    return out;
  }
};

TEST(memory_batch, buffers_in_encoded_bytes_out_with_correct_geometry) {
  std::vector<MemoryItem> items;
  items.push_back(MemoryItem::from_bytes(test::encoded(test::corner_image(400, 300), ".jpg"), "wide.jpg"));
  items.push_back(MemoryItem::from_bytes(test::encoded(test::corner_image(300, 600), ".png"), "tall.png"));
  MemoryBatch batch(std::move(items), thumbnail(100), {.workers = 2});
  const MemoryResult wide = batch.futures()[0].result(10s);
  const MemoryResult tall = batch.futures()[1].result(10s);

  ASSERT_EQ(wide.status, Status::Ok) << wide.error;
  EXPECT_EQ(wide.index, 0u);
  EXPECT_EQ(wide.name, "wide.jpg");
  EXPECT_EQ(wide.format, Format::Jpeg);  // Same: as the input
  EXPECT_EQ(sniff_format(wide.encoded), Format::Jpeg);
  const cv::Mat w = cv::imdecode(wide.encoded, cv::IMREAD_UNCHANGED);
  EXPECT_EQ(w.size(), cv::Size(100, 75));
  EXPECT_EQ(cv::Size(wide.width, wide.height), cv::Size(100, 75));
  EXPECT_TRUE(wide.image.empty());  // keep_image off

  ASSERT_EQ(tall.status, Status::Ok) << tall.error;
  EXPECT_EQ(sniff_format(tall.encoded), Format::Png);
  EXPECT_EQ(cv::imdecode(tall.encoded, cv::IMREAD_UNCHANGED).size(), cv::Size(50, 100));
  // The top-left corner of corner_image is red (BGR), and stays so through decode/resize/encode.
  const cv::Vec3b corner = cv::imdecode(tall.encoded, cv::IMREAD_COLOR).at<cv::Vec3b>(1, 1);
  EXPECT_GT(corner[2], 200);
  EXPECT_LT(corner[0], 60);
}

TEST(memory_batch, output_format_and_kept_image) {
  MemoryBatch batch(jpegs(1), thumbnail(64, Format::Webp), {.workers = 1, .encode = true, .keep_image = true});
  const MemoryResult r = batch.futures()[0].result(10s);
  ASSERT_EQ(r.status, Status::Ok) << r.error;
  EXPECT_EQ(sniff_format(r.encoded), Format::Webp);
  EXPECT_EQ(r.image.size(), cv::Size(64, 48));
  EXPECT_EQ(r.image.type(), CV_8UC3);

  MemoryBatch image_only(jpegs(1), thumbnail(32), {.workers = 1, .encode = false, .keep_image = true});
  const MemoryResult m = image_only.futures()[0].result(10s);
  EXPECT_TRUE(m.encoded.empty());
  EXPECT_EQ(m.image.size(), cv::Size(32, 24));
}

TEST(memory_batch, reads_files_and_reports_failures_as_results) {
  test::TempDir dir;
  std::vector<MemoryItem> items;
  items.push_back(MemoryItem::from_file(test::data_path("photo.jpg")));
  items.push_back(MemoryItem::from_file(dir / "missing.jpg"));
  items.push_back(MemoryItem::from_bytes({'n', 'o', 'p', 'e'}, "garbage"));
  MemoryBatch batch(std::move(items), thumbnail(64), {.workers = 2});
  ASSERT_TRUE(batch.wait(10s));
  const MemoryResult photo = batch.futures()[0].result();
  EXPECT_EQ(photo.status, Status::Ok) << photo.error;
  EXPECT_EQ(std::max(photo.width, photo.height), 64);
  EXPECT_EQ(photo.name, test::data_path("photo.jpg").string());
  const MemoryResult missing = batch.futures()[1].result();
  EXPECT_EQ(missing.status, Status::Failed);
  EXPECT_NE(missing.error.find("cannot read"), std::string::npos) << missing.error;
  const MemoryResult garbage = batch.futures()[2].result();
  EXPECT_EQ(garbage.status, Status::Failed);
  EXPECT_NE(garbage.error.find("not an image"), std::string::npos) << garbage.error;
  EXPECT_TRUE(garbage.encoded.empty());
}

TEST(memory_batch, results_arrive_as_they_complete) {
  // Item 0 is held in its Started event until this thread has seen a first completion, so item 1
  // completes first whatever the timing, and item 0 is still running when as_completed() starts.
  std::promise<void> first_seen;
  std::shared_future<void> release = first_seen.get_future().share();
  auto on_progress = [release](const ProgressEvent& e) {
    if (e.index == 0 && e.event == ItemEvent::Started) release.wait_for(10s);
  };
  MemoryBatch batch(jpegs(2), thumbnail(64), {.workers = 2}, {}, on_progress);
  std::vector<std::size_t> order;
  for (const auto& f : batch.as_completed(20s)) {
    order.push_back(f.result().index);
    if (order.size() == 1) first_seen.set_value();
  }
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 0}));
}

class memory_batch_workers : public ::testing::TestWithParam<int> {};

TEST_P(memory_batch_workers, progress_counts_and_events) {
  std::vector<MemoryItem> items = jpegs(5);
  items[3] = MemoryItem::from_bytes({0xff, 0xd8, 0xff, 0x00}, "corrupt");
  EventLog log;
  MemoryBatch batch(std::move(items), thumbnail(48), {.workers = GetParam()}, {},
                    [&](const ProgressEvent& e) { log.add(e); });
  ASSERT_TRUE(batch.wait(20s));
  EXPECT_TRUE(batch.done());

  const BatchProgress p = batch.progress();
  EXPECT_EQ(p.total, 5u);
  EXPECT_EQ(p.started, 5u);
  EXPECT_EQ(p.succeeded, 4u);
  EXPECT_EQ(p.failed, 1u);
  EXPECT_EQ(p.cancelled, 0u);
  EXPECT_EQ(p.done(), 5u);

  const std::vector<ItemEvent> ok{ItemEvent::Started, ItemEvent::Decoded, ItemEvent::Processed, ItemEvent::Succeeded};
  auto per_item = log.per_item();
  for (std::size_t i : {0u, 1u, 2u, 4u}) EXPECT_EQ(per_item[i], ok) << "item " << i;
  EXPECT_EQ(per_item[3], (std::vector<ItemEvent>{ItemEvent::Started, ItemEvent::Failed}));

  // poll() drains the same events in the same per-item order, once.
  std::map<std::size_t, std::vector<ItemEvent>> polled;
  std::size_t last_done = 0;
  for (const auto& e : batch.poll()) {
    polled[e.index].push_back(e.event);
    EXPECT_GE(e.progress.done(), last_done);  // counts never go back (events are queued in order)
    last_done = e.progress.done();
  }
  EXPECT_EQ(polled, per_item);
  EXPECT_EQ(last_done, 5u);
  EXPECT_TRUE(batch.poll().empty());
  EXPECT_EQ(batch.callback_error(), nullptr);
}

INSTANTIATE_TEST_SUITE_P(workers, memory_batch_workers, ::testing::Values(1, 2, 4));

TEST(memory_batch, stop_from_a_result_cancels_the_pending_items) {
  // One worker, held in item 0's Started event until every item is submitted: when item 0's Succeeded
  // event runs, every other item is pending.
  std::stop_source stop;
  EventLog log;
  std::promise<void> submitted;
  std::shared_future<void> all_submitted = submitted.get_future().share();
  auto on_progress = [&](const ProgressEvent& e) {
    log.add(e);
    if (e.event == ItemEvent::Started) all_submitted.wait_for(10s);
    if (e.event == ItemEvent::Succeeded) stop.request_stop();
  };
  MemoryBatch batch(jpegs(6), thumbnail(48), {.workers = 1}, stop.get_token(), on_progress);
  submitted.set_value();
  ASSERT_TRUE(batch.wait(20s));
  EXPECT_TRUE(batch.stop_requested());

  const BatchProgress p = batch.progress();
  EXPECT_EQ(p.succeeded, 1u);
  EXPECT_EQ(p.started, 1u);
  EXPECT_EQ(p.cancelled, 5u);
  EXPECT_EQ(batch.futures()[0].result().status, Status::Ok);
  for (std::size_t i = 1; i < 6; ++i) {
    EXPECT_TRUE(batch.futures()[i].cancelled()) << i;
    EXPECT_THROW(batch.futures()[i].result(), pool::CancelledError);
    EXPECT_EQ(log.per_item()[i], std::vector<ItemEvent>{ItemEvent::Cancelled}) << i;
  }
}

TEST(memory_batch, stop_between_stages_stops_the_running_item) {
  // The stop comes while item 0 is running, right after its decode: its pipeline never runs.
  std::stop_source stop;
  EventLog log;
  std::promise<void> submitted;
  std::shared_future<void> all_submitted = submitted.get_future().share();
  auto on_progress = [&](const ProgressEvent& e) {
    log.add(e);
    if (e.event == ItemEvent::Started) all_submitted.wait_for(10s);
    if (e.index == 0 && e.event == ItemEvent::Decoded) stop.request_stop();
  };
  MemoryBatch batch(jpegs(3), thumbnail(48), {.workers = 1}, stop.get_token(), on_progress);
  submitted.set_value();
  ASSERT_TRUE(batch.wait(20s));

  EXPECT_EQ(log.per_item()[0], (std::vector<ItemEvent>{ItemEvent::Started, ItemEvent::Decoded, ItemEvent::Cancelled}));
  EXPECT_FALSE(batch.futures()[0].cancelled());  // it had started: it is not Future-cancelled, it raised
  EXPECT_THROW(batch.futures()[0].result(), pool::CancelledError);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_TRUE(batch.futures()[i].cancelled()) << i;
    EXPECT_EQ(log.per_item()[i], std::vector<ItemEvent>{ItemEvent::Cancelled}) << i;
  }
  const BatchProgress p = batch.progress();
  EXPECT_EQ(p.started, 1u);
  EXPECT_EQ(p.succeeded, 0u);
  EXPECT_EQ(p.cancelled, 3u);
}

TEST(memory_batch, a_stopped_token_cancels_everything) {
  std::stop_source stop;
  stop.request_stop();
  MemoryBatch batch(jpegs(4), thumbnail(48), {.workers = 2}, stop.get_token());
  ASSERT_TRUE(batch.wait(10s));
  EXPECT_EQ(batch.progress().cancelled, 4u);
  for (const auto& f : batch.futures()) EXPECT_THROW(f.result(), pool::CancelledError);
}

TEST(memory_batch, destructor_cancels_and_leaves_futures_valid) {
  std::vector<pool::Future<MemoryResult>> futures;
  {
    MemoryBatch batch(jpegs(20, 1200, 900), thumbnail(48), {.workers = 1});
    futures = batch.futures();
  }
  std::size_t finished = 0, cancelled = 0;
  for (const auto& f : futures) {
    ASSERT_TRUE(f.done());
    if (f.cancelled()) {
      ++cancelled;
    } else if (f.exception() == nullptr) {
      ++finished;
    }
  }
  EXPECT_GT(cancelled, 0u);  // 20 large decodes cannot all finish before the destructor runs
  EXPECT_LT(finished, 20u);
}

TEST(memory_batch, callback_errors_are_kept_not_thrown) {
  MemoryBatch batch(jpegs(2), thumbnail(48), {.workers = 1}, {},
                    [](const ProgressEvent&) { throw std::runtime_error("ui went away"); });
  ASSERT_TRUE(batch.wait(10s));
  EXPECT_EQ(batch.progress().succeeded, 2u);
  ASSERT_NE(batch.callback_error(), nullptr);
  EXPECT_THROW(std::rethrow_exception(batch.callback_error()), std::runtime_error);
}

TEST(memory_batch, refuses_bad_options_up_front) {
  JobOptions options = thumbnail(48);
  options.encode.quality = 0;
  EXPECT_THROW(MemoryBatch(jpegs(1), options), UsageError);
}

TEST(memory_batch, process_to_image_runs_decode_and_pipeline) {
  const auto bytes = test::encoded(test::corner_image(400, 200), ".png");
  const cv::Mat out = process_to_image(bytes, thumbnail(100), nullptr);
  EXPECT_EQ(out.size(), cv::Size(100, 50));
  EXPECT_THROW(process_to_image(std::vector<std::uint8_t>{1, 2, 3}, thumbnail(100), nullptr), ImageError);
}

}  // namespace
}  // namespace imgpool::core
