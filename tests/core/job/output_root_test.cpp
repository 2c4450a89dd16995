// Writing below an output root: links below it are refused, never followed (through openat2 and
// through the per-component walk it falls back to), even when a folder is swapped for one while
// writing; no input is replaced at link time; the temporary name fits whatever the output's length.

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <imgpool/core/error.hpp>

#include "job/atomic_write.hpp"
#include "job/file_identity.hpp"
#include "test_images.hpp"

namespace imgpool::core {
namespace {

namespace fs = std::filesystem;
using detail::InputIds;
using detail::OutputRoot;
using detail::Replace;
using detail::ResolveMode;
using detail::WriteOutcome;

const std::vector<std::uint8_t> kBytes = {'n', 'e', 'w'};

std::string failure_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

// Each test runs with openat2 (Auto) and with the O_NOFOLLOW walk it falls back to without it (Walk).
class output_root : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override { detail::set_resolve_mode(GetParam()); }
  void TearDown() override { detail::set_resolve_mode(ResolveMode::Auto); }
};

INSTANTIATE_TEST_SUITE_P(modes, output_root, ::testing::Values(ResolveMode::Auto, ResolveMode::Walk),
                         [](const ::testing::TestParamInfo<ResolveMode>& p) { return p.param == ResolveMode::Auto ? "openat2" : "walk"; });

TEST_P(output_root, a_link_below_the_root_is_refused_at_any_depth) {
  test::TempDir dir;
  fs::create_directories(dir / "out" / "real");
  fs::create_directories(dir / "victim");
  test::write_bytes(dir / "victim" / "a.jpg", {'v'});
  fs::create_directory_symlink(dir / "victim", dir / "out" / "sub");
  fs::create_directory_symlink(dir / "victim", dir / "out" / "real" / "deep");
  const OutputRoot root(dir / "out");
  for (const Replace replace : {Replace::Never, Replace::Always}) {
    EXPECT_EQ(failure_of([&] { detail::write_atomically(root, dir / "out" / "sub" / "a.jpg", kBytes, replace, {}); }),
              "cannot write: sub is a symbolic link (links below the output folder are never followed)");
    EXPECT_EQ(failure_of([&] { detail::write_atomically(root, dir / "out" / "real" / "deep" / "new" / "b.jpg", kBytes, replace, {}); }),
              "cannot write: real/deep is a symbolic link (links below the output folder are never followed)");
  }
  EXPECT_NE(failure_of([&] { detail::stat_output(root, dir / "out" / "sub" / "a.jpg"); }), "");
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"victim/a.jpg"}));
  EXPECT_EQ(test::read_bytes(dir / "victim" / "a.jpg"), std::vector<std::uint8_t>{'v'});
  // A real folder below the root is written into, created when missing.
  EXPECT_EQ(detail::write_atomically(root, dir / "out" / "real" / "x" / "y.jpg", kBytes, Replace::Never, {}), WriteOutcome::Written);
  EXPECT_EQ(test::read_bytes(dir / "out" / "real" / "x" / "y.jpg"), kBytes);
}

TEST_P(output_root, the_root_itself_may_be_a_link) {
  test::TempDir dir;
  fs::create_directories(dir / "target");
  fs::create_directory_symlink(dir / "target", dir / "out");
  const OutputRoot root(dir / "out");
  EXPECT_EQ(detail::write_atomically(root, dir / "out" / "sub" / "a.jpg", kBytes, Replace::Always, {}), WriteOutcome::Written);
  EXPECT_EQ(test::read_bytes(dir / "target" / "sub" / "a.jpg"), kBytes);
}

TEST_P(output_root, outputs_outside_the_root_are_refused) {
  test::TempDir dir;
  fs::create_directories(dir / "out");
  const OutputRoot root(dir / "out");
  EXPECT_NE(failure_of([&] { detail::write_atomically(root, dir / "out" / ".." / "x.jpg", kBytes, Replace::Never, {}); })
                .find("is not below the output folder"),
            std::string::npos);
  EXPECT_NE(failure_of([&] { detail::write_atomically(root, dir / "elsewhere.jpg", kBytes, Replace::Never, {}); }), "");
  EXPECT_FALSE(fs::exists(dir / "x.jpg"));
  EXPECT_FALSE(fs::exists(dir / "elsewhere.jpg"));
}

// A folder swapped again and again between a real folder and a link to another folder while files are
// written into it: every write lands in the real folder or is refused; the other folder never changes.
TEST_P(output_root, a_folder_swapped_for_a_link_mid_write_never_redirects_it) {
  test::TempDir dir;
  fs::create_directories(dir / "out" / "sub");
  fs::create_directories(dir / "victim");
  for (int i = 0; i < 20; ++i) test::write_bytes(dir / "victim" / (std::to_string(i) + ".jpg"), {'v'});
  fs::create_directory_symlink(dir / "victim", dir / "out" / "sub-link");
  const OutputRoot root(dir / "out");
  std::atomic<bool> done{false};
  std::atomic<long> swaps{0};
  std::thread swapper([&] {
    const std::string a = (dir / "out" / "sub").string(), b = (dir / "out" / "sub-link").string();
    while (!done.load()) {
      if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) ++swaps;
    }
  });
  int written = 0, refused = 0;
  for (int k = 0; k < 2000; ++k) {
    const fs::path out = dir / "out" / "sub" / (std::to_string(k % 20) + ".jpg");
    const std::string why = failure_of([&] {
      detail::write_atomically(root, out, kBytes, k % 2 ? Replace::Always : Replace::Never, {});
      ++written;
    });
    if (!why.empty()) {
      EXPECT_EQ(why, "cannot write: sub is a symbolic link (links below the output folder are never followed)");
      ++refused;
    }
  }
  done = true;
  swapper.join();
  EXPECT_GT(swaps.load(), 0);
  EXPECT_GT(written, 0);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(test::read_bytes(dir / "victim" / (std::to_string(i) + ".jpg")), std::vector<std::uint8_t>{'v'}) << i;
  }
  EXPECT_EQ(fs::directory_iterator(dir / "victim") == fs::directory_iterator(), false);
  std::size_t in_victim = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "victim")) ++in_victim;
  EXPECT_EQ(in_victim, 20u);  // nothing new there, no temporary either
}

// An input inside the output tree (or moved there during the run) is never replaced, even with
// Replace::Always: the check is made at link time, against the batch's input set.
TEST_P(output_root, an_input_is_never_replaced_at_link_time) {
  test::TempDir dir;
  fs::create_directories(dir / "out" / "sub");
  test::write_bytes(dir / "out" / "sub" / "in.jpg", {'i'});
  test::write_bytes(dir / "out" / "sub" / "other.jpg", {'o'});
  const InputIds inputs({*detail::file_id(dir / "out" / "sub" / "in.jpg")});
  const OutputRoot root(dir / "out");
  EXPECT_EQ(failure_of([&] { detail::write_atomically(root, dir / "out" / "sub" / "in.jpg", kBytes, Replace::Always, inputs); }),
            detail::kOverwritesInput);
  EXPECT_EQ(test::read_bytes(dir / "out" / "sub" / "in.jpg"), std::vector<std::uint8_t>{'i'});
  EXPECT_EQ(detail::write_atomically(root, dir / "out" / "sub" / "other.jpg", kBytes, Replace::Always, inputs),
            WriteOutcome::Written);
  EXPECT_EQ(test::read_bytes(dir / "out" / "sub" / "other.jpg"), kBytes);
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"out/sub/in.jpg", "out/sub/other.jpg"}));  // no temporary left
}

// The temporary name is 32 bytes whatever the output's: a 255-byte name, the longest a folder takes,
// can be written and replaced.
TEST_P(output_root, the_longest_legal_name_can_be_replaced) {
  test::TempDir dir;
  fs::create_directories(dir / "out");
  const OutputRoot root(dir / "out");
  const std::string name(255, 'n');
  EXPECT_EQ(detail::write_atomically(root, dir / "out" / name, std::vector<std::uint8_t>{'1'}, Replace::Never, {}), WriteOutcome::Written);
  EXPECT_EQ(detail::write_atomically(root, dir / "out" / name, kBytes, Replace::Always, {}), WriteOutcome::Written);
  EXPECT_EQ(test::read_bytes(dir / "out" / name), kBytes);
  EXPECT_EQ(detail::temporary_name_for(name).size(), 32u);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"out/" + name});
}

TEST(output_root_identity, a_root_swapped_since_the_start_is_refused) {
  test::TempDir dir;
  fs::create_directories(dir / "out");
  fs::create_directories(dir / "other");
  const OutputRoot first(dir / "out");
  EXPECT_EQ(OutputRoot(dir / "out", first.id()).id(), first.id());
  fs::rename(dir / "out", dir / "old");
  fs::create_directory_symlink(dir / "other", dir / "out");
  EXPECT_NE(failure_of([&] { OutputRoot(dir / "out", first.id()); }).find("is not the one the batch started with"),
            std::string::npos);
}

}  // namespace
}  // namespace imgpool::core
