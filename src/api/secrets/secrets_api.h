#pragma once

// Where tokens were delivered, and on-demand GitHub secret sync:
//   GET  /v1/collection/broker-account/:id/deliveries   session: the account's delivery records,
//        newest first: [{kind, target, path?, version?, at, outcome, error?, jti}]
//   POST /v1/collection/:collection/:id/sync?queue=Q|type=T&dryRun=true
//        session + admin or sudo on the object (reference section 9). `type` secrets or `queue`
//        GITHUB_SYNC_SECRETS: one `github-sync` outbox job per synced repository reached from
//        the object (a broker account or team: the repositories downstream of it; a
//        repository: itself) and tools path of its `source` services; each job copies every
//        key of its path when it runs, so this answers at once even while Vault is down.
//        201 with an empty body, or with dryRun the target repository documents. 400 "Sync
//        query requires either queue or type"; 404 for a collection or queue without a rule;
//        503 when GITHUB_SYNC_CLIENT_ID / GITHUB_SYNC_PRIVATE_KEY are not set.

#include <functional>
#include <string>
#include <string_view>

#include "api/auth_context.h"
#include "graph/graph.h"
#include "http/router.h"
#include "secrets/outbox.h"
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
