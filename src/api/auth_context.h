#pragma once

// Who is calling. Two kinds of caller reach the API: a person signed in through the web UI
// (session cookie, CSRF token on unsafe methods) and a team's automation presenting a broker
// account token (Authorization: Bearer). Handlers ask for the kind they accept.

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "http/message.h"

namespace broker::api {

struct UserPrincipal {
  std::string user_id;    // id of the user's collection object
  std::string vertex_id;  // id of the user's graph vertex
  std::string username;
  std::string name;
  std::string email;
  bool admin = false;
  std::string csrf_token;  // of the current session
};

struct AccountPrincipal {
  std::string account_id;  // id of the brokerAccount collection object
  std::string vertex_id;
  std::string client_id;
  std::string jti;
  std::string sub;
  int64_t exp = 0;
};

// Resolves the caller of a request. Each function returns:
//   Unauthenticated   no credential, or an invalid, expired, unknown one (401);
//   PermissionDenied  a blocked token, a missing or wrong CSRF token on an unsafe method, or a
//                     request carrying both a cookie session and a bearer token (403).
struct Auth {
  std::function<Result<UserPrincipal>(const http::Request&)> require_user;
  std::function<Result<AccountPrincipal>(const http::Request&)> require_account;
};

}  // namespace broker::api
