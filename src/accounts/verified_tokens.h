#pragma once

// Remembers tokens that already passed strict verification, so that a token presented again
// costs a hash instead of an RSA verification and a JSON parse.
//
// Everything VerifyDetailed checks except time is a function of the token's exact bytes and
// the (immutable) KeySet: format, encoding, JSON, header profile, key, signature, claim types.
// So a token whose SHA-256 matches one that passed is known to pass them again; only the time
// checks (jwt::CheckTimeClaims) are repeated, at the new `now`. Failures are never remembered.
// Revocation, rules and registry state are not part of this: they are checked on every request
// (accounts/token_facts.h). The cache holds digests and claims, never a token. At most
// `capacity` entries; it is emptied when full.
//
// Thread-safety: Verify may be called from any number of threads.

#include <cstddef>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "jwt/jwt.h"

namespace broker::accounts {

class VerifiedTokens {
 public:
  VerifiedTokens(const jwt::KeySet& keys, jwt::VerifyOptions options, size_t capacity = 4096)
      : keys_(keys), options_(options), capacity_(capacity) {}

  // As keys.VerifyDetailed(token, now, options, claims_out).
  std::optional<jwt::VerifyError> Verify(std::string_view token, int64_t now,
                                         jwt::Claims* claims_out);

  size_t size() const;

 private:
  const jwt::KeySet& keys_;
  const jwt::VerifyOptions options_;
  const size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, jwt::Claims> verified_;  // SHA-256 (hex) of the token
};

}  // namespace broker::accounts
