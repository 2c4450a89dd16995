#include <imgpool/pool/message.hpp>

#include <bit>
#include <cstring>

namespace imgpool::pool::wire {

void Writer::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }

void Writer::bytes(std::span<const std::uint8_t> v) {
  if (v.size() > kMaxFrame) throw MessageError("a field is larger than the frame limit");
  u32(static_cast<std::uint32_t>(v.size()));
  out_.insert(out_.end(), v.begin(), v.end());
}

void Writer::str(std::string_view v) {
  bytes({reinterpret_cast<const std::uint8_t*>(v.data()), v.size()});
}

std::span<const std::uint8_t> Reader::take(std::size_t n) {
  if (n > remaining()) throw MessageError("truncated message");
  auto part = in_.subspan(pos_, n);
  pos_ += n;
  return part;
}

std::uint8_t Reader::u8() { return take(1)[0]; }

std::uint32_t Reader::u32() {
  const auto b = take(4);
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | b[static_cast<std::size_t>(i)];
  return v;
}

std::uint64_t Reader::u64() {
  const auto b = take(8);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[static_cast<std::size_t>(i)];
  return v;
}

double Reader::f64() { return std::bit_cast<double>(u64()); }

Bytes Reader::bytes() {
  const std::uint32_t n = u32();
  const auto b = take(n);
  return Bytes(b.begin(), b.end());
}

std::string Reader::str() {
  const std::uint32_t n = u32();
  const auto b = take(n);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

bool Reader::boolean() {
  const std::uint8_t v = u8();
  if (v > 1) throw MessageError("bad boolean field");
  return v == 1;
}

void Reader::finish() const {
  if (remaining() != 0) throw MessageError("trailing bytes after the message");
}

Bytes encode(const Message& m) {
  Writer w;
  w.u32(0);  // the length, patched below
  w.u8(kVersion);
  w.u8(static_cast<std::uint8_t>(m.type));
  switch (m.type) {
    case MessageType::Init:
      w.str(m.kind);
      w.bytes(m.items.empty() ? Bytes{} : m.items.front());
      break;
    case MessageType::Task:
      w.u64(m.task_id);
      w.str(m.kind);
      w.u32(static_cast<std::uint32_t>(m.items.size()));
      for (std::size_t i = 0; i < m.items.size(); ++i) {
        w.u32(i < m.attempts.size() ? m.attempts[i] : 0);
        w.bytes(m.items[i]);
      }
      break;
    case MessageType::Ready:
      break;
    case MessageType::InitFailed:
      w.str(m.text);
      break;
    case MessageType::ItemDone:
      w.u64(m.task_id);
      w.u32(m.index);
      w.u8(m.ok ? 1 : 0);
      if (m.ok) {
        w.bytes(m.payload);
      } else {
        w.str(m.text);
      }
      break;
  }
  Bytes frame = w.take();
  const std::size_t body = frame.size() - 4;
  if (body > kMaxFrame) throw MessageError("message larger than the frame limit");
  for (std::size_t i = 0; i < 4; ++i) frame[i] = static_cast<std::uint8_t>(body >> (8 * i));
  return frame;
}

Message decode(std::span<const std::uint8_t> body) {
  Reader r(body);
  if (const std::uint8_t version = r.u8(); version != kVersion)
    throw MessageError("protocol version " + std::to_string(version) + ", expected " + std::to_string(kVersion));
  Message m;
  const std::uint8_t type = r.u8();
  switch (type) {
    case static_cast<std::uint8_t>(MessageType::Init):
      m.type = MessageType::Init;
      m.kind = r.str();
      m.items.push_back(r.bytes());
      break;
    case static_cast<std::uint8_t>(MessageType::Task): {
      m.type = MessageType::Task;
      m.task_id = r.u64();
      m.kind = r.str();
      const std::uint32_t count = r.u32();
      // Each item costs at least 8 bytes (attempt, length): a count beyond that is a lie, refused before reserving.
      if (count > r.remaining() / 8) throw MessageError("task item count exceeds the message size");
      m.items.reserve(count);
      m.attempts.reserve(count);
      for (std::uint32_t i = 0; i < count; ++i) {
        m.attempts.push_back(r.u32());
        m.items.push_back(r.bytes());
      }
      break;
    }
    case static_cast<std::uint8_t>(MessageType::Ready):
      m.type = MessageType::Ready;
      break;
    case static_cast<std::uint8_t>(MessageType::InitFailed):
      m.type = MessageType::InitFailed;
      m.text = r.str();
      break;
    case static_cast<std::uint8_t>(MessageType::ItemDone):
      m.type = MessageType::ItemDone;
      m.task_id = r.u64();
      m.index = r.u32();
      m.ok = r.boolean();
      if (m.ok) {
        m.payload = r.bytes();
      } else {
        m.text = r.str();
      }
      break;
    default:
      throw MessageError("unknown message type " + std::to_string(type));
  }
  r.finish();
  return m;
}

void FrameReader::feed(std::span<const std::uint8_t> data) {
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

std::optional<Bytes> FrameReader::next() {
  if (buffered() < 4) return std::nullopt;
  Reader header({buffer_.data() + start_, 4});
  const std::uint32_t length = header.u32();
  if (length > kMaxFrame) throw MessageError("frame length " + std::to_string(length) + " exceeds the limit");
  if (buffered() - 4 < length) return std::nullopt;
  const auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(start_ + 4);
  Bytes body(first, first + static_cast<std::ptrdiff_t>(length));
  start_ += 4 + length;
  // Compact once the consumed prefix dominates, so a long stream does not grow the buffer forever.
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > (1u << 16) && start_ * 2 > buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  return body;
}

}  // namespace imgpool::pool::wire
