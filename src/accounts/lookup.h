#pragma once

// "Paste a client_id or a whole token into search": finds the account and, for a token, the
// registry row by jti, without needing (or trusting) anything secret.
//
// A token is decoded WITHOUT verification (jwt::DecodeUnverified) only to read client_id and
// jti; the answer says separately whether its signature verifies with the configured keys.
// Nothing of the pasted text is logged except a jti.
//
// Thread-safety: Lookup may be called from any number of threads.

#include <optional>
#include <string>

#include "accounts/directory.h"
#include "accounts/registry.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"
#include "jwt/jwt.h"

namespace broker::accounts {

struct LookupResult {
  AccountRecord account;
  bool from_token = false;  // the query was a token, not a client_id
  // The token's row (for a token), or the account's newest row (for a client_id).
  std::optional<std::string> jti;
  std::optional<std::string> state;  // active, grace, blocked, expired; "unknown" without a row
  std::optional<UnixSeconds> grace_until;
  std::optional<int64_t> exp;
  std::optional<bool> signature_valid;  // for a token only
};

// {account{id,name,clientId}, jti?, state?, graceUntil?, exp?, signatureValid?, kind}
Json LookupJson(const LookupResult& result);

class TokenLookup {
 public:
  TokenLookup(TokenRegistry& registry, AccountDirectory& directory, const jwt::KeySet& keys,
              const Clock& clock)
      : registry_(registry), directory_(directory), keys_(keys), clock_(clock) {}

  // InvalidArgument if `query` is neither a UUID nor a decodable token (or the token carries no
  // string client_id); NotFound if no account has the client_id.
  Result<LookupResult> Lookup(const SecretString& query);

 private:
  Result<LookupResult> ByClientId(const std::string& client_id);
  Result<LookupResult> ByToken(std::string_view token);

  TokenRegistry& registry_;
  AccountDirectory& directory_;
  const jwt::KeySet& keys_;
  const Clock& clock_;
};

}  // namespace broker::accounts
