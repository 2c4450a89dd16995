#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <imgpool/core/job/file_job.hpp>

#include "job/stages.hpp"
#include "test_images.hpp"

namespace imgpool::core {
namespace {

TEST(stages, decode_leaves_the_thumbnail_a_2x_margin) {
  const std::vector<std::uint8_t> jpeg = test::encoded(test::corner_image(2560, 1600), ".jpg");
  JobOptions options;
  options.pipeline = Pipeline::parse({"thumbnail=256"});
  const DecodeOptions decode = detail::decode_options_for(jpeg, options);
  EXPECT_GE(decode.min_size.width, 512);
  EXPECT_GE(decode.min_size.height, 320);
  const DecodedImage decoded = detail::decode_for_pipeline(jpeg, options);
  EXPECT_EQ(decoded.image.size(), Size(640, 400));  // 1/4: the smallest scale that still leaves 2x
  // where 1/8 already leaves 2x, the fast 1/8 decode stays
  options.pipeline = Pipeline::parse({"thumbnail=100"});
  EXPECT_EQ(detail::decode_for_pipeline(jpeg, options).image.size(), Size(320, 200));
}

}  // namespace
}  // namespace imgpool::core
