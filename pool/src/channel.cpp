#include "channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace imgpool::pool::detail {

bool Channel::send(const wire::Message& m) {
  const Bytes frame = wire::encode(m);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

Channel::ReadStatus Channel::read_some() {
  std::uint8_t buffer[1 << 16];
  const ssize_t n = ::read(fd_, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return ReadStatus::Interrupted;
  if (n <= 0) return ReadStatus::Closed;
  reader_.feed({buffer, static_cast<std::size_t>(n)});
  return ReadStatus::Data;
}

std::optional<wire::Message> Channel::next() {
  if (auto body = reader_.next()) return wire::decode(*body);
  return std::nullopt;
}

std::optional<wire::Message> Channel::receive() {
  for (;;) {
    if (auto m = next()) return m;
    switch (read_some()) {
      case ReadStatus::Data:
      case ReadStatus::Interrupted:
        break;
      case ReadStatus::Closed:
        if (reader_.buffered() != 0) throw MessageError("the other side closed the socket mid-message");
        return std::nullopt;
    }
  }
}

}  // namespace imgpool::pool::detail
