#pragma once

// HTTP handlers for broker account tokens (API.md "Account tokens"):
//   GET    /v1/collection/broker-account/mine              session: accounts I may manage
//   GET    /v1/collection/broker-account/events            session or token: SSE {"clientId"}
//   GET    /v1/collection/broker-account/:id/token         session (or that account's token)
//   POST   /v1/collection/broker-account/:id/token         session + may manage: 201 {token}
//   DELETE /v1/collection/broker-account/:id/token         session + may manage: revoke all
//   DELETE /v1/collection/broker-account/:id/token/:jti    session + may manage: revoke one
//   GET    /v1/collection/broker-account/:id/token/permission  session: {mayManage, reason?}
//   POST   /v1/collection/broker-account/renewal?ttl=      account token: 201 {token}
//   POST   /v1/token/lookup {query}                        session: client_id or token look-up
//   GET    /v1/health/token-check                          account token: 204
//   GET    /.well-known/jwks.json                          none: public keys
// Handlers parse, call one accounts/ function and map the result; errors use the JSON envelope
// of http::Response::FromError. Responses carrying a token are `Cache-Control: no-store`.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "accounts/bearer.h"
#include "accounts/directory.h"
#include "accounts/lookup.h"
#include "accounts/registry.h"
#include "api/auth_context.h"
#include "core/clock.h"
#include "http/router.h"
#include "jwt/jwt.h"

namespace broker::api::token {

// The open SSE streams of token change events. Thread-safe.
class TokenEventHub {
 public:
  void Add(std::shared_ptr<http::EventSink> sink);
  // Sends {"clientId": ...} to every open stream and drops closed ones.
  void Publish(const std::string& client_id);
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<http::EventSink>> sinks_;
};

struct TokenApiDeps {
  Auth auth;
  accounts::TokenRegistry* registry = nullptr;
  accounts::AccountDirectory* directory = nullptr;
  accounts::TokenLookup* lookup = nullptr;
  const jwt::KeySet* keys = nullptr;
  TokenEventHub* events = nullptr;
  const Clock* clock = nullptr;
};

// Adds the routes above. The pointers in `deps` must outlive the router.
void AddTokenRoutes(http::Router& router, const TokenApiDeps& deps);

// The bearer credentials of a request (Authorization headers, token in the query, peer).
accounts::BearerCredentials CredentialsOf(const http::Request& request);

// An Auth::require_account backed by `authenticator`, which must outlive the function.
std::function<Result<AccountPrincipal>(const http::Request&)> RequireAccount(
    accounts::BearerAuthenticator& authenticator);

// One registry row as the token page shows it.
Json TokenRowJson(const accounts::TokenRow& row, UnixSeconds now);

}  // namespace broker::api::token
