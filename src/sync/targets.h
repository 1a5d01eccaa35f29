#pragma once

// Which GitHub repositories receive a service's tools secrets, and the on-demand sync of
// `POST /v1/collection/:collection/:id/sync` (reference section 9, seeded sync rules).
//
// A repository is synced when its `enableSyncSecrets` is true and its `scmUrl` matches
// GITHUB_MANAGED_URL_REGEX; it receives the tools secrets of every service that points at it
// with a `source` edge and has exactly one `component` project.
//
// Thread-safety: pure functions over an immutable graph::Snapshot; EnqueueSync and the
// expander are as thread-safe as the ToolsStore and Outbox they are given.

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"
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

// Enqueues, in one write transaction, one `github-sync` job per repository of `targets` and
// tools path of its services; the jobs read the tools space when they run (GithubSyncExpander),
// so this works while Vault is down. Jobs are recorded under `account_id` (may be empty).
// Returns the number of jobs. Errors: those of the database; InvalidArgument if a project or
// service name does not fit the template.
Result<int> EnqueueSync(const std::vector<RepositorySync>& targets,
                        const secrets::ToolsPathTemplate& path_template, secrets::Outbox& outbox,
                        store::Database& db, const std::string& account_id);

// Expands a `github-sync` job (target "owner/repo", key a tools path) into one `github`
// delivery per key of the path, read now: a key written with a generation keeps it, any other
// key takes the path's version, so the outbox orders each repository secret by what it holds;
// a `broker-jwt:<client_id>` key is recorded under its account and its token's jti. A path that
// does not exist yet expands to nothing. Errors: those of ToolsStore::Read (Unavailable while
// Vault is down, so the job is retried).
class GithubSyncExpander final : public secrets::DeliveryExpander {
 public:
  // `tools` and `graph` must outlive the expander.
  GithubSyncExpander(secrets::ToolsStore& tools, const graph::Graph& graph)
      : tools_(tools), graph_(graph) {}
  Result<std::vector<secrets::DeliveryRequest>> Expand(const secrets::Delivery& job) override;

 private:
  secrets::ToolsStore& tools_;
  const graph::Graph& graph_;
};

}  // namespace broker::sync
