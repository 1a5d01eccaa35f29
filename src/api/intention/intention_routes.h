#pragma once
// HTTP handlers of intentions (reference sections 4.5 and 6, API.md "Intentions and
// provisioning"):
//
//   POST /v1/intention/open?ttl=&quickstart=   account token: 201 tokens, or 400 refusals
//   POST /v1/intention/close?outcome=&reason=  X-Broker-Token (intention): 201
//   POST /v1/intention/action/start            X-Broker-Token (action): 201, empty body
//   POST /v1/intention/action/end?outcome=     X-Broker-Token (action): 201, empty body
//   POST /v1/intention/action/artifact         X-Broker-Token (action): 201 {buildGuid}
//   POST /v1/intention/action/patch            X-Broker-Token (action): 201 updated action
//   GET  /v1/intention/:id                     session or account token: the document
//   POST /v1/intention/search                  session or account token: {data, meta:{total}}
//   GET  /v1/collection/broker-account/:id/intentions   session: the account's history
//
// Search filters (query parameters, or members of a JSON body): account, project, service,
// action, outcome (success|failure|unknown|rejected|open), from, to (ISO 8601), offset, limit
// (default 10, at most 100). There is no raw query language. Responses never contain a stored
// token; open's answer (which carries the new tokens) is `Cache-Control: no-store`.
//
// Thread-safety: the handlers are thread-safe.
#include "api/auth_context.h"
#include "http/router.h"
#include "intentions/service.h"

namespace broker::api {

// `service` must outlive the router; `auth` is copied.
void RegisterIntentionRoutes(http::Router& router, intentions::IntentionService& service,
                             const Auth& auth);

}  // namespace broker::api
