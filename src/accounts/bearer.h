#pragma once

// Authentication of broker account tokens (`Authorization: Bearer <jwt>`), independent of the
// HTTP layer: the handler layer extracts BearerCredentials from the request.
//
// Checks, in order; the first failure decides:
//   1. transport: exactly one Authorization header, scheme "Bearer" (any case), one space, one
//      token with no whitespace; no token in the query string (RFC 6750 allows one method per
//      request, and a query keeps the token out of logs only if refused)      -> 401
//   2. signature and time claims, strictly (jwt::KeySet::VerifyDetailed)           -> 401
//   3. a registry row with this jti, whose client_id, sub, exp and iat equal the
//      token's                                                                     -> 401
//   4. the row's account still exists and still has the token's client_id          -> 401
//   5. allow/block rules (accounts/access_rules.h)                                 -> 403
//   6. the row's state at now: blocked (revoked, superseded, grace over)           -> 403
//      "Block list has match"; expired (exp <= now, exact, no leeway)              -> 401
// Step 2 remembers tokens that already passed (accounts/verified_tokens.h: only the time checks
// are repeated); steps 3 and 5 read through TokenFactsReader (accounts/token_facts.h), which is
// exact: a revoke or rule change is effective for the next request on every node. A success
// records the last use in memory (LastUseTracker); each attempt is audited (authentication
// start and end) through the batched writer.
//
// 401 errors are Unauthenticated("Unauthorized"); 403 errors are PermissionDenied("Invalid
// JWT") with the label "Block list has match" or "Allow list has no match". The reason is
// logged with the jti only.
//
// Thread-safety: Authenticate may be called from any number of threads.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/access_rules.h"
#include "accounts/directory.h"
#include "accounts/last_use.h"
#include "accounts/registry.h"
#include "accounts/token_facts.h"
#include "accounts/verified_tokens.h"
#include "api/auth_context.h"
#include "audit/batch_writer.h"
#include "core/clock.h"
#include "jwt/jwt.h"

namespace broker::accounts {

struct BearerCredentials {
  size_t authorization_count = 0;
  std::string authorization;  // the value of the only Authorization header
  bool token_in_query = false;
  std::string source_ip;
  std::string user_agent;
};

struct BearerOptions {
  jwt::VerifyOptions verify;
};

// The token of an Authorization value "<scheme> <token>": scheme "bearer" in any case, exactly
// one space, a non-empty token without whitespace. nullopt otherwise.
std::optional<std::string_view> ParseBearer(std::string_view authorization);

// PermissionDenied unless the caller's token belongs to `account_id`.
Status CheckAccountScope(const api::AccountPrincipal& caller, std::string_view account_id);

class BearerAuthenticator {
 public:
  // `last_use` and `audit` may be null (then that bookkeeping is skipped). Registry rows and
  // access rules are read from `registry.database()`, whose change counter keeps the cached
  // facts exact.
  BearerAuthenticator(const jwt::KeySet& keys, TokenRegistry& registry, AccountDirectory& directory,
                      LastUseTracker* last_use, audit::BatchWriter* audit, const Clock& clock,
                      BearerOptions options = {})
      : directory_(directory),
        last_use_(last_use),
        audit_(audit),
        clock_(clock),
        options_(options),
        verified_(keys, options.verify),
        facts_(registry.database()) {}

  Result<api::AccountPrincipal> Authenticate(const BearerCredentials& credentials);

 private:
  Result<api::AccountPrincipal> Check(const BearerCredentials& credentials, jwt::Claims& claims);
  Result<api::AccountPrincipal> CheckRegistry(const jwt::Claims& claims, UnixSeconds now);
  void Finish(const BearerCredentials& credentials, const jwt::Claims& claims,
              const Result<api::AccountPrincipal>& outcome);

  AccountDirectory& directory_;
  LastUseTracker* last_use_;
  audit::BatchWriter* audit_;
  const Clock& clock_;
  const BearerOptions options_;
  VerifiedTokens verified_;
  TokenFactsReader facts_;
};

}  // namespace broker::accounts
