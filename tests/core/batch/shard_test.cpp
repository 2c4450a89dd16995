// Sharding: the partition is stable and total, and --shard K/N and auto resolve as documented.

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
using imgpool::core::EnvironmentLookup;
using imgpool::core::ShardSpec;
using imgpool::core::UsageError;

namespace {

EnvironmentLookup environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

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

TEST(shard, parses_k_of_n_numbered_from_zero) {
  EXPECT_EQ(imgpool::core::parse_shard("0/4"), (ShardSpec{0, 4}));
  EXPECT_EQ(imgpool::core::parse_shard("3/4"), (ShardSpec{3, 4}));
  EXPECT_EQ(imgpool::core::parse_shard("0/1"), (ShardSpec{0, 1}));
  for (const char* bad : {"4/4", "-1/4", "1/0", "1", "a/4", "1/4x", "", "/", "1/-2", "99999999999999999999/2"}) {
    EXPECT_THROW(imgpool::core::parse_shard(bad), UsageError) << bad;
  }
  try {
    imgpool::core::parse_shard("4/4");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("numbered from 0"), std::string::npos) << e.what();
  }
}

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
  const imgpool::core::ScanOptions recursive{.recursive = true, .include = {}, .exclude = {}};
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

TEST(shard, auto_reads_a_slurm_array) {
  using imgpool::core::shard_from_environment;
  EXPECT_EQ(shard_from_environment(std::nullopt, environment({{"SLURM_ARRAY_TASK_ID", "2"},
                                                              {"SLURM_ARRAY_TASK_MIN", "0"},
                                                              {"SLURM_ARRAY_TASK_MAX", "3"},
                                                              {"SLURM_ARRAY_TASK_COUNT", "4"}})),
            (ShardSpec{2, 4}));
  // --array=1-8: IDs from 1, shards from 0
  EXPECT_EQ(shard_from_environment(std::nullopt, environment({{"SLURM_ARRAY_TASK_ID", "8"},
                                                              {"SLURM_ARRAY_TASK_MIN", "1"},
                                                              {"SLURM_ARRAY_TASK_MAX", "8"}})),
            (ShardSpec{7, 8}));
  // --array=0-12:4 → tasks 0, 4, 8, 12
  EXPECT_EQ(shard_from_environment(std::nullopt, environment({{"SLURM_ARRAY_TASK_ID", "8"},
                                                              {"SLURM_ARRAY_TASK_MIN", "0"},
                                                              {"SLURM_ARRAY_TASK_MAX", "12"},
                                                              {"SLURM_ARRAY_TASK_STEP", "4"},
                                                              {"SLURM_ARRAY_TASK_COUNT", "4"}})),
            (ShardSpec{2, 4}));
  EXPECT_EQ(shard_from_environment(std::nullopt,
                                   environment({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "3"}})),
            (ShardSpec{1, 3}));
  // re-running only tasks 2 and 5 of 8 (--array=2,5): the count says the ID is the shard index
  const auto retry = environment({{"SLURM_ARRAY_TASK_ID", "5"},
                                  {"SLURM_ARRAY_TASK_MIN", "2"},
                                  {"SLURM_ARRAY_TASK_MAX", "5"},
                                  {"SLURM_ARRAY_TASK_COUNT", "2"}});
  EXPECT_THROW(shard_from_environment(std::nullopt, retry), UsageError);  // a sparse array is refused...
  EXPECT_EQ(shard_from_environment(8, retry), (ShardSpec{5, 8}));         // ...unless the count is given
  EXPECT_THROW(shard_from_environment(4, retry), UsageError);              // 5 is not a shard of 4
}

TEST(shard, auto_reads_a_kubernetes_indexed_job) {
  using imgpool::core::shard_from_environment;
  EXPECT_EQ(shard_from_environment(std::nullopt,
                                   environment({{"JOB_COMPLETION_INDEX", "3"}, {"IMGPOOL_SHARD_COUNT", "4"}})),
            (ShardSpec{3, 4}));
  EXPECT_EQ(shard_from_environment(6, environment({{"JOB_COMPLETION_INDEX", "5"}, {"IMGPOOL_SHARD_COUNT", "4"}})),
            (ShardSpec{5, 6}));  // --shard-count wins over the variable
  try {
    shard_from_environment(std::nullopt, environment({{"JOB_COMPLETION_INDEX", "3"}}));
    FAIL() << "a count-less Indexed Job resolved";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("IMGPOOL_SHARD_COUNT"), std::string::npos) << e.what();
  }
  EXPECT_THROW(shard_from_environment(std::nullopt, environment({{"JOB_COMPLETION_INDEX", "4"},
                                                                 {"IMGPOOL_SHARD_COUNT", "4"}})),
               UsageError);
  EXPECT_THROW(shard_from_environment(std::nullopt, environment({{"JOB_COMPLETION_INDEX", "x"},
                                                                 {"IMGPOOL_SHARD_COUNT", "4"}})),
               UsageError);
}

TEST(shard, auto_without_a_scheduler_fails_clearly) {
  try {
    imgpool::core::resolve_shard("auto", std::nullopt, environment({}));
    FAIL() << "auto resolved without a scheduler";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("SLURM_ARRAY_TASK_ID"), std::string::npos) << what;
    EXPECT_NE(what.find("JOB_COMPLETION_INDEX"), std::string::npos) << what;
  }
  EXPECT_EQ(imgpool::core::resolve_shard("1/3", std::nullopt, environment({})), (ShardSpec{1, 3}));
  EXPECT_EQ(imgpool::core::resolve_shard("1/3", 3, environment({})), (ShardSpec{1, 3}));
  EXPECT_THROW(imgpool::core::resolve_shard("1/3", 4, environment({})), UsageError);
}
