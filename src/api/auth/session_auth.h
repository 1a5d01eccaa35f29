#pragma once

// `require_user` for api::Auth: the session cookie, checked against the CSRF policy
// (users/web_policy.h), resolved to the signed-in user.

#include <optional>
#include <string>

#include "api/auth_context.h"
#include "core/secret.h"
#include "http/message.h"
#include "users/sessions.h"
#include "users/user_directory.h"
#include "users/web_policy.h"

namespace broker::api::auth {

struct WebConfig {
  // Served over TLS: cookies get Secure and the __Host- prefix.
  bool secure_cookies = false;
  users::OriginPolicy origin;
};

// The signed-in user of a request, with the profile fields the principal does not carry.
struct SessionUser {
  UserPrincipal principal;
  users::UserProfile profile;
};

// What the CSRF policy needs from `request` (methods other than GET/HEAD/OPTIONS are unsafe).
users::RequestFacts FactsOf(const http::Request& request, bool has_session_cookie);

// Thread-safe; the references must outlive it.
class SessionAuthenticator {
 public:
  SessionAuthenticator(users::SessionStore& sessions, users::UserDirectory& directory,
                       WebConfig config);

  // The session cookie's value, if the request has one.
  std::optional<SecretString> SessionCookie(const http::Request& request) const;
  // Resolves the caller. Unauthenticated without a cookie, for an unknown, ended or expired
  // session, or a user no longer in the directory; PermissionDenied for a cookie together
  // with an Authorization header, a cross-site unsafe request, or a missing or wrong
  // X-CSRF-Token on an unsafe method. Unavailable/Internal from the store.
  Result<SessionUser> Authenticate(const http::Request& request);
  // Authenticate, as api::Auth::require_user wants it.
  Result<UserPrincipal> RequireUser(const http::Request& request);

  const WebConfig& config() const { return config_; }

 private:
  users::SessionStore& sessions_;
  users::UserDirectory& directory_;
  WebConfig config_;
};

}  // namespace broker::api::auth
