// Sharding: the partition is stable and total, and one filter (ShardSpec::contains) decides it.

#include <imgpool/core/error.hpp>
#include <imgpool/core/batch/shard.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using imgpool::core::ShardSpec;
using imgpool::core::UsageError;

namespace {

std::vector<std::string> names(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("dir" + std::to_string(i % 7) + "/img" + std::to_string(i) + ".jpg");
  return out;
}

// a folder of empty image-named files in sub-folders, under `root`
void make_tree(const fs::path& root, const std::vector<std::string>& files) {
  for (const auto& f : files) {
    fs::create_directories((root / f).parent_path());
    std::ofstream(root / f) << "x";
  }
}

std::map<std::string, int> assignment(const imgpool::core::ScanResult& scan, int count) {
  std::map<std::string, int> out;
  for (int k = 0; k < count; ++k) {
    for (const auto& f : imgpool::core::select_shard(scan, {k, count}).files) {
      EXPECT_TRUE(out.emplace(f.relative.generic_string(), k).second) << f.relative << " in two shards";
    }
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "imgpool-shard-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

TEST(shard, key_is_pinned_so_versions_and_machines_agree) {
  // Golden values (FNV-1a 64 over the relative path without extension, then fmix64); the Python
  // one-liner in docs/scale-out.md gives the same. Changing them reshuffles every sharded archive.
  EXPECT_EQ(imgpool::core::shard_key("a.jpg"), 0x82a2a958a9bece5bULL);
  EXPECT_EQ(imgpool::core::shard_key("2024/a.jpg"), 0x85aa0913a71e5a0cULL);
  EXPECT_EQ(imgpool::core::shard_of("tiny-01.jpg", 4), 2);
  EXPECT_EQ(imgpool::core::shard_of("tiny-01.jpg", 7), 6);
}

TEST(shard, inputs_that_may_share_an_output_share_a_shard) {
  for (int n : {2, 3, 4, 16}) {
    for (const auto& name : names(200)) {
      fs::path other = name;
      other.replace_extension(".png");
      EXPECT_EQ(imgpool::core::shard_of(name, n), imgpool::core::shard_of(other, n)) << name;
    }
  }
}

TEST(shard, every_input_falls_in_exactly_one_shard_and_they_are_balanced) {
  imgpool::core::ScanResult scan;
  for (const auto& n : names(4000)) scan.files.push_back({fs::path("/root") / n, n, 1});
  for (int count : {1, 2, 4, 7}) {
    const auto where = assignment(scan, count);
    EXPECT_EQ(where.size(), scan.files.size());
    std::vector<int> sizes(static_cast<std::size_t>(count));
    for (const auto& [name, k] : where) ++sizes[static_cast<std::size_t>(k)];
    for (int s : sizes) {
      EXPECT_GT(s, 4000 / count * 85 / 100) << count;  // within 15% of an even split
      EXPECT_LT(s, 4000 / count * 115 / 100) << count;
    }
  }
}

TEST(shard, assignment_ignores_scan_order_and_absolute_root) {
  TempDir a, b;
  const auto files = names(300);
  make_tree(a.path() / "photos", files);
  make_tree(b.path() / "elsewhere" / "copy", files);
  const imgpool::core::ScanOptions recursive = [] {
    imgpool::core::ScanOptions o;
    o.recursive = true;
    return o;
  }();
  const auto scan_a = imgpool::core::scan_inputs({a.path() / "photos"}, recursive);
  auto scan_b = imgpool::core::scan_inputs({b.path() / "elsewhere" / "copy"}, recursive);
  ASSERT_EQ(scan_a.files.size(), files.size());
  std::shuffle(scan_b.files.begin(), scan_b.files.end(), std::mt19937(7));
  EXPECT_EQ(assignment(scan_a, 4), assignment(scan_b, 4));

  // the order within a shard follows the scan's: filtering never reorders
  const auto shard = imgpool::core::select_shard(scan_a, {1, 4});
  EXPECT_TRUE(std::is_sorted(shard.files.begin(), shard.files.end(),
                             [](const auto& x, const auto& y) { return x.path < y.path; }));
}

TEST(shard, each_problem_is_reported_by_one_shard) {
  imgpool::core::ScanResult scan;
  for (int i = 0; i < 50; ++i) scan.problems.push_back({"missing" + std::to_string(i), "no such file or folder"});
  std::size_t total = 0;
  for (int k = 0; k < 4; ++k) total += imgpool::core::select_shard(scan, {k, 4}).problems.size();
  EXPECT_EQ(total, scan.problems.size());
}

TEST(shard, contains_is_the_filter_select_shard_applies) {
  imgpool::core::ScanResult scan;
  for (const auto& n : names(500)) scan.files.push_back({fs::path("/root") / n, n, 1});
  for (int k = 0; k < 3; ++k) {
    const ShardSpec shard{k, 3};
    std::size_t contained = 0;
    for (const auto& f : scan.files) {
      EXPECT_EQ(shard.contains(f.relative), imgpool::core::shard_of(f.relative, 3) == k) << f.relative;
      if (shard.contains(f.relative)) ++contained;
    }
    EXPECT_EQ(imgpool::core::select_shard(scan, shard).files.size(), contained);
  }
  EXPECT_TRUE((ShardSpec{0, 1}).contains("anything.jpg"));
}

TEST(shard, select_shard_refuses_a_spec_that_is_not_a_shard) {
  const imgpool::core::ScanResult scan;
  for (const ShardSpec bad : {ShardSpec{4, 4}, ShardSpec{-1, 4}, ShardSpec{0, 0}}) {
    EXPECT_THROW(imgpool::core::select_shard(scan, bad), UsageError) << bad.index << "/" << bad.count;
  }
  EXPECT_THROW((void)(ShardSpec{0, 0}).contains("a.jpg"), UsageError);
}
