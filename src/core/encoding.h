#pragma once

// Byte encodings shared by several modules. The base64url decoder is strict: it is the one the
// JWT verifier relies on for canonical input (no padding, no '+' or '/', no whitespace, no
// non-zero unused bits).

#include <optional>
#include <string>
#include <string_view>

namespace broker {

// Unpadded base64url (RFC 4648 section 5).
std::string Base64UrlEncode(std::string_view bytes);
// Strict unpadded base64url. Returns nullopt for any character outside [A-Za-z0-9_-], a length
// of 1 mod 4, or non-zero unused trailing bits.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Standard padded base64 (RFC 4648 section 4), as GitHub and Vault use.
std::string Base64Encode(std::string_view bytes);
// Strict standard base64 with required padding.
std::optional<std::string> Base64Decode(std::string_view text);

// Lower-case hexadecimal.
std::string HexEncode(std::string_view bytes);

// True if `text` is well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

}  // namespace broker
