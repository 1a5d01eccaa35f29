#pragma once

// Human sign-in routes (API.md "Human sign-in"):
//   POST /auth/local/login {username, password} -> 200 {csrfToken} + session cookie
//   POST /auth/logout                            -> 204, cookie cleared (CSRF required)
//   GET  /v1/collection/user/self, /auth/user    -> the signed-in user
//   GET  /auth/providers                         -> {local: true, oidc: {enabled, label}}
//   GET  /auth/login?return=/path                -> 302 to the OIDC provider (when configured)
//   GET  /auth/callback?code=..&state=..         -> 302 to the return path with a session
// Every response carries Cache-Control: no-store.

#include <functional>
#include <string>

#include "api/auth/session_auth.h"
#include "http/router.h"
#include "users/credentials.h"
#include "users/oidc.h"
#include "users/sessions.h"
#include "users/user_directory.h"
#include "users/web_policy.h"

namespace broker::api::auth {

// One sign-in event, for the audit log. Never holds a secret.
struct AuthEvent {
  std::string action;    // "login", "logout", "oidc-login"
  std::string outcome;   // "success" or "failure"
  std::string username;  // as typed or as mapped; may be empty
  std::string reason;    // internal reason of a failure
  std::string remote_address;
  std::string request_id;
};

struct AuthServices {
  users::CredentialStore& credentials;
  users::SessionStore& sessions;
  users::UserDirectory& directory;
  users::RateLimiter& login_limiter;  // per client IP (SECURITY.md 3.4: 20/min)
  SessionAuthenticator& authenticator;
  users::OidcClient* oidc = nullptr;               // null: OIDC sign-in not configured
  std::function<void(const AuthEvent&)> on_event;  // optional audit hook
};

// Adds the routes above to `router`. The services must outlive the router.
void AddAuthRoutes(http::Router& router, const AuthServices& services);

}  // namespace broker::api::auth
