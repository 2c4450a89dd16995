// --shard K/N and --shard auto resolve as documented (app/shard_option.hpp).

#include "shard_option.hpp"

#include <imgpool/core/error.hpp>

#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

using imgpool::app::EnvironmentLookup;
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

}  // namespace

TEST(shard_option, parses_k_of_n_numbered_from_zero) {
  EXPECT_EQ(imgpool::app::parse_shard("0/4"), (ShardSpec{0, 4}));
  EXPECT_EQ(imgpool::app::parse_shard("3/4"), (ShardSpec{3, 4}));
  EXPECT_EQ(imgpool::app::parse_shard("0/1"), (ShardSpec{0, 1}));
  for (const char* bad : {"4/4", "-1/4", "1/0", "1", "a/4", "1/4x", "", "/", "1/-2", "99999999999999999999/2"}) {
    EXPECT_THROW(imgpool::app::parse_shard(bad), UsageError) << bad;
  }
  try {
    imgpool::app::parse_shard("4/4");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("numbered from 0"), std::string::npos) << e.what();
  }
}

TEST(shard_option, auto_reads_a_slurm_array) {
  using imgpool::app::shard_from_environment;
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

TEST(shard_option, auto_reads_a_kubernetes_indexed_job) {
  using imgpool::app::shard_from_environment;
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

TEST(shard_option, auto_without_a_scheduler_fails_clearly) {
  try {
    imgpool::app::resolve_shard("auto", std::nullopt, environment({}));
    FAIL() << "auto resolved without a scheduler";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("SLURM_ARRAY_TASK_ID"), std::string::npos) << what;
    EXPECT_NE(what.find("JOB_COMPLETION_INDEX"), std::string::npos) << what;
  }
  EXPECT_EQ(imgpool::app::resolve_shard("1/3", std::nullopt, environment({})), (ShardSpec{1, 3}));
  EXPECT_EQ(imgpool::app::resolve_shard("1/3", 3, environment({})), (ShardSpec{1, 3}));
  EXPECT_THROW(imgpool::app::resolve_shard("1/3", 4, environment({})), UsageError);
}
