// The worker wire format: round trips, and every malformed or truncated input is refused.

#include <gtest/gtest.h>

#include <imgpool/pool/message.hpp>

namespace {

using imgpool::pool::Bytes;
using imgpool::pool::MessageError;
namespace wire = imgpool::pool::wire;

std::vector<wire::Message> samples() {
  return {
      {.type = wire::MessageType::Init, .kind = "models", .items = {Bytes{1, 2, 3}}},
      {.type = wire::MessageType::Init, .items = {Bytes{}}},
      {.type = wire::MessageType::Task, .task_id = 42, .kind = "file", .items = {Bytes{}, Bytes{9}, Bytes(300, 7)},
       .attempts = {2, 0, 0}},
      {.type = wire::MessageType::Task, .task_id = 1, .kind = "empty"},
      {.type = wire::MessageType::Ready},
      {.type = wire::MessageType::InitFailed, .text = "no model"},
      {.type = wire::MessageType::ItemDone, .task_id = 7, .index = 3, .ok = true, .payload = Bytes{0, 255}},
      {.type = wire::MessageType::ItemDone, .task_id = 7, .index = 4, .ok = false, .text = "corrupt JPEG"},
  };
}

Bytes body_of(const Bytes& frame) { return Bytes(frame.begin() + 4, frame.end()); }

}  // namespace

TEST(message, every_type_round_trips) {
  for (const auto& m : samples()) {
    const Bytes frame = wire::encode(m);
    ASSERT_GE(frame.size(), 6u);
    EXPECT_EQ(wire::decode(body_of(frame)), m);
  }
}

TEST(message, every_truncation_and_any_trailing_byte_is_refused) {
  for (const auto& m : samples()) {
    const Bytes body = body_of(wire::encode(m));
    for (std::size_t n = 0; n < body.size(); ++n) {
      EXPECT_THROW(wire::decode({body.data(), n}), MessageError) << "prefix of " << n << " bytes";
    }
    Bytes longer = body;
    longer.push_back(0);
    EXPECT_THROW(wire::decode(longer), MessageError);
  }
}

TEST(message, bad_version_type_boolean_and_counts_are_refused) {
  Bytes body = body_of(wire::encode({.type = wire::MessageType::Ready}));
  body[0] = wire::kVersion + 1;
  EXPECT_THROW(wire::decode(body), MessageError);
  body[0] = wire::kVersion;
  body[1] = 99;
  EXPECT_THROW(wire::decode(body), MessageError);

  Bytes done = body_of(wire::encode({.type = wire::MessageType::ItemDone, .task_id = 1, .payload = {}}));
  done[2 + 8 + 4] = 2;  // the ok flag
  EXPECT_THROW(wire::decode(done), MessageError);

  // A task that claims 2^32-1 items in a few bytes: refused before any allocation.
  wire::Writer w;
  w.u8(wire::kVersion);
  w.u8(static_cast<std::uint8_t>(wire::MessageType::Task));
  w.u64(1);
  w.str("k");
  w.u32(0xFFFFFFFFu);
  EXPECT_THROW(wire::decode(w.take()), MessageError);

  // A string that claims more bytes than there are.
  wire::Writer s;
  s.u8(wire::kVersion);
  s.u8(static_cast<std::uint8_t>(wire::MessageType::InitFailed));
  s.u32(1000);
  s.u8('x');
  EXPECT_THROW(wire::decode(s.take()), MessageError);
}

TEST(message, frame_reader_reassembles_split_frames_and_refuses_oversized_ones) {
  Bytes stream;
  for (const auto& m : samples()) {
    const Bytes f = wire::encode(m);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  wire::FrameReader reader;
  std::vector<wire::Message> got;
  for (std::uint8_t byte : stream) {  // the worst split: one byte at a time
    reader.feed({&byte, 1});
    while (auto body = reader.next()) got.push_back(wire::decode(*body));
  }
  EXPECT_EQ(got, samples());
  EXPECT_EQ(reader.buffered(), 0u);

  wire::FrameReader bad;
  const Bytes huge{0xFF, 0xFF, 0xFF, 0xFF};
  bad.feed(huge);
  EXPECT_THROW(bad.next(), MessageError);
}

TEST(message, reader_and_writer_round_trip_scalars) {
  wire::Writer w;
  w.u8(200);
  w.u32(0xDEADBEEFu);
  w.u64(0x0123456789ABCDEFull);
  w.f64(-2.5);
  w.str("päth");
  const Bytes b = w.take();
  wire::Reader r(b);
  EXPECT_EQ(r.u8(), 200);
  EXPECT_EQ(r.u32(), 0xDEADBEEFu);
  EXPECT_EQ(r.u64(), 0x0123456789ABCDEFull);
  EXPECT_EQ(r.f64(), -2.5);
  EXPECT_EQ(r.str(), "päth");
  EXPECT_NO_THROW(r.finish());
  EXPECT_THROW(r.u8(), MessageError);
}
