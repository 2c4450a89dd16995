// Write errors at the command line: a full disk (ENOSPC), a file size limit (EFBIG) and a folder the
// user may not write (EACCES). Each fails the items it hits with the OS's reason, the others still get
// their outputs, and no partial or temporary file is left.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using imgpool::test::list_files;
using imgpool::test::ScratchDir;

namespace {

const fs::path kSamples = IMGPOOL_SAMPLES;

// runs `command` with /bin/bash; returns its exit code
int bash(const std::string& command) {
  // fmt rather than operator+: GCC 12 raises a false -Wrestrict on "literal" + std::string (PR 105329)
  const int status = std::system(fmt::format("/bin/bash -c '{}'", command).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str());
}

// the imgpool command line thumbnailing `in` into `out`, its JSON summary going to `json`
std::string thumbnail_command(const fs::path& in, const fs::path& out, const fs::path& json,
                              const std::string& backend) {
  return std::string(IMGPOOL_BIN) + " thumbnail " + in.string() + " -o " + out.string() +
         " --size 512 --format png --json --backend " + backend + " > " + json.string() + " 2>/dev/null";
}

// every file in `out` is a complete image, and there is nothing else
void expect_only_complete_outputs(const fs::path& out) {
  for (const auto& f : list_files(out)) {
    EXPECT_TRUE(f.ends_with(".png")) << "leftover file " << f;
    EXPECT_FALSE(cv::imread((out / f).string(), cv::IMREAD_UNCHANGED).empty()) << "partial output " << f;
  }
}

int failures_with(const nlohmann::json& summary, const std::string& reason) {
  int n = 0;
  for (const auto& f : summary["failures"]) n += f["error"].get<std::string>().find(reason) != std::string::npos;
  return n;
}

TEST(write_errors, full_disk_fails_the_items_it_hits_and_leaves_no_partial_file) {
  for (const std::string backend : {"thread", "process"}) {
    ScratchDir dir;
    fs::create_directories(dir / "out");
    // 21 samples as 512-pixel PNGs need well over 256 KiB
    if (bash("mount -t tmpfs -o size=256k tmpfs " + (dir / "out").string() + " 2>/dev/null") != 0) {
      GTEST_SKIP() << "cannot mount a small tmpfs here (needs root)";
    }
    const int code = bash(thumbnail_command(kSamples, dir / "out", dir / "summary.json", backend));
    expect_only_complete_outputs(dir / "out");
    bash("umount " + (dir / "out").string());
    EXPECT_EQ(code, 1) << backend;
    const auto summary = read_json(dir / "summary.json");
    EXPECT_GT(summary["processed"].get<int>(), 0) << backend;
    EXPECT_GT(failures_with(summary, "No space left on device"), 0) << summary.dump();
    EXPECT_EQ(summary["failed"].get<int>(), failures_with(summary, "No space left on device")) << summary.dump();
  }
}

TEST(write_errors, file_size_limit_fails_big_outputs_with_efbig) {
  for (const std::string backend : {"thread", "process"}) {
    ScratchDir dir;
    // SIGXFSZ ignored, so that writing past the limit is the error EFBIG, not death; 64 KiB per file
    const int code = bash("trap \"\" XFSZ; ulimit -f 64; exec " +
                          thumbnail_command(kSamples, dir / "out", dir / "summary.json", backend));
    EXPECT_EQ(code, 1) << backend;
    const auto summary = read_json(dir / "summary.json");
    EXPECT_GT(summary["processed"].get<int>(), 0) << backend;
    EXPECT_GT(failures_with(summary, "File too large"), 0) << summary.dump();
    EXPECT_EQ(summary["failed"].get<int>(), failures_with(summary, "File too large")) << summary.dump();
    expect_only_complete_outputs(dir / "out");
    for (const auto& f : list_files(dir / "out")) EXPECT_LE(fs::file_size(dir / "out" / f), 64u * 1024) << f;
  }
}

// An output folder the user cannot write in is an error before any work (exit 2, issue 17); a folder
// below it that cannot be written fails each item that goes there, with the OS's reason.
TEST(write_errors, unwritable_folder_fails_every_item_with_permission_denied) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root, to run the command as another user";
  ScratchDir dir;
  // everything readable by `nobody`, the output folder not writable by it
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::create_directories(dir / "out");
  fs::permissions(dir / "out", fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  EXPECT_EQ(bash(as_nobody + thumbnail_command(kSamples, dir / "out", dir / "summary.json", "thread")), 2);
  EXPECT_TRUE(list_files(dir / "out").empty());

  // writable for nobody, but not its sub-folder "sub", where the inputs under in/sub go
  fs::create_directories(dir / "in" / "sub");
  for (const char* name : {"a.jpg", "sub/b.jpg", "sub/c.jpg"}) fs::copy_file(kSamples / "tiny-01.jpg", dir / "in" / name);
  fs::create_directories(dir / "out2" / "sub");
  fs::permissions(dir / "out2", fs::perms::all);
  fs::permissions(dir / "out2" / "sub", fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  const int code = bash(as_nobody + thumbnail_command(dir / "in", dir / "out2", dir / "summary2.json", "thread") + " -r");
  EXPECT_EQ(code, 1);
  const auto summary = read_json(dir / "summary2.json");
  EXPECT_EQ(summary["processed"].get<int>(), 1);
  EXPECT_EQ(summary["failed"].get<int>(), 2);
  EXPECT_EQ(failures_with(summary, "Permission denied"), 2) << summary.dump();
  EXPECT_EQ(list_files(dir / "out2"), std::vector<std::string>{"a.png"});
}

}  // namespace
