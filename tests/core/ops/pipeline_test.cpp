#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/ops/pipeline.hpp>

#include <gtest/gtest.h>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

// The UsageError message of parsing `spec`, or "" when it parses.
std::string parse_error(const std::string& spec) {
  try {
    Pipeline::parse({spec});
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(pipeline, parses_and_describes_canonically) {
  const auto p = Pipeline::parse({" resize = 800x600 , fit = inside ", "grayscale", "thumbnail=256,crop=center"});
  EXPECT_EQ(p.size(), 3u);
  EXPECT_FALSE(p.empty());
  EXPECT_EQ(p.describe(), "resize=800x600,fit=inside | grayscale | thumbnail=256,crop=centre");
  // The canonical form parses back to itself.
  std::vector<std::string> specs;
  for (const auto& op : p.operations()) specs.push_back(op.spec());
  EXPECT_EQ(Pipeline::parse(specs).describe(), p.describe());
}

TEST(pipeline, empty_pipeline_keeps_size) {
  const Pipeline p;
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.output_size({640, 480}), Size(640, 480));
  EXPECT_EQ(p.describe(), "");
}

TEST(pipeline, rejects_unknown_operation) {
  const std::string e = parse_error("blur=3");
  EXPECT_NE(e.find("unknown operation \"blur\""), std::string::npos) << e;
  EXPECT_NE(e.find("known: resize, grayscale, thumbnail"), std::string::npos) << e;
}

TEST(pipeline, rejects_bad_sizes_naming_them) {
  EXPECT_NE(parse_error("resize=0x10").find("width 0 is out of range (1..65535)"), std::string::npos);
  EXPECT_NE(parse_error("resize=10x70000").find("height 70000 is out of range"), std::string::npos);
  EXPECT_NE(parse_error("resize=abcx10").find("width \"abc\" is not a whole number"), std::string::npos);
  EXPECT_NE(parse_error("resize=x").find("width and height missing"), std::string::npos);
  EXPECT_NE(parse_error("resize=800").find("size \"800\" is not WxH"), std::string::npos);
  EXPECT_NE(parse_error("resize=0%").find("percentage 0 is out of range (1..1000)"), std::string::npos);
  EXPECT_NE(parse_error("resize=1001%").find("out of range"), std::string::npos);
  EXPECT_NE(parse_error("resize").find("resize needs a size"), std::string::npos);
  EXPECT_NE(parse_error("resize=").find("value after \"resize=\" missing"), std::string::npos);
  EXPECT_NE(parse_error("thumbnail=-5").find("size -5 is out of range"), std::string::npos);
  EXPECT_NE(parse_error("thumbnail").find("thumbnail needs a size"), std::string::npos);
  EXPECT_NE(parse_error("grayscale=1").find("grayscale takes no value"), std::string::npos);
  EXPECT_NE(parse_error("").find("empty operation spec"), std::string::npos);
}

TEST(pipeline, errors_quote_the_whole_spec) {
  const std::string e = parse_error("resize=80x0");
  EXPECT_EQ(e.rfind("bad operation spec \"resize=80x0\": ", 0), 0u) << e;
}

TEST(pipeline, rejects_bad_keys_and_values) {
  EXPECT_NE(parse_error("resize=10x10,mode=cover").find("unknown key \"mode\" for resize (known: fit, kernel)"),
            std::string::npos);
  EXPECT_NE(parse_error("resize=10x10,fit=stretch").find("fit \"stretch\" is not one of exact, inside, cover"),
            std::string::npos);
  EXPECT_NE(parse_error("resize=10x,fit=cover").find("needs both width and height"), std::string::npos);
  EXPECT_NE(parse_error("thumbnail=10,crop=top").find("crop \"top\" is not one of"), std::string::npos);
  EXPECT_NE(parse_error("thumbnail=10,crop").find("\"crop\" is not key=value"), std::string::npos);
  EXPECT_NE(parse_error("thumbnail=10,crop=none,crop=smart").find("given twice"), std::string::npos);
  EXPECT_NE(parse_error("grayscale,fit=cover").find("unknown key \"fit\" for grayscale (known: none)"),
            std::string::npos);
}

TEST(pipeline, knows_when_it_needs_the_face_model) {
  EXPECT_FALSE(Pipeline::parse({"thumbnail=64,crop=centre"}).needs_face_model());
  EXPECT_TRUE(Pipeline::parse({"grayscale", "thumbnail=64,crop=smart"}).needs_face_model());
}

TEST(pipeline, luminance_only_when_grayscale_present) {
  EXPECT_FALSE(Pipeline::parse({"thumbnail=64"}).luminance_only());
  EXPECT_TRUE(Pipeline::parse({"thumbnail=64", "grayscale"}).luminance_only());
  EXPECT_TRUE(Pipeline::parse({"grayscale", "resize=50%"}).luminance_only());
}

TEST(pipeline, output_size_chains_operations) {
  const auto p = Pipeline::parse({"resize=50%", "thumbnail=100,crop=centre"});
  EXPECT_EQ(p.output_size({1000, 400}), Size(100, 100));
  EXPECT_EQ(Pipeline::parse({"resize=50%", "thumbnail=100"}).output_size({1000, 400}), Size(100, 40));
}

TEST(pipeline, min_source_size_is_twice_what_the_first_resample_needs) {
  EXPECT_EQ(Pipeline::parse({"grayscale", "thumbnail=256"}).min_source_size({2000, 1000}), Size(512, 256));
  EXPECT_EQ(Pipeline::parse({"thumbnail=256,crop=centre"}).min_source_size({2000, 1000}), Size(1024, 512));
  EXPECT_EQ(Pipeline::parse({"resize=25%"}).min_source_size({2000, 1000}), Size(1000, 500));
  // the margin stops at the source's size, a side at a time
  EXPECT_EQ(Pipeline::parse({"resize=75%"}).min_source_size({2000, 1000}), Size(2000, 1000));
  EXPECT_EQ(Pipeline::parse({"resize=1500x100"}).min_source_size({2000, 1000}), Size(2000, 200));
  // enlarging, or nothing that resamples: the full size
  EXPECT_EQ(Pipeline::parse({"resize=4000x10"}).min_source_size({2000, 1000}), Size(2000, 1000));
  EXPECT_EQ(Pipeline::parse({"grayscale"}).min_source_size({2000, 1000}), Size(2000, 1000));
}

TEST(pipeline, apply_runs_operations_in_order) {
  const auto p = Pipeline::parse({"thumbnail=50", "grayscale"});
  const cv::Mat out = p.apply(test::corner_image(200, 100), nullptr);
  EXPECT_EQ(out.size(), Size(50, 25));
  EXPECT_EQ(out.channels(), 1);
}

TEST(pipeline, apply_with_logical_size_matches_full_size_geometry) {
  // A 1/4-scale decode of a 1000x400 image must give the same output size as the full image.
  const auto p = Pipeline::parse({"resize=30%"});
  const cv::Mat full = p.apply(test::corner_image(1000, 400), nullptr);
  const cv::Mat shrunk = p.apply(test::corner_image(500, 200), nullptr, Size(1000, 400));
  EXPECT_EQ(full.size(), Size(300, 120));
  EXPECT_EQ(shrunk.size(), full.size());
}

TEST(pipeline, operation_table_documents_every_operation) {
  for (const OperationInfo& info : operation_table()) {
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_EQ(parse_operation(info.example).name(), info.name);
    EXPECT_EQ(find_operation(info.name), &info);
  }
  EXPECT_EQ(find_operation("blur"), nullptr);
}

TEST(models, loads_face_model_only_when_needed) {
  EXPECT_EQ(WorkerModels::load(Pipeline::parse({"thumbnail=64"})).face_detector, nullptr);
  const auto models = WorkerModels::load(Pipeline::parse({"thumbnail=64,crop=smart"}), IMGPOOL_TEST_CASCADE);
  EXPECT_NE(models.face_detector, nullptr);
}

TEST(models, missing_model_is_config_error_with_path_and_hint) {
  try {
    WorkerModels::load(Pipeline::parse({"thumbnail=64,crop=smart"}), "/nonexistent/face.xml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/face.xml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("opencv-data"), std::string::npos) << e.what();
  }
}

TEST(models, unloadable_model_is_config_error) {
  test::TempDir dir;
  test::write_bytes(dir / "bad.xml", {'n', 'o', 't', ' ', 'x', 'm', 'l'});
  EXPECT_THROW(WorkerModels::load(Pipeline::parse({"thumbnail=64,crop=smart"}), dir / "bad.xml"), ConfigError);
}

}  // namespace
}  // namespace imgpool::core
