// Base64 (RFC 4648, standard alphabet, padded) for binary content in MCP messages and rank files.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry {

std::string Base64Encode(std::string_view bytes);
// Null when `text` is not valid base64 (ASCII whitespace is ignored; padding is optional).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace ferry
