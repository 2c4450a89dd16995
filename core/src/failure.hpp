#pragma once
// Turning the exception being handled into a per-item failure reason (internal to core).

#include <string>

namespace imgpool::core::detail {

/// the one-line reason for the exception currently being handled; call it only inside a catch block.
/// imgpool and standard exceptions give their message, cv::Exception "OpenCV: " and its text,
/// std::bad_alloc "out of memory", anything else "unknown error".
std::string current_failure_reason();

}  // namespace imgpool::core::detail
