#pragma once
// What the per-operation tests share: run a spec on an image, and check a spec's geometry.

#include <string>

#include <gtest/gtest.h>

#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/ops/operation.hpp>

#include "test_images.hpp"

namespace imgpool::test {

inline cv::Mat run(const std::string& spec, const cv::Mat& image, const core::WorkerModels* models = nullptr) {
  core::OperationContext context;
  context.models = models;
  return core::parse_operation(spec).apply(image, context);
}

// Checks apply() against output_size() too: the planner relies on them agreeing.
inline void expect_size(const std::string& spec, core::Size in, core::Size expected) {
  const cv::Mat out = run(spec, corner_image(in.width, in.height));
  EXPECT_EQ(out.size(), expected) << spec << " on " << in;
  EXPECT_EQ(core::parse_operation(spec).output_size(in), expected) << spec << " on " << in;
}

}  // namespace imgpool::test
