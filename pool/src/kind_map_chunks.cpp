#include <imgpool/pool/detail/kind_map_chunks.hpp>

#include <algorithm>
#include <chrono>

#include <imgpool/pool/process_executor.hpp>

namespace imgpool::pool {
using Clock = std::chrono::steady_clock;

namespace detail {

KindMapChunks::Pending KindMapChunks::submit(std::vector<Bytes> items) { return executor_->submit_chunk(kind_, std::move(items)); }

MapChunk<Bytes> KindMapChunks::take(Pending& pending, std::optional<Seconds> timeout) {
  const auto deadline = deadline_after(timeout);
  MapChunk<Bytes> chunk;
  chunk.values.reserve(pending.size());
  for (auto& item : pending) {
    std::optional<Seconds> remaining;
    if (deadline) remaining = std::max(Seconds(0), Seconds(*deadline - Clock::now()));
    if (auto error = item.state()->wait_exception(remaining)) {
      chunk.error = std::move(error);
      break;
    }
    chunk.values.push_back(item.state()->take(std::nullopt));
  }
  return chunk;
}

void KindMapChunks::cancel(Pending& pending) noexcept {
  for (auto& item : pending) item.cancel();
}

}  // namespace detail

}  // namespace imgpool::pool
