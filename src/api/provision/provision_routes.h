#pragma once
// HTTP handlers of provisioning (reference section 7):
//
//   POST /v1/provision/approle/secret-id   X-Broker-Token (action) [+ X-Vault-Role-Id]
//   POST /v1/provision/token/self          X-Broker-Token (action) [+ X-Vault-Role-Id]
//
// Both answer 201 with Vault's response-wrapped answer (wrap TTL 60 s), `Cache-Control:
// no-store`; refusals as intentions::Provisioner documents.
//
// Thread-safety: the handlers are thread-safe.
#include "http/router.h"
#include "intentions/provision.h"

namespace broker::api {

// `provisioner` must outlive the router.
void RegisterProvisionRoutes(http::Router& router, intentions::Provisioner& provisioner);

}  // namespace broker::api
