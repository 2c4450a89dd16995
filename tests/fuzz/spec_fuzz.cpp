// libFuzzer target for the pipeline-spec parser (core/src/ops/): any text must
// parse or be refused with UsageError, never crash, hang or throw anything else. What parses must
// print a canonical spec that parses back to itself, and its geometry must stay positive and within
// what the pipeline promises. Built by scripts/ci/31-fuzz-core.sh with clang -fsanitize=fuzzer,address,undefined.
//
// Input: one spec per line (at most 8); the last 4 bytes, when present, also give an input size.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <imgpool/core/error.hpp>
#include <imgpool/core/ops/operation.hpp>
#include <imgpool/core/ops/pipeline.hpp>

namespace core = imgpool::core;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// Sizes a decoded image can have: 1..65535 a side (JPEG's limit; larger ones are refused by --max-pixels).
core::Size input_size(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return {640, 480};
  const std::uint8_t* t = data + size - 4;
  return {1 + ((t[0] << 8 | t[1]) % 65535), 1 + ((t[2] << 8 | t[3]) % 65535)};
}

void check_geometry(const core::Operation& op, core::Size in) {
  const core::Size out = op.output_size(in);
  const core::Size resampled = op.resample_size(in);
  check(out.width >= 1 && out.height >= 1);
  check(resampled.width >= 1 && resampled.height >= 1);
  if (const auto* t = op.get_if<core::Thumbnail>()) {  // a thumbnail never enlarges and fits its box
    check(out.width <= in.width && out.height <= in.height);
    check(out.width <= t->size && out.height <= t->size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> specs;
  for (std::size_t start = 0; start <= text.size() && specs.size() < 8;) {
    const std::size_t nl = text.find('\n', start);
    specs.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  const core::Size in = input_size(data, size);

  for (const std::string& spec : specs) {
    try {
      const core::Operation op = core::parse_operation(spec);
      const std::string canonical = op.spec();
      const core::Operation again = core::parse_operation(canonical);
      check(again.spec() == canonical);
      check(again.name() == op.name());
      check(core::find_operation(op.name()) != nullptr);
      check_geometry(op, in);
    } catch (const core::UsageError& e) {
      check(std::string_view(e.what()).size() > 0);
    }
  }

  try {
    const core::Pipeline pipeline = core::Pipeline::parse(specs);
    check(pipeline.size() == specs.size());
    const core::Size out = pipeline.output_size(in);
    check(out.width >= 1 && out.height >= 1);
    // shrink-on-load may ask for less than the input, never more
    const core::Size need = pipeline.min_source_size(in);
    check(need.width >= 1 && need.height >= 1 && need.width <= in.width && need.height <= in.height);
    (void)pipeline.describe();
    (void)pipeline.luminance_only();
    (void)pipeline.needs_face_model();
  } catch (const core::UsageError&) {
  }
  return 0;
}
