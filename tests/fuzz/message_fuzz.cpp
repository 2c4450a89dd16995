// libFuzzer target for the process backend's wire format: FrameReader and decode() must refuse any
// byte stream with MessageError, never crash or read out of bounds; what decodes must re-encode to the
// same frame. Built by scripts/ci/30-fuzz-messages.sh with clang -fsanitize=fuzzer,address,undefined.
// Includes only message.hpp, which keeps to headers clang 14 can compile against libstdc++ 12.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <imgpool/pool/message.hpp>

namespace wire = imgpool::pool::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  // 1. The input as one frame body.
  try {
    const wire::Message m = wire::decode(input);
    const imgpool::pool::Bytes frame = wire::encode(m);
    if (frame.size() != size + 4 || std::memcmp(frame.data() + 4, data, size) != 0) std::abort();
  } catch (const imgpool::pool::MessageError&) {
  }
  // 2. The input as a stream, fed in uneven pieces.
  wire::FrameReader reader;
  try {
    std::size_t pos = 0, step = 1;
    while (pos < size) {
      const std::size_t n = step < size - pos ? step : size - pos;
      reader.feed(input.subspan(pos, n));
      pos += n;
      step = step * 3 % 17 + 1;
      while (auto body = reader.next()) {
        try {
          (void)wire::decode(*body);
        } catch (const imgpool::pool::MessageError&) {
        }
      }
    }
  } catch (const imgpool::pool::MessageError&) {
  }
  return 0;
}
