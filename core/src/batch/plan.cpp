#include <imgpool/core/batch/plan.hpp>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "batch/chunk_runner.hpp"
#include "job/file_identity.hpp"

namespace imgpool::core {
namespace fs = std::filesystem;

FileResult failed_result(const BatchItem& item, std::string why) {
  FileResult r;
  r.input = item.input;
  r.output = item.output;
  r.status = Status::Failed;
  r.error = std::move(why);
  return r;
}

BatchItem BatchPlan::operator[](std::size_t i) const {
  const InputFile f = inputs_[kept_.at(i)];
  return {f.path, output_path_for(f, out_dir_, format_), f.size, f.device, f.inode};
}

BatchPlan plan_batch(InputTable inputs, const fs::path& out_dir, Format format) {
  // One stat per output (inputs carry the scan's identity), and 16 bytes per input for each check, so that a million files
  // plan in a few seconds and tens of MB. An output that exists and is one of the inputs (same device
  // and inode, through any link or spelling) is refused; outputs all lie under out_dir, so two inputs
  // share an output when its text is equal.
  using detail::FileId;
  const std::size_t n = inputs.size();
  std::vector<FileId> input_ids;
  input_ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const InputFile file = inputs[i];
    if (file.device != 0 || file.inode != 0) {
      input_ids.push_back({file.device, file.inode});  // the scan's identity: no second stat
    } else if (const auto id = detail::file_id(file.path)) {
      input_ids.push_back(*id);
    }
  }
  std::sort(input_ids.begin(), input_ids.end());

  auto output_of = [&](std::size_t i) { return output_path_for(inputs[i], out_dir, format); };
  enum : std::uint8_t { kKept, kOverwritesInput, kTaken };
  std::vector<std::uint8_t> verdict(n, kKept);
  std::unordered_map<std::size_t, std::size_t> owner;  // input refused as kTaken -> the input that has its output
  // (hash of the output's text, input index), to find the inputs that share an output
  std::vector<std::pair<std::uint64_t, std::size_t>> outputs;
  outputs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const fs::path out = output_of(i);
    const auto out_id = detail::file_id(out);
    if (out_id && std::binary_search(input_ids.begin(), input_ids.end(), *out_id)) {
      verdict[i] = kOverwritesInput;
    } else {
      outputs.emplace_back(std::hash<std::string>{}(out.lexically_normal().native()), i);
    }
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> kept_ids;
  kept_ids.reserve(input_ids.size());
  for (const FileId& id : input_ids) kept_ids.emplace_back(id.device, id.inode);
  std::vector<FileId>().swap(input_ids);
  std::sort(outputs.begin(), outputs.end());
  // Within a run of equal hashes, compare the texts: the first input (in scan order) with a text keeps it.
  for (std::size_t a = 0; a < outputs.size();) {
    std::size_t b = a + 1;
    while (b < outputs.size() && outputs[b].first == outputs[a].first) ++b;
    for (std::size_t k = a + 1; k < b; ++k) {
      const std::string text = output_of(outputs[k].second).lexically_normal().native();
      for (std::size_t j = a; j < k; ++j) {
        const std::size_t first = outputs[j].second;
        if (verdict[first] == kKept && output_of(first).lexically_normal().native() == text) {
          verdict[outputs[k].second] = kTaken;
          owner.emplace(outputs[k].second, first);
          break;
        }
      }
    }
    a = b;
  }
  std::vector<std::pair<std::uint64_t, std::size_t>>().swap(outputs);

  BatchPlan plan;
  for (std::size_t i = 0; i < n; ++i) {
    if (verdict[i] == kKept) {
      plan.kept_.push_back(i);
      continue;
    }
    const BatchItem item{inputs[i].path, output_of(i), inputs.file_size(i)};
    plan.refused.push_back(failed_result(
        item, verdict[i] == kOverwritesInput
                  ? detail::kOverwritesInput
                  : "output " + item.output.string() + " is already the output of " + inputs[owner.at(i)].path.string()));
  }
  plan.inputs_ = std::move(inputs);
  plan.out_dir_ = out_dir;
  plan.format_ = format;
  plan.input_ids_ = std::move(kept_ids);
  return plan;
}

BatchPlan plan_batch(const std::vector<InputFile>& inputs, const fs::path& out_dir, Format format) {
  return plan_batch(InputTable(inputs), out_dir, format);
}

}  // namespace imgpool::core
