#include <imgpool/core/ops/operation.hpp>

#include <string>

#include <gtest/gtest.h>

namespace imgpool::core {
namespace {

// The table is built from the operation types, so a row and the value parsed from its example
// cannot disagree.
TEST(operation, table_rows_match_their_operations) {
  for (const OperationInfo& info : operation_table()) {
    const Operation op = parse_operation(info.example);
    EXPECT_EQ(op.name(), info.name);
    EXPECT_EQ(op.description(), info.description) << info.name;
    EXPECT_EQ(parse_operation(op.spec()).spec(), op.spec()) << info.name;
  }
  EXPECT_EQ(find_operation("resize")->value, "WxH | Wx | xH | P%, then ! ^ > <");
  EXPECT_EQ(find_operation("grayscale")->value, "");
  EXPECT_EQ(find_operation("thumbnail")->params.front().key, "crop");
}

TEST(operation, forwards_queries_to_the_concrete_type) {
  const Operation gray = Grayscale{};
  EXPECT_FALSE(gray.changes_geometry());
  EXPECT_TRUE(gray.drops_colour());
  EXPECT_EQ(gray.resample_size({300, 200}), Size(300, 200));

  const Operation smart = Thumbnail{100, Crop::Smart};
  EXPECT_TRUE(smart.changes_geometry());
  EXPECT_TRUE(smart.needs_face_model());
  EXPECT_FALSE(smart.drops_colour());
  EXPECT_EQ(smart.resample_size({400, 200}), Size(200, 100));
  EXPECT_FALSE(Operation(Thumbnail{100, Crop::Centre}).needs_face_model());

  const Operation resize = Resize{0, 0, 50, Fit::Exact};
  EXPECT_FALSE(resize.needs_face_model());
  EXPECT_FALSE(resize.needs_colour());
  EXPECT_NE(resize.get_if<Resize>(), nullptr);
  EXPECT_EQ(resize.get_if<Thumbnail>(), nullptr);
}

}  // namespace
}  // namespace imgpool::core
