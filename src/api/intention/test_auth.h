#pragma once

// Test-only authentication for the intention route tests: "Authorization: Bearer <account
// name>" stands for a valid token of that account of the IntentionEnv graph, so the tests
// exercise the routes without signing tokens.

#include <string>

#include "api/auth_context.h"
#include "http/message.h"
#include "intentions/test_env.h"

namespace broker::api::testing {

// The account named by the bearer value; Unauthenticated without one or for an unknown name.
inline Result<AccountPrincipal> AccountNamedByBearer(intentions::testing::IntentionEnv& env,
                                                     const http::Request& request) {
  auto header = request.Header("authorization");
  if (!header || header->substr(0, 7) != "Bearer ") return Unauthenticated();
  const intentions::Opener opener = env.OpenerFor(std::string(header->substr(7)));
  if (opener.account_id.empty()) return Unauthenticated();
  return AccountPrincipal{opener.account_id, opener.vertex_id, opener.client_id,
                          opener.jti,        opener.sub,       opener.exp};
}

}  // namespace broker::api::testing
