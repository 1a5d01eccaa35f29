#pragma once

// Which GitHub repositories receive a service's tools secrets, and the on-demand sync of
// `POST /v1/collection/:collection/:id/sync` (reference section 9, seeded sync rules).
//
// A repository is synced when its `enableSyncSecrets` is true and its `scmUrl` matches
// GITHUB_MANAGED_URL_REGEX; it receives the tools secrets of every service that points at it
// with a `source` edge and has exactly one `component` project.
//
// Thread-safety: pure functions over an immutable graph::Snapshot; EnqueueSync is as
// thread-safe as the ToolsStore and Outbox it is given.

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/snapshot.h"
#include "graph/traversals.h"
#include "secrets/outbox.h"
#include "secrets/tools_path.h"
#include "secrets/tools_store.h"
#include "store/database.h"

namespace broker::sync {

inline constexpr char kDefaultManagedUrlRegex[] =
    "^https://github.com/([a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+)$";

// "owner/repo" of a repository vertex whose secrets are synced, nullopt for one that is not
// (sync disabled, no scmUrl, unmanaged URL). InvalidArgument if the regex does not compile.
Result<std::optional<std::string>> SyncedRepo(const graph::Vertex& repository,
                                              const std::string& managed_url_regex);

// The synced repositories of `service` ("owner/repo", sorted, each once).
// InvalidArgument if the regex does not compile.
Result<std::vector<std::string>> SyncedRepositoriesOf(const graph::Snapshot& snapshot,
                                                      const graph::Vertex& service,
                                                      const std::string& managed_url_regex);

struct RepositorySync {
  const graph::Vertex* repository = nullptr;
  std::string repo;                             // "owner/repo"
  std::vector<graph::ProjectService> services;  // sources with a unique project
};

// The synced repositories reached from `vertex`: a broker account or a team reaches the
// repositories downstream of it (at most 8 edges, unrestricted ones); a repository reaches
// itself. NotFound for other collections (they have no secrets sync rule); InvalidArgument if
// the regex does not compile.
Result<std::vector<RepositorySync>> SyncTargets(const graph::Snapshot& snapshot,
                                                const graph::Vertex& vertex,
                                                const std::string& managed_url_regex);

// Reads the tools path of every service of `targets` and enqueues, in one write transaction,
// one `github` delivery per repository and key. Keys written with a generation keep it, so the
// outbox orders them against token generations; a `broker-jwt:<client_id>` key is recorded
// under its account. Tools paths that do not exist yet are skipped. Returns the number of
// deliveries enqueued. Errors: those of ToolsStore::Read (Unavailable while Vault is down) and
// of the database.
Result<int> EnqueueSync(const graph::Snapshot& snapshot, const std::vector<RepositorySync>& targets,
                        const secrets::ToolsPathTemplate& path_template, secrets::ToolsStore& tools,
                        secrets::Outbox& outbox, store::Database& db);

}  // namespace broker::sync
