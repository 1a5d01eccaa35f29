#pragma once

// Where tokens were delivered, and on-demand GitHub secret sync:
//   GET  /v1/collection/broker-account/:id/deliveries   session: the account's delivery records,
//        newest first: [{kind, target, version?, at, outcome, error?, jti}]
//   POST /v1/collection/:collection/:id/sync?queue=Q|type=T&dryRun=true
//        session + admin or sudo on the object (reference section 9). `type` secrets or `queue`
//        GITHUB_SYNC_SECRETS: every key of the tools path of each service whose `source`
//        repository is synced and reached from the object (a broker account or team: the
//        repositories downstream of it; a repository: itself) is queued for GitHub in the
//        delivery outbox. 201 with an empty body, or with dryRun the target repository
//        documents. 400 "Sync query requires either queue or type"; 404 for a collection or
//        queue without a rule; 503 when GITHUB_SYNC_CLIENT_ID / GITHUB_SYNC_PRIVATE_KEY are
//        not set, or the tools store cannot be read.

#include <functional>
#include <string>
#include <string_view>

#include "api/auth_context.h"
#include "graph/graph.h"
#include "http/router.h"
#include "secrets/outbox.h"
#include "secrets/tools_store.h"
#include "store/database.h"

namespace broker::api::secrets_api {

struct SyncDeps {
  graph::Graph* graph = nullptr;
  store::Database* db = nullptr;
  std::string tools_path_template;
  std::string managed_url_regex;
  bool github_enabled = false;  // GITHUB_SYNC_CLIENT_ID and GITHUB_SYNC_PRIVATE_KEY are set
};

struct SecretsApiDeps {
  Auth auth;
  broker::secrets::Outbox* outbox = nullptr;
  // NotFound when no broker account has this id.
  std::function<Status(std::string_view account_id)> account_exists;
  SyncDeps sync;  // the sync route is added only when sync.graph is set
};

// The pointers in `deps` must outlive the router.
void AddSecretsRoutes(http::Router& router, const SecretsApiDeps& deps);

}  // namespace broker::api::secrets_api
