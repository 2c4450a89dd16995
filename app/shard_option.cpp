#include "shard_option.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::app {

using core::ShardSpec;
using core::UsageError;

namespace {

// the largest shard count accepted: far beyond any array, small enough for int arithmetic
constexpr long long kMaxShards = 1'000'000;

std::optional<long long> parse_integer(std::string_view text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// reads an integer variable; nullopt when unset, UsageError when set to something else
std::optional<long long> integer_variable(const EnvironmentLookup& env, const std::string& name) {
  const std::optional<std::string> text = env(name);
  if (!text) return std::nullopt;
  const std::optional<long long> value = parse_integer(*text);
  if (!value) throw UsageError(fmt::format("--shard auto: {}=\"{}\" is not an integer", name, *text));
  return value;
}

ShardSpec checked(long long index, long long count, std::string_view source) {
  if (count < 1 || count > kMaxShards) {
    throw UsageError(fmt::format("{}: the shard count {} is not in 1..{}", source, count, kMaxShards));
  }
  if (index < 0 || index >= count) {
    throw UsageError(fmt::format("{}: shard {} is not in 0..{} (shards are numbered from 0)", source, index,
                                 count - 1));
  }
  return {static_cast<int>(index), static_cast<int>(count)};
}

ShardSpec from_slurm(long long id, std::optional<int> count, const EnvironmentLookup& env) {
  constexpr std::string_view kSource = "--shard auto (Slurm SLURM_ARRAY_TASK_ID)";
  if (count) return checked(id, *count, kSource);
  const auto min = integer_variable(env, "SLURM_ARRAY_TASK_MIN");
  const auto max = integer_variable(env, "SLURM_ARRAY_TASK_MAX");
  const auto tasks = integer_variable(env, "SLURM_ARRAY_TASK_COUNT");
  if (min && max) {
    const long long step = integer_variable(env, "SLURM_ARRAY_TASK_STEP").value_or(1);
    if (step < 1 || *max < *min || (id - *min) % step != 0 || (*max - *min) % step != 0) {
      throw UsageError(fmt::format("{}: task {} of the array {}-{}:{} is not on an even range", kSource, id, *min,
                                   *max, step));
    }
    const long long range = (*max - *min) / step + 1;
    if (tasks && *tasks != range) {
      throw UsageError(fmt::format(
          "{}: the array has {} tasks between {} and {}, not an even range (--array=1,4,9?); "
          "submit --array=0-{} or pass --shard-count N so that the task ID is the shard index",
          kSource, *tasks, *min, *max, *tasks - 1));
    }
    return checked((id - *min) / step, range, kSource);
  }
  if (tasks) return checked(id, *tasks, kSource);
  throw UsageError(fmt::format(
      "{}: neither SLURM_ARRAY_TASK_MIN/MAX nor SLURM_ARRAY_TASK_COUNT is set; pass --shard-count N", kSource));
}

}  // namespace

EnvironmentLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

ShardSpec parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : parse_integer(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : parse_integer(text.substr(slash + 1));
  if (!index || !count) {
    throw UsageError(fmt::format("--shard \"{}\": expected K/N (e.g. 0/4, shards numbered from 0) or auto", text));
  }
  return checked(*index, *count, fmt::format("--shard {}", text));
}

ShardSpec shard_from_environment(std::optional<int> count, const EnvironmentLookup& env) {
  if (!count) {
    if (const auto from_env = integer_variable(env, "IMGPOOL_SHARD_COUNT")) {
      count = static_cast<int>(std::clamp<long long>(*from_env, -1, kMaxShards + 1));
    }
  }
  if (const auto id = integer_variable(env, "SLURM_ARRAY_TASK_ID")) return from_slurm(*id, count, env);
  if (const auto index = integer_variable(env, "JOB_COMPLETION_INDEX")) {
    constexpr std::string_view kSource = "--shard auto (Kubernetes JOB_COMPLETION_INDEX)";
    if (!count) {
      throw UsageError(fmt::format(
          "{}: the shard count is unknown; pass --shard-count N or set IMGPOOL_SHARD_COUNT to the Job's "
          ".spec.completions",
          kSource));
    }
    return checked(*index, *count, kSource);
  }
  throw UsageError(
      "--shard auto: not in a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job "
      "(JOB_COMPLETION_INDEX); pass --shard K/N");
}

ShardSpec resolve_shard(std::string_view spec, std::optional<int> count, const EnvironmentLookup& env) {
  if (spec == "auto") return shard_from_environment(count, env);
  const ShardSpec shard = parse_shard(spec);
  if (count && *count != shard.count) {
    throw UsageError(fmt::format("--shard-count {} contradicts --shard {}", *count, spec));
  }
  return shard;
}

}  // namespace imgpool::app
