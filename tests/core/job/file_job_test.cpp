#include <imgpool/core/error.hpp>
#include <imgpool/core/job/file_job.hpp>
#include <imgpool/core/ops/models.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "job/atomic_write.hpp"
#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;

JobOptions thumbnail_options(ExistingOutput existing = ExistingOutput::Fail) {
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=64"});
  options.existing = existing;
  return options;
}

// A folder holding in.jpg (photo.jpg).
class file_job : public ::testing::Test {
 protected:
  void SetUp() override { fs::copy_file(test::data_path("photo.jpg"), input); }
  test::TempDir dir;
  fs::path input = dir / "in.jpg";
};

TEST_F(file_job, writes_output_with_result_details) {
  const FileResult r = run_file_job(input, dir / "out/sub/thumb.jpg", thumbnail_options(), nullptr);
  ASSERT_EQ(r.status, Status::Ok) << r.error;
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.width, 64);
  EXPECT_EQ(r.height, 43);
  EXPECT_EQ(r.input, input);
  EXPECT_EQ(r.output, dir / "out/sub/thumb.jpg");
  EXPECT_EQ(r.input_pixels, 200u * 134u);  // decoded at 1/8 scale
  EXPECT_GT(r.ms, 0);
  EXPECT_GE(r.ms, r.stages.read_ms + r.stages.decode_ms + r.stages.process_ms + r.stages.encode_ms);
  const cv::Mat written = cv::imread((dir / "out/sub/thumb.jpg").string());
  EXPECT_EQ(written.size(), cv::Size(64, 43));
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"in.jpg", "out/sub/thumb.jpg"}));
}

TEST_F(file_job, format_follows_options_then_output_extension) {
  JobOptions options = thumbnail_options();
  ASSERT_EQ(run_file_job(input, dir / "a.png", options, nullptr).status, Status::Ok);
  EXPECT_EQ(sniff_format(test::read_bytes(dir / "a.png")), Format::Png);
  options.encode.format = Format::Webp;
  ASSERT_EQ(run_file_job(input, dir / "b.jpg", options, nullptr).status, Status::Ok);
  EXPECT_EQ(sniff_format(test::read_bytes(dir / "b.jpg")), Format::Webp);
  options.encode.format = Format::Same;  // unknown extension: the input's format
  ASSERT_EQ(run_file_job(input, dir / "c.out", options, nullptr).status, Status::Ok);
  EXPECT_EQ(sniff_format(test::read_bytes(dir / "c.out")), Format::Jpeg);
}

TEST_F(file_job, grayscale_output_is_one_channel) {
  JobOptions options = thumbnail_options();
  options.pipeline = Pipeline::parse({"grayscale", "thumbnail=64"});
  ASSERT_EQ(run_file_job(input, dir / "g.png", options, nullptr).status, Status::Ok);
  EXPECT_EQ(cv::imread((dir / "g.png").string(), cv::IMREAD_UNCHANGED).channels(), 1);
}

TEST_F(file_job, missing_input_fails_with_reason) {
  const FileResult r = run_file_job(dir / "nope.jpg", dir / "o.jpg", thumbnail_options(), nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error, "cannot read: No such file or directory");
  EXPECT_FALSE(fs::exists(dir / "o.jpg"));
}

TEST_F(file_job, corrupt_and_non_images_fail_with_reasons) {
  auto bytes = test::read_bytes(input);
  bytes.resize(bytes.size() / 2);
  test::write_bytes(dir / "cut.jpg", bytes);
  FileResult r = run_file_job(dir / "cut.jpg", dir / "o1.jpg", thumbnail_options(), nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error.rfind("corrupt JPEG: ", 0), 0u) << r.error;
  test::write_bytes(dir / "text.jpg", {'h', 'e', 'l', 'l', 'o', '\n'});
  r = run_file_job(dir / "text.jpg", dir / "o2.jpg", thumbnail_options(), nullptr);
  EXPECT_EQ(r.error, "not an image (unrecognised data)");
  r = run_file_job(dir.path(), dir / "o3.jpg", thumbnail_options(), nullptr);
  EXPECT_EQ(r.error, "cannot read: Is a directory");
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"cut.jpg", "in.jpg", "text.jpg"}));
}

TEST_F(file_job, never_overwrites_the_input) {
  const auto before = test::read_bytes(input);
  for (ExistingOutput policy : {ExistingOutput::Fail, ExistingOutput::Overwrite, ExistingOutput::Skip}) {
    const FileResult r = run_file_job(input, dir.path() / "." / "in.jpg", thumbnail_options(policy), nullptr);
    EXPECT_EQ(r.status, Status::Failed);
    EXPECT_EQ(r.error, "output would overwrite an input file (choose another output folder)");
  }
  fs::create_symlink(input, dir / "link.jpg");
  EXPECT_EQ(run_file_job(dir / "link.jpg", input, thumbnail_options(ExistingOutput::Overwrite), nullptr).error,
            "output would overwrite an input file (choose another output folder)");
  EXPECT_EQ(test::read_bytes(input), before);
}

TEST_F(file_job, existing_output_fail_policy) {
  test::write_bytes(dir / "o.jpg", {'o', 'l', 'd'});
  const FileResult r = run_file_job(input, dir / "o.jpg", thumbnail_options(ExistingOutput::Fail), nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error, "output exists (set existing to ExistingOutput::Overwrite or ExistingOutput::Skip)");
  EXPECT_EQ(test::read_bytes(dir / "o.jpg"), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
}

TEST_F(file_job, existing_output_overwrite_policy) {
  test::write_bytes(dir / "o.jpg", {'o', 'l', 'd'});
  const FileResult r = run_file_job(input, dir / "o.jpg", thumbnail_options(ExistingOutput::Overwrite), nullptr);
  ASSERT_EQ(r.status, Status::Ok) << r.error;
  EXPECT_EQ(cv::imread((dir / "o.jpg").string()).cols, 64);
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"in.jpg", "o.jpg"}));
}

TEST_F(file_job, existing_output_skip_policy_compares_times) {
  test::write_bytes(dir / "o.jpg", {'o', 'l', 'd'});
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(input, now - std::chrono::hours(1));
  fs::last_write_time(dir / "o.jpg", now);
  FileResult r = run_file_job(input, dir / "o.jpg", thumbnail_options(ExistingOutput::Skip), nullptr);
  EXPECT_EQ(r.status, Status::Skipped);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(fs::file_size(dir / "o.jpg"), 3u);
  // an output older than its input is redone
  fs::last_write_time(dir / "o.jpg", now - std::chrono::hours(2));
  r = run_file_job(input, dir / "o.jpg", thumbnail_options(ExistingOutput::Skip), nullptr);
  EXPECT_EQ(r.status, Status::Ok) << r.error;
  EXPECT_GT(fs::file_size(dir / "o.jpg"), 3u);
}

TEST_F(file_job, write_error_leaves_no_temporary_file) {
  // A file-size limit makes write() fail with EFBIG half-way (works as root, unlike a read-only folder).
  struct rlimit old_limit {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  struct sigaction ignore {}, old_action {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &ignore, &old_action);
  struct rlimit small = old_limit;
  small.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const FileResult r = run_file_job(input, dir / "out" / "o.png", thumbnail_options(), nullptr);
  setrlimit(RLIMIT_FSIZE, &old_limit);
  sigaction(SIGXFSZ, &old_action, nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error, "cannot write: File too large");
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"in.jpg"}));
}

TEST_F(file_job, read_only_folder_fails_cleanly) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders; the EFBIG test covers cleanup";
  fs::create_directory(dir / "ro");
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  const FileResult r = run_file_job(input, dir / "ro" / "o.jpg", thumbnail_options(), nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.error, "cannot write: Permission denied");
  fs::permissions(dir / "ro", fs::perms::owner_all);
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"in.jpg"}));
}

TEST_F(file_job, unwritable_parent_fails_with_reason) {
  test::write_bytes(dir / "file", {'x'});
  const FileResult r = run_file_job(input, dir / "file" / "o.jpg", thumbnail_options(), nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_NE(r.error.find("cannot create folder"), std::string::npos) << r.error;
}

TEST_F(file_job, smart_crop_without_models_is_a_failed_result) {
  JobOptions options = thumbnail_options();
  options.pipeline = Pipeline::parse({"thumbnail=64,crop=smart"});
  const FileResult r = run_file_job(input, dir / "o.jpg", options, nullptr);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_NE(r.error.find("face model"), std::string::npos) << r.error;
  const auto models = WorkerModels::load(options.pipeline, IMGPOOL_TEST_CASCADE);
  EXPECT_EQ(run_file_job(input, dir / "o.jpg", options, &models).status, Status::Ok);
}

TEST(atomic_write, never_clobbers_a_file_that_appeared_meanwhile) {
  test::TempDir dir;
  test::write_bytes(dir / "x", {'1'});
  const std::vector<std::uint8_t> two = {'2'};
  EXPECT_EQ(detail::write_atomically(dir / "x", two, detail::Replace::Never), detail::WriteOutcome::Exists);
  EXPECT_EQ(test::read_bytes(dir / "x"), std::vector<std::uint8_t>{'1'});
  EXPECT_EQ(detail::write_atomically(dir / "x", two, detail::Replace::Always), detail::WriteOutcome::Written);
  EXPECT_EQ(test::read_bytes(dir / "x"), two);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"x"});
}

TEST(atomic_write, concurrent_writers_one_wins) {
  test::TempDir dir;
  std::atomic<int> written{0}, exists{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const std::vector<std::uint8_t> bytes(1000, static_cast<std::uint8_t>(t));
      const auto outcome = detail::write_atomically(dir / "same", bytes, detail::Replace::Never);
      (outcome == detail::WriteOutcome::Written ? written : exists)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(written.load(), 1);
  EXPECT_EQ(exists.load(), 7);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"same"});
}

// A process that dies while writing (a second Ctrl-C, SIGKILL, a crash) must leave no file behind, not even
// a temporary one: the file is written unnamed and only linked into place when complete.
TEST(atomic_write, a_process_that_dies_while_writing_leaves_nothing) {
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer cannot start a thread in a child forked from a threaded process (the death test's
  // fork); gtest's re-executing "threadsafe" style would give the child its own temporary folder. The
  // test runs in the normal and ASan builds.
  GTEST_SKIP() << "ThreadSanitizer: no threads after a multi-threaded fork";
#endif
  test::TempDir dir;
  std::filesystem::create_directories(dir / "old");
  test::write_bytes(dir / "old/x.bin", {'1'});
  const std::vector<std::uint8_t> big(std::size_t{512} << 20, 0x5A);  // ~0.1 s or more to write
  for (const auto replace : {detail::Replace::Never, detail::Replace::Always}) {
    const std::string name = replace == detail::Replace::Never ? "new.bin" : "old/x.bin";
    EXPECT_EXIT(
        {
          std::thread([] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            std::_Exit(9);  // no destructor, no cleanup: as if killed
          }).detach();
          detail::write_atomically(dir / name, big, replace);
          std::_Exit(0);
        },
        testing::ExitedWithCode(9), "");
  }
  EXPECT_EQ(dir.files(), std::vector<std::string>{"old/x.bin"});
  EXPECT_EQ(test::read_bytes(dir / "old/x.bin"), std::vector<std::uint8_t>{'1'});
}

// The rerun of a file whose worker died removes exactly that output's temporaries: the names
// atomic_write gives them, not other hidden files, nor another output's.
TEST(atomic_write, removes_only_the_temporaries_of_one_output) {
  test::TempDir dir;
  const std::string a1 = detail::temporary_name_for("a.jpg"), a2 = detail::temporary_name_for("a.jpg");
  const std::string b = detail::temporary_name_for("b.jpg");
  const std::string kept_a = a1 + ".keep", short_a = a1.substr(0, a1.size() - 1);
  for (const std::string& name : {a1, a2, b, kept_a, short_a, std::string(".a.jpg.tmp"), std::string("a.jpg")}) {
    test::write_bytes(dir / name, {'x'});
  }
  detail::remove_temporaries_of(dir / "a.jpg");
  std::vector<std::string> left{b, kept_a, short_a, ".a.jpg.tmp", "a.jpg"};
  std::sort(left.begin(), left.end());
  EXPECT_EQ(dir.files(), left);
}

// Options are checked before any file is touched: one start-up error instead of one per file.
TEST(check_job, refuses_bad_quality_before_work) {
  JobOptions options = thumbnail_options();
  EXPECT_NO_THROW(check_job(options));
  options.encode.quality = 0;
  EXPECT_THROW(check_job(options), UsageError);
  options.encode.quality = 101;
  EXPECT_THROW(check_job(options), UsageError);
  options.encode.quality = 85;
  options.pipeline = Pipeline::parse({"thumbnail=64,crop=smart"});
  EXPECT_NO_THROW(check_job(options));  // the face model is installed (opencv-data)
}

// One way to read an input, with the OS's reason when it cannot be read.
TEST(read_input_file, reads_everything_or_says_why) {
  test::TempDir dir;
  test::write_bytes(dir / "x.bin", {1, 2, 3});
  EXPECT_EQ(read_input_file(dir / "x.bin"), (std::vector<std::uint8_t>{1, 2, 3}));
  try {
    (void)read_input_file(dir / "missing.bin");
    FAIL() << "no exception";
  } catch (const ImageError& e) {
    EXPECT_STREQ(e.what(), "cannot read: No such file or directory");
  }
  EXPECT_THROW((void)read_input_file(dir.path()), ImageError);
}

std::string read_error(const std::filesystem::path& path, std::uint64_t max_bytes = kDefaultMaxFileSize) {
  try {
    (void)read_input_file(path, max_bytes);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

// An input swapped for a FIFO after the scan must fail at once, not wait for a writer that never comes
// (a blocking open or read would hang the worker forever); devices and sockets likewise.
TEST(read_input_file, refuses_what_is_not_a_regular_file_without_waiting) {
  test::TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo.jpg").c_str(), 0600), 0);
  std::string why;
  std::atomic<bool> finished{false};
  std::thread reader([&] {
    why = read_error(dir / "fifo.jpg");
    finished = true;
  });
  // If the open blocked, this test would hang: a watchdog opens the FIFO for writing after 5 s to
  // free the reader, and the assertion below then fails on the reason.
  bool done = false;
  for (int i = 0; i < 500 && !done; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    done = finished;
  }
  if (!done) {
    const int fd = ::open((dir / "fifo.jpg").c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  reader.join();
  EXPECT_TRUE(done) << "reading a FIFO blocked";
  EXPECT_EQ(why, "cannot read: not a regular file (a FIFO)");
  EXPECT_EQ(read_error("/dev/null"), "cannot read: not a regular file (a character device)");
}

// The size is checked from fstat before the buffer is allocated: a sparse 3 GB file costs nothing.
TEST(read_input_file, refuses_a_file_above_max_file_size_before_reading) {
  test::TempDir dir;
  const auto path = dir / "sparse.png";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, off_t{3} << 30), 0);
  ::close(fd);
  EXPECT_EQ(read_error(path), "cannot read: the file is 3221225472 bytes, above max_file_size 2147483648");
  test::write_bytes(dir / "small.bin", std::vector<std::uint8_t>(1000, 7));
  EXPECT_EQ(read_error(dir / "small.bin", 999), "cannot read: the file is 1000 bytes, above max_file_size 999");
  EXPECT_EQ(read_error(dir / "small.bin", 1000), "");  // inclusive
  EXPECT_EQ(read_error(dir / "small.bin", 0), "");     // 0: no limit
}

TEST(process_encoded, runs_in_memory) {
  const auto jpeg = test::read_bytes(test::data_path("photo.jpg"));
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=100,crop=centre"});
  const auto same = process_encoded(jpeg, options, nullptr);
  EXPECT_EQ(sniff_format(same), Format::Jpeg);
  EXPECT_EQ(cv::imdecode(same, cv::IMREAD_COLOR).size(), cv::Size(100, 100));
  options.encode.format = Format::Png;
  EXPECT_EQ(sniff_format(process_encoded(jpeg, options, nullptr)), Format::Png);
  const std::vector<std::uint8_t> junk = {1, 2, 3};
  EXPECT_THROW(process_encoded(junk, options, nullptr), ImageError);
}

}  // namespace
}  // namespace imgpool::core
