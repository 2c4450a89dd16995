#pragma once
// File names are bytes. What the command writes about them must stay valid (JSON is UTF-8) and safe (a
// name can hold terminal control sequences), and must not lose a name that is not UTF-8.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace imgpool::app {

/// whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
bool is_utf8(std::string_view bytes);

/// puts a path under `key`: its UTF-8 as is; a name that is not UTF-8 shows each bad byte as U+FFFD
/// under `key` and is kept whole, as lowercase hex of its bytes, under `key` + "_hex"
void put_path(nlohmann::json& object, const std::string& key, std::string_view bytes);

/// the bytes a report line names under `key`: `key`_hex decoded where present, else `key` as is
std::string path_bytes(const nlohmann::json& object, const std::string& key);

/// `bytes` made safe for a terminal: C0 and C1 controls, DEL and every byte that is not part of valid
/// UTF-8 become \xNN (a newline in a name cannot start a fake line, an escape cannot move the cursor)
std::string printable(std::string_view bytes);

/// one JSON text on one line, never throwing on bad UTF-8 (each bad byte becomes U+FFFD)
std::string dump_line(const nlohmann::json& value);

}  // namespace imgpool::app
