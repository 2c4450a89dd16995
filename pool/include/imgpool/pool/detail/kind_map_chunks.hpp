#pragma once
// ProcessPoolExecutor's map() backend: chunks of Bytes submitted as one submit_chunk() each.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <imgpool/pool/detail/map_chunks.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/message.hpp>
#include <imgpool/pool/seconds.hpp>

namespace imgpool::pool {

class ProcessPoolExecutor;

namespace detail {

/// how ProcessPoolExecutor runs map()'s chunks (see CallableMapChunks): each chunk is one
/// submit_chunk() of `kind`, and waiting for it takes its items' results in order up to the first failure
class KindMapChunks {
 public:
  using argument_type = Bytes;
  using value_type = Bytes;
  /// a submitted chunk: one future per item
  using Pending = std::vector<Future<Bytes>>;

  KindMapChunks(ProcessPoolExecutor& executor, std::string kind) : executor_(&executor), kind_(std::move(kind)) {}
  [[nodiscard]] Pending submit(std::vector<Bytes> items);
  /// throws TimeoutError, or CancelledError when an item was cancelled; an item's failure
  /// (TaskFailed, WorkerCrashed, TaskTimedOut, BrokenExecutor) ends the chunk as its `error`
  static MapChunk<Bytes> take(Pending& pending, std::optional<Seconds> timeout);
  static void cancel(Pending& pending) noexcept;

 private:
  ProcessPoolExecutor* executor_;
  std::string kind_;
};

}  // namespace detail
}  // namespace imgpool::pool
