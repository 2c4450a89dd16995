// The file job codec: every field survives a round trip; every truncated prefix and every corruption
// of a valid encoding is refused with the documented error (MessageError, or UsageError for a bad
// operation spec), never a crash or another exception.

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <imgpool/core/error.hpp>
#include <imgpool/core/worker/file_job_codec.hpp>

namespace {

using imgpool::core::ColourHandling;
using imgpool::core::ExistingOutput;
using imgpool::core::FileItem;
using imgpool::core::FileResult;
using imgpool::core::Format;
using imgpool::core::JobOptions;
using imgpool::core::Pipeline;
using imgpool::core::Status;
using imgpool::pool::Bytes;
using imgpool::pool::MessageError;
namespace wire = imgpool::pool::wire;

JobOptions sample_options() {
  JobOptions o;
  o.pipeline = Pipeline::parse({"resize=800x600,fit=inside", "grayscale", "thumbnail=128,crop=centre"});
  o.encode.format = Format::Webp;
  o.encode.quality = 42;
  o.auto_orient = false;
  o.max_pixels = 123'456'789'012ULL;
  o.max_file_size = 987'654'321'098ULL;
  o.existing = ExistingOutput::Skip;
  o.fail_on = imgpool::core::FailOn::Warning;
  o.colour.handling = ColourHandling::ToProfile;
  o.colour.output_profile = "/profiles/wide é.icc";
  o.colour.cmyk_profile = "/profiles/press.icc";
  o.encode.chroma = imgpool::core::Chroma::S422;
  o.encode.progressive = true;
  o.encode.optimize = false;
  o.encode.background = {1, 2, 3};
  o.metadata = {true, false, true, true};
  return o;
}

FileItem sample_item() { return {"/in/a dir/photo é.jpg", "/out/x/photo é.webp", 0xFD01, 1ULL << 50, true}; }

FileResult sample_result() {
  FileResult r;
  r.status = Status::Failed;
  r.error = "corrupt JPEG: premature end";
  r.width = 640;
  r.height = 480;
  r.ms = 12.5;
  r.stages = {1.25, 2.5, 3.75, 4.0, 0.5};
  r.input_pixels = 1ULL << 40;
  r.warnings = {"JPEG: Corrupt JPEG data: 3 extraneous bytes before marker 0xd9", "TIFF: Unknown field"};
  return r;
}

std::vector<std::string> specs(const Pipeline& p) {
  std::vector<std::string> out;
  for (const auto& op : p.operations()) out.push_back(op.spec());
  return out;
}

// The three decoders behind one signature, for the truncation and corruption sweeps.
struct Codec {
  std::string name;
  Bytes valid;
  std::function<void(const Bytes&)> decode;
};

std::vector<Codec> codecs() {
  return {
      {"job options", imgpool::core::encode_job_options(sample_options()),
       [](const Bytes& b) { (void)imgpool::core::decode_job_options(b); }},
      {"file item", imgpool::core::encode_file_item(sample_item()),
       [](const Bytes& b) { (void)imgpool::core::decode_file_item(b); }},
      {"file result", imgpool::core::encode_file_result(sample_result()),
       [](const Bytes& b) { (void)imgpool::core::decode_file_result(b, "in", "out"); }},
  };
}

// "" when `decode(bytes)` throws E, else what happened instead
template <class E>
std::string refusal(const Codec& codec, const Bytes& bytes) {
  try {
    codec.decode(bytes);
  } catch (const E&) {
    return "";
  } catch (const std::exception& e) {
    return std::string("threw another exception: ") + e.what();
  }
  return "decoded";
}

void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void put_f64(Bytes& b, std::size_t at, double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(bits >> (8 * i));
}

}  // namespace

TEST(file_job_codec, job_options_round_trip_every_field) {
  for (Format format : {Format::Same, Format::Jpeg, Format::Png, Format::Webp, Format::Tiff}) {
    for (ExistingOutput existing : {ExistingOutput::Fail, ExistingOutput::Overwrite, ExistingOutput::Skip}) {
      for (bool orient : {false, true}) {
        JobOptions o = sample_options();
        o.encode.format = format;
        o.existing = existing;
        o.auto_orient = orient;
        o.fail_on = orient ? imgpool::core::FailOn::Error : imgpool::core::FailOn::Warning;
        o.encode.quality = orient ? 1 : 100;
        const JobOptions d = imgpool::core::decode_job_options(imgpool::core::encode_job_options(o));
        EXPECT_EQ(specs(d.pipeline), specs(o.pipeline));
        EXPECT_EQ(d.encode.format, format);
        EXPECT_EQ(d.encode.quality, o.encode.quality);
        EXPECT_EQ(d.auto_orient, orient);
        EXPECT_EQ(d.max_pixels, o.max_pixels);
        EXPECT_EQ(d.max_file_size, o.max_file_size);
        EXPECT_EQ(d.existing, existing);
        EXPECT_EQ(d.fail_on, o.fail_on);
        EXPECT_EQ(d.colour.handling, o.colour.handling);
        EXPECT_EQ(d.colour.output_profile, o.colour.output_profile);
        EXPECT_EQ(d.colour.cmyk_profile, o.colour.cmyk_profile);
        EXPECT_EQ(d.encode.chroma, o.encode.chroma);
        EXPECT_EQ(d.encode.progressive, o.encode.progressive);
        EXPECT_EQ(d.encode.optimize, o.encode.optimize);
        EXPECT_EQ(d.encode.background, o.encode.background);
        EXPECT_EQ(d.metadata, o.metadata);
      }
    }
  }
  for (ColourHandling h : {ColourHandling::ToSrgb, ColourHandling::Keep}) {
    JobOptions o;
    o.colour.handling = h;
    EXPECT_EQ(imgpool::core::decode_job_options(imgpool::core::encode_job_options(o)).colour.handling, h);
  }
  const JobOptions empty = imgpool::core::decode_job_options(imgpool::core::encode_job_options(JobOptions{}));
  EXPECT_EQ(empty.pipeline.size(), 0u);
  EXPECT_EQ(empty.max_pixels, JobOptions{}.max_pixels);
  EXPECT_EQ(empty.max_file_size, JobOptions{}.max_file_size);
  EXPECT_EQ(empty.fail_on, JobOptions{}.fail_on);
  EXPECT_EQ(empty.metadata, imgpool::core::KeepMetadata{});
  EXPECT_TRUE(empty.encode.optimize);
  for (imgpool::core::KeepMetadata keep : {imgpool::core::KeepMetadata{false, true, false, false},
                                           imgpool::core::KeepMetadata{true, true, true, true}}) {
    JobOptions o;
    o.metadata = keep;
    EXPECT_EQ(imgpool::core::decode_job_options(imgpool::core::encode_job_options(o)).metadata, keep);
  }
}

TEST(file_job_codec, setup_round_trips_the_root_and_the_input_identities) {
  imgpool::core::FileJobSetup setup{sample_options(), "/out/root", 7, 9, {{1, 2}, {1, 5}, {3, 4}}};
  const auto d = imgpool::core::decode_file_job_setup(imgpool::core::encode_file_job_setup(setup));
  EXPECT_EQ(d.output_root, setup.output_root);
  EXPECT_EQ(d.root_device, 7u);
  EXPECT_EQ(d.root_inode, 9u);
  EXPECT_EQ(d.inputs, setup.inputs);
  EXPECT_EQ(d.options.encode.quality, setup.options.encode.quality);
  auto bytes = imgpool::core::encode_file_job_setup(setup);
  bytes.pop_back();  // truncated
  EXPECT_THROW(imgpool::core::decode_file_job_setup(bytes), imgpool::pool::MessageError);
}

TEST(file_job_codec, file_item_round_trips_every_field) {
  for (bool existed : {false, true}) {
    FileItem item = sample_item();
    item.output_existed = existed;
    const FileItem d = imgpool::core::decode_file_item(imgpool::core::encode_file_item(item));
    EXPECT_EQ(d.input, item.input);
    EXPECT_EQ(d.output, item.output);
    EXPECT_EQ(d.input_device, item.input_device);
    EXPECT_EQ(d.input_inode, item.input_inode);
    EXPECT_EQ(d.output_existed, existed);
  }
}

TEST(file_job_codec, file_result_round_trips_every_field_and_takes_its_paths_from_the_caller) {
  for (Status status : {Status::Ok, Status::Failed, Status::Skipped}) {
    FileResult r = sample_result();
    r.status = status;
    r.input = "ignored-in";  // paths never travel: the parent knows them
    r.output = "ignored-out";
    const FileResult d = imgpool::core::decode_file_result(imgpool::core::encode_file_result(r), "/a/in.jpg", "/b/out.png");
    EXPECT_EQ(d.input, "/a/in.jpg");
    EXPECT_EQ(d.output, "/b/out.png");
    EXPECT_EQ(d.status, status);
    EXPECT_EQ(d.error, r.error);
    EXPECT_EQ(d.width, r.width);
    EXPECT_EQ(d.height, r.height);
    EXPECT_EQ(d.ms, r.ms);
    EXPECT_EQ(d.stages.read_ms, r.stages.read_ms);
    EXPECT_EQ(d.stages.decode_ms, r.stages.decode_ms);
    EXPECT_EQ(d.stages.process_ms, r.stages.process_ms);
    EXPECT_EQ(d.stages.encode_ms, r.stages.encode_ms);
    EXPECT_EQ(d.stages.write_ms, r.stages.write_ms);
    EXPECT_EQ(d.input_pixels, r.input_pixels);
    EXPECT_EQ(d.warnings, r.warnings);
  }
}

TEST(file_job_codec, every_truncated_prefix_and_any_trailing_byte_is_a_message_error) {
  for (const Codec& codec : codecs()) {
    ASSERT_EQ(refusal<MessageError>(codec, codec.valid), "decoded") << codec.name;
    for (std::size_t n = 0; n < codec.valid.size(); ++n) {
      const Bytes prefix(codec.valid.begin(), codec.valid.begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_EQ(refusal<MessageError>(codec, prefix), "") << codec.name << ", first " << n << " bytes";
    }
    Bytes longer = codec.valid;
    longer.push_back(0);
    EXPECT_EQ(refusal<MessageError>(codec, longer), "") << codec.name << " with a trailing byte";
  }
}

TEST(file_job_codec, out_of_range_fields_are_message_errors) {
  const auto all = codecs();
  const Codec& options = all[0];
  const Codec& item = all[1];
  const Codec& result = all[2];
  // (codec, what, how to corrupt its valid encoding)
  struct Corruption {
    const Codec* codec;
    std::string what;
    std::function<void(Bytes&)> apply;
  };
  const std::size_t o = options.valid.size(), r = result.valid.size();
  const std::vector<Corruption> corruptions{
      {&options, "operation count past the message", [](Bytes& b) { put_u32(b, 0, 0xFFFFFFFFu); }},
      {&options, "spec length past the message", [](Bytes& b) { put_u32(b, 4, 0xFFFFFFF0u); }},
      // the tail: format, quality (4), chroma, progressive, optimize, background (3), metadata flags,
      // auto_orient, max_pixels (8), max_file_size (8), existing, fail_on
      {&options, "format past Tiff", [o](Bytes& b) { b[o - 31] = 5; }},
      {&options, "quality 0", [o](Bytes& b) { put_u32(b, o - 30, 0); }},
      {&options, "quality 101", [o](Bytes& b) { put_u32(b, o - 30, 101); }},
      {&options, "chroma past 4:4:4", [o](Bytes& b) { b[o - 26] = 3; }},
      {&options, "progressive 2", [o](Bytes& b) { b[o - 25] = 2; }},
      {&options, "optimize 2", [o](Bytes& b) { b[o - 24] = 2; }},
      {&options, "unknown metadata flag", [o](Bytes& b) { b[o - 20] = 16; }},
      {&options, "auto_orient 2", [o](Bytes& b) { b[o - 19] = 2; }},
      {&options, "existing past Skip", [o](Bytes& b) { b[o - 2] = 3; }},
      {&options, "fail_on past Warning", [o](Bytes& b) { b[o - 1] = 2; }},
      // before the format: the two profile paths (length + bytes each), before them the colour handling
      {&options, "colour handling past ToProfile",
       [o](Bytes& b) { b[o - 31 - 8 - std::string("/profiles/wide é.icc").size() - std::string("/profiles/press.icc").size() - 1] = 3; }},
      {&item, "input length past the message", [](Bytes& b) { put_u32(b, 0, 0x7FFFFFFFu); }},
      {&item, "output_existed 2", [](Bytes& b) { b.back() = 2; }},
      {&item, "NUL byte in the input path", [](Bytes& b) { b[6] = 0; }},
      {&result, "status past Skipped", [](Bytes& b) { b[0] = 3; }},
      {&result, "error length past the message", [](Bytes& b) { put_u32(b, 1, 0x10000u); }},
      {&result, "warning count over the limit",
       [](Bytes& b) { put_u32(b, 5 + std::string("corrupt JPEG: premature end").size(), 1000u); }},
      {&result, "width over 2^30", [r](Bytes& b) { put_u32(b, r - 64, (1u << 30) + 1); }},
      {&result, "height over 2^30", [r](Bytes& b) { put_u32(b, r - 60, 0xFFFFFFFFu); }},
      {&result, "NaN ms", [r](Bytes& b) { put_f64(b, r - 56, std::numeric_limits<double>::quiet_NaN()); }},
      {&result, "negative read_ms", [r](Bytes& b) { put_f64(b, r - 48, -1.0); }},
      {&result, "infinite write_ms", [r](Bytes& b) { put_f64(b, r - 16, std::numeric_limits<double>::infinity()); }},
  };
  for (const auto& c : corruptions) {
    Bytes bytes = c.codec->valid;
    c.apply(bytes);
    EXPECT_EQ(refusal<MessageError>(*c.codec, bytes), "") << c.codec->name << ": " << c.what;
  }
  // Empty paths, written as a well-formed message.
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{{"", "o"}, {"i", ""}}) {
    wire::Writer w;
    w.str(in);
    w.str(out);
    w.u8(0);
    EXPECT_EQ(refusal<MessageError>(item, w.take()), "") << "empty path: '" << in << "' -> '" << out << "'";
  }
}

TEST(file_job_codec, an_invalid_operation_spec_is_a_usage_error) {
  const Codec options = codecs()[0];
  for (const std::string bad : {"nonsense", "resize=0x0", "thumbnail=99999999999999999999", ""}) {
    wire::Writer w;
    w.u32(1);
    w.str(bad);
    w.u8(0);
    w.u32(85);
    w.u8(1);
    w.u64(0);
    w.u8(0);
    EXPECT_EQ(refusal<imgpool::core::UsageError>(options, w.take()), "") << "spec \"" << bad << "\"";
  }
}

// Every byte of every valid encoding, replaced by a few values: each result either decodes or is
// refused with the documented error. Run under ASan/UBSan this also shows no out-of-bounds read.
TEST(file_job_codec, single_byte_corruptions_never_escape_as_anything_but_imgpool_errors) {
  for (const Codec& codec : codecs()) {
    for (std::size_t at = 0; at < codec.valid.size(); ++at) {
      const std::uint8_t original = codec.valid[at];
      for (std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xFF}, static_cast<std::uint8_t>(original ^ 0x01),
                             static_cast<std::uint8_t>(original ^ 0x80), static_cast<std::uint8_t>(original + 1)}) {
        Bytes bytes = codec.valid;
        bytes[at] = v;
        const std::string outcome = refusal<imgpool::Error>(codec, bytes);
        EXPECT_TRUE(outcome.empty() || outcome == "decoded") << codec.name << ", byte " << at << " = " << int{v} << ": "
                                                             << outcome;
      }
    }
  }
}
