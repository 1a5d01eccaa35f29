#pragma once

// Where tokens were delivered:
//   GET /v1/collection/broker-account/:id/deliveries   session: the account's delivery records,
//       newest first: [{kind, target, version?, at, outcome, error?, jti}]

#include <functional>
#include <string_view>

#include "api/auth_context.h"
#include "http/router.h"
#include "secrets/outbox.h"

namespace broker::api::secrets_api {

struct SecretsApiDeps {
  Auth auth;
  broker::secrets::Outbox* outbox = nullptr;
  // NotFound when no broker account has this id.
  std::function<Status(std::string_view account_id)> account_exists;
};

// The pointers in `deps` must outlive the router.
void AddSecretsRoutes(http::Router& router, const SecretsApiDeps& deps);

}  // namespace broker::api::secrets_api
