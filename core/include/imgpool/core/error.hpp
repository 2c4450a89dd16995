#pragma once
// The exceptions imgpool::core throws. All derive from imgpool::Error; only app/ maps them to exit codes.

#include <imgpool/pool/error.hpp>

namespace imgpool::core {

/// a bad pipeline spec or option value (the CLI exits with 2); what() names the bad part
class UsageError : public imgpool::Error {
 public:
  using imgpool::Error::Error;
};

/// the environment cannot run the pipeline, e.g. a missing face model (the CLI exits with 2)
class ConfigError : public imgpool::Error {
 public:
  using imgpool::Error::Error;
};

/// one image cannot be read, decoded, encoded or written; run_file_job turns it into a failed result
class ImageError : public imgpool::Error {
 public:
  using imgpool::Error::Error;
};

}  // namespace imgpool::core
