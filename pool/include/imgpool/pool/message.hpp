#pragma once
// The wire format between a ProcessPoolExecutor and its worker processes: length-prefixed, versioned
// messages. Everything read from the other side is validated; a malformed or truncated message throws
// MessageError, never undefined behaviour. Standard library only (no <ranges>), so that the libFuzzer
// target in tests/fuzz can build it with clang.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <imgpool/pool/error.hpp>

namespace imgpool::pool {

/// serialised task arguments and results
using Bytes = std::vector<std::uint8_t>;

/// a message from the other process is malformed, truncated or of another version
class MessageError : public Error {
 public:
  using Error::Error;
};

namespace wire {

/// the protocol version both sides must speak; a message of any other version is refused
inline constexpr std::uint8_t kVersion = 1;
/// the largest frame body either side accepts (a chunk of arguments or one result)
inline constexpr std::uint32_t kMaxFrame = 256u << 20;

/// appends little-endian fixed-width values and length-prefixed strings/bytes to a buffer.
/// Also the building block for task kinds' own argument codecs (e.g. core's file job).
class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void f64(double v);
  /// a u32 length, then the bytes
  void bytes(std::span<const std::uint8_t> v);
  void str(std::string_view v);
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

/// reads what Writer wrote; every read checks the remaining length and throws MessageError if short
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) noexcept : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  double f64();
  Bytes bytes();
  std::string str();
  /// a u8 that must be 0 or 1
  bool boolean();
  std::size_t remaining() const noexcept { return in_.size() - pos_; }
  /// throws MessageError unless everything was read (trailing garbage is an error too)
  void finish() const;

 private:
  std::span<const std::uint8_t> take(std::size_t n);
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
};

/// what a message is
enum class MessageType : std::uint8_t {
  Init = 1,         ///< parent → worker, first: the initializer kind ("" = none) and its argument
  Task = 2,         ///< parent → worker: run `kind` on each of `items` (with its `attempts`), in order
  Ready = 3,        ///< worker → parent: the initializer succeeded
  InitFailed = 4,   ///< worker → parent: the initializer threw; `text` says why; the worker exits
  ItemDone = 5,     ///< worker → parent: item `index` of task `task_id` finished (ok, or failed with `text`)
};

/// one message; which fields matter depends on `type` (see MessageType)
struct Message {
  MessageType type = MessageType::Ready;
  std::uint64_t task_id = 0;
  std::uint32_t index = 0;
  bool ok = true;
  std::string kind{};        ///< Init, Task
  std::string text{};        ///< InitFailed, ItemDone when !ok: the error message
  std::vector<Bytes> items{};  ///< Init: one argument; Task: the arguments
  /// Task: per item, how many workers died while running it before (0 = first run); decode fills
  /// one per item, encode sends 0 for a missing entry
  std::vector<std::uint32_t> attempts{};
  Bytes payload{};           ///< ItemDone when ok: the result

  friend bool operator==(const Message&, const Message&) = default;
};

/// the frame for `m`: a u32 body length, then the body (version, type, fields)
Bytes encode(const Message& m);

/// decodes one frame body (without its length prefix); throws MessageError when it is malformed
Message decode(std::span<const std::uint8_t> body);

/// splits a byte stream into frame bodies. Not thread-safe.
///
///   FrameReader r; r.feed(chunk_from_socket);
///   while (auto body = r.next()) handle(decode(*body));
class FrameReader {
 public:
  /// appends bytes read from the stream
  void feed(std::span<const std::uint8_t> data);
  /// the next complete body, or nullopt when more bytes are needed; throws MessageError when the
  /// announced length exceeds kMaxFrame
  std::optional<Bytes> next();
  /// bytes received but not yet returned (a partial frame)
  std::size_t buffered() const noexcept { return buffer_.size() - start_; }

 private:
  Bytes buffer_;
  std::size_t start_ = 0;
};

}  // namespace wire
}  // namespace imgpool::pool
