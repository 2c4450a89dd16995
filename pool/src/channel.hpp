#pragma once
// Channel: whole messages over the socket between a ProcessPoolExecutor and one of its workers. The
// framing both ends share; internal to pool/.

#include <optional>

#include <imgpool/pool/message.hpp>

namespace imgpool::pool::detail {

/// one end of a connected stream socket, as whole wire::Messages. Does not own the descriptor.
/// Not thread-safe.
class Channel {
 public:
  /// what one read() brought
  enum class ReadStatus {
    Data,         ///< bytes were added to the frame buffer
    Interrupted,  ///< nothing read (EINTR, EAGAIN): try again
    Closed,       ///< end of stream, or the socket failed
  };

  explicit Channel(int fd) noexcept : fd_(fd) {}

  /// the descriptor (for poll())
  int fd() const noexcept { return fd_; }

  /// encodes `m` and sends the whole frame; false when the other side is gone
  bool send(const wire::Message& m);

  /// one read() of what the socket has (blocks only if nothing is there) into the frame buffer
  ReadStatus read_some();

  /// the next message already read in full, or nullopt; throws MessageError for a malformed one
  std::optional<wire::Message> next();

  /// blocks for the next message (the worker's loop); nullopt at the end of stream between messages.
  /// Throws MessageError for a malformed message or one cut off by the end of stream.
  std::optional<wire::Message> receive();

 private:
  int fd_;
  wire::FrameReader reader_;
};

}  // namespace imgpool::pool::detail
