#pragma once
// wait()'s and as_completed()'s input handling: the distinct futures of a list.

#include <unordered_set>
#include <vector>

#include <imgpool/pool/error.hpp>
#include <imgpool/pool/future.hpp>

namespace imgpool::pool::detail {

// Futures in input order with duplicates (same state) removed: Python's wait() takes a set.
template <class R>
std::vector<Future<R>> unique_futures(std::vector<Future<R>> futures) {
  std::unordered_set<const void*> seen;
  std::erase_if(futures, [&](const Future<R>& f) {
    if (!f.valid()) throw InvalidStateError("wait()/as_completed() was given an invalid future");
    return !seen.insert(f.state().get()).second;
  });
  return futures;
}

}  // namespace imgpool::pool::detail
