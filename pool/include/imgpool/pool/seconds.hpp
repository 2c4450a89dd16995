#pragma once
// Seconds: the duration type of every timeout in the pool API.

#include <chrono>

namespace imgpool::pool {

/// seconds as a double, like Python's timeouts; any std::chrono duration converts to it
///
///   fut.result(std::chrono::milliseconds(250));  // or Seconds(0.25)
using Seconds = std::chrono::duration<double>;

}  // namespace imgpool::pool
