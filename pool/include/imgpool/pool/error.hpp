#pragma once
// The exception hierarchy of imgpool: every library error derives from imgpool::Error.

#include <stdexcept>

namespace imgpool {

/// the root of all imgpool errors (pool, core); only app/ maps them to exit codes
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace imgpool

namespace imgpool::pool {

/// raised by Future::result()/exception() when the future was cancelled (Python: CancelledError)
class CancelledError : public Error {
 public:
  CancelledError() : Error("future was cancelled") {}
  using Error::Error;
};

/// raised when a wait on a future, wait(), as_completed() or map() runs past its timeout
class TimeoutError : public Error {
 public:
  using Error::Error;
};

/// the executor can no longer run tasks (a worker initializer threw); what() carries the cause
class BrokenExecutor : public Error {
 public:
  using Error::Error;
};

/// submit() after shutdown() (Python raises RuntimeError here)
class ShutdownError : public Error {
 public:
  using Error::Error;
};

/// an operation that the future's current state does not allow (e.g. completing it twice)
class InvalidStateError : public Error {
 public:
  using Error::Error;
};

/// a bad argument to the pool API, e.g. a negative max_workers (Python raises ValueError)
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

}  // namespace imgpool::pool
