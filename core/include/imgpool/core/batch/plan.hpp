#pragma once
// Planning a batch: which input goes to which output, and which inputs are refused before any work.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

#include <imgpool/core/batch/inputs.hpp>
#include <imgpool/core/codec/format.hpp>
#include <imgpool/core/job/file_job.hpp>

namespace imgpool::core {

/// one file to process and where its output goes
struct BatchItem {
  std::filesystem::path input;
  std::filesystem::path output;
  std::uint64_t cost = 0;  ///< input size in bytes; what the chunking layer balances
  /// the input's identity (device, inode) when it was scanned: the job refuses to read another file
  /// found under that name (swapped in, or reached through a folder swapped for a link). Both 0: the
  /// input is read as it is (an item built by hand).
  std::uint64_t device = 0, inode = 0;
};

/// the items of a batch, and the inputs refused before any work (their results are already failures).
/// Items are held compactly (see InputTable: tens of bytes per file) and built on demand, so that a plan
/// of a million files fits in a few tens of MB.
class BatchPlan {
 public:
  /// the number of items to run
  std::size_t size() const noexcept { return kept_.size(); }
  bool empty() const noexcept { return kept_.empty(); }
  /// item `i` (0 <= i < size()), in scan order
  BatchItem operator[](std::size_t i) const;
  /// its cost, without building it
  std::uint64_t cost(std::size_t i) const noexcept { return inputs_.file_size(kept_[i]); }

  /// the folder the outputs lie under, as given to plan_batch; run_batch writes only below it
  const std::filesystem::path& out_dir() const noexcept { return out_dir_; }
  /// the identities (device, inode) of every input, kept or refused, sorted: run_batch refuses to
  /// replace any of them when it writes, not only at planning
  const std::vector<std::pair<std::uint64_t, std::uint64_t>>& input_identities() const noexcept { return input_ids_; }

  std::vector<FileResult> refused;  ///< in scan order

 private:
  friend BatchPlan plan_batch(InputTable inputs, const std::filesystem::path& out_dir, Format format);
  InputTable inputs_;
  std::vector<std::size_t> kept_;  // indices into inputs_
  std::filesystem::path out_dir_;
  Format format_ = Format::Same;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> input_ids_;
};

/// maps scanned inputs to outputs under `out_dir`. Refuses (as failed results, never silently):
/// an output that would be an input file, and a second input mapping to an output already taken
/// (`a.jpg` and `a.png` with format jpg: the first in scan order keeps it). Inputs carry the scan's
/// file identities, which it reuses (it stats only those without one, and the outputs).
/// Memory while planning: about 40 bytes per input beyond the table; the plan keeps 16 per input (its
/// input identities).
BatchPlan plan_batch(InputTable inputs, const std::filesystem::path& out_dir, Format format);
/// the same for a list of files
BatchPlan plan_batch(const std::vector<InputFile>& inputs, const std::filesystem::path& out_dir, Format format);

}  // namespace imgpool::core
