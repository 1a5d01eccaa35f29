#pragma once

// Secret<T>: a token, key or password that must never reach a log, an error message, an audit
// record or a JSON body by accident.
//
// The wrapper has no operator<<, no fmt formatter, no to_json and no operator==, so any attempt
// to print, serialise or compare it directly fails to compile. The only way in is
// `RevealForUse()`, which is easy to grep for in review. Compare secrets with
// `SecretEquals` (constant time).

#include <string>
#include <string_view>
#include <utility>

namespace broker {

template <typename T>
class Secret {
 public:
  Secret() = default;
  explicit Secret(T value) : value_(std::move(value)) {}

  // The wrapped value, for the code that really needs it (signing, sending to Vault).
  const T& RevealForUse() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  T value_;
};

using SecretString = Secret<std::string>;

// Constant-time equality of two byte strings (sodium_memcmp). Lengths are compared first;
// a length mismatch returns false without touching the contents.
bool SecretEquals(std::string_view a, std::string_view b);

// SHA-256 of `bytes`, hex-encoded. For storing session ids and intention tokens by hash.
std::string Sha256Hex(std::string_view bytes);

// HMAC-SHA256 of `message` under `key`, hex-encoded. For audit references to a token.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace broker
