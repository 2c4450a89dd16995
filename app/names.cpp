#include "names.hpp"

#include <cstdint>

namespace imgpool::app {

namespace {

// the length of the well-formed UTF-8 sequence at bytes[i], or 0 when bytes[i] starts none (RFC 3629)
std::size_t utf8_length(std::string_view bytes, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char b = at(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;  // overlong
    if (b == 0xED) hi = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;  // overlong
    if (b == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > bytes.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return n;
}

constexpr char kHex[] = "0123456789abcdef";

void append_hex_escape(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool is_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_length(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void put_path(nlohmann::json& object, const std::string& key, std::string_view bytes) {
  if (is_utf8(bytes)) {
    object[key] = std::string(bytes);
    return;
  }
  std::string shown, hex;
  hex.reserve(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_length(bytes, i);
    if (n == 0) {
      shown += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      shown.append(bytes.substr(i, n));
      i += n;
    }
  }
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  object[key] = std::move(shown);
  object[key + "_hex"] = std::move(hex);
}

std::string path_bytes(const nlohmann::json& object, const std::string& key) {
  const auto hex = object.find(key + "_hex");
  if (hex != object.end() && hex->is_string()) {
    const std::string& h = hex->get_ref<const std::string&>();
    std::string bytes;
    bool ok = h.size() % 2 == 0;
    for (std::size_t i = 0; ok && i < h.size(); i += 2) {
      const int hi = hex_value(h[i]), lo = hex_value(h[i + 1]);
      ok = hi >= 0 && lo >= 0;
      bytes += static_cast<char>(hi * 16 + lo);
    }
    if (ok) return bytes;
  }
  const auto plain = object.find(key);
  if (plain == object.end()) return {};
  return plain->is_string() ? plain->get<std::string>() : plain->dump();
}

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    const std::size_t n = utf8_length(bytes, i);
    if (n == 0 || b < 0x20 || b == 0x7F) {
      append_hex_escape(out, b);
      ++i;
      continue;
    }
    if (n == 2 && b == 0xC2 && static_cast<unsigned char>(bytes[i + 1]) < 0xA0) {  // C1 controls U+0080–U+009F
      append_hex_escape(out, b);
      append_hex_escape(out, static_cast<unsigned char>(bytes[i + 1]));
      i += 2;
      continue;
    }
    out.append(bytes.substr(i, n));
    i += n;
  }
  return out;
}

std::string dump_line(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace imgpool::app
