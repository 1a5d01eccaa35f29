#include "sync/targets.h"

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "core/json.h"
#include "sync/github_client.h"

namespace broker::sync {
namespace {

constexpr int kMaxSyncDepth = 8;
constexpr char kTokenKeyPrefix[] = "broker-jwt:";

const graph::Vertex* UniqueProject(const graph::Snapshot& snapshot, const graph::Vertex& service) {
  const graph::Vertex* project = nullptr;
  for (const graph::Edge* edge : snapshot.In(service.id)) {
    if (edge->name != "component") continue;
    const graph::Vertex* parent = snapshot.FindVertex(edge->source);
    if (parent == nullptr || parent->collection != "project") continue;
    if (project != nullptr) return nullptr;
    project = parent;
  }
  return project;
}

std::vector<graph::ProjectService> SourceServices(const graph::Snapshot& snapshot,
                                                  const graph::Vertex& repository) {
  std::vector<graph::ProjectService> services;
  for (const graph::Edge* edge : snapshot.In(repository.id)) {
    if (edge->name != "source") continue;
    const graph::Vertex* service = snapshot.FindVertex(edge->source);
    if (service == nullptr || service->collection != "service") continue;
    if (const graph::Vertex* project = UniqueProject(snapshot, *service)) {
      services.push_back({project, service});
    }
  }
  return services;
}

std::vector<const graph::Vertex*> RepositoriesFrom(const graph::Snapshot& snapshot,
                                                   const graph::Vertex& vertex) {
  if (vertex.collection == "repository") return {&vertex};
  std::vector<const graph::Vertex*> repositories;
  for (const graph::Step& step : snapshot.Downstream(vertex.id, kMaxSyncDepth)) {
    if (step.vertex->collection == "repository") repositories.push_back(step.vertex);
  }
  return repositories;
}

// The jti of a JWT value, so the deliveries list can name the token; empty when the value is
// not a JWT. The value itself goes nowhere.
std::string JtiOf(const SecretString& value) {
  const std::string& text = value.RevealForUse();
  const size_t first = text.find('.');
  const size_t second = text.find('.', first == std::string::npos ? first : first + 1);
  if (first == std::string::npos || second == std::string::npos) return {};
  auto payload = Base64UrlDecode(std::string_view(text).substr(first + 1, second - first - 1));
  if (!payload) return {};
  auto claims = ParseStrictJson(*payload);
  if (!claims.ok() || !claims->is_object() || !(*claims)["jti"].is_string()) return {};
  return (*claims)["jti"].get<std::string>();
}

std::string AccountIdOf(const graph::Snapshot& snapshot, const std::string& key) {
  if (!key.starts_with(kTokenKeyPrefix)) return {};
  const Json client_id = key.substr(sizeof(kTokenKeyPrefix) - 1);
  const graph::Vertex* account = snapshot.FindByField("brokerAccount", "clientId", client_id);
  return account == nullptr ? std::string() : account->object_id;
}

// The GitHub delivery of one key of a tools path read as `secret`.
secrets::DeliveryRequest KeyDelivery(const graph::Snapshot& snapshot, const std::string& repo,
                                     const secrets::ToolsSecret& secret, const std::string& key,
                                     const SecretString& value) {
  const auto generation = secret.generations.find(key);
  return {
      .kind = secrets::DeliveryKind::kGithub,
      .target = repo,
      .key = key,
      .value = value,
      .generation = generation == secret.generations.end() ? secret.version : generation->second,
      .account_id = AccountIdOf(snapshot, key),
      .jti = JtiOf(value),
      .then_github = {}};
}

}  // namespace

Result<std::optional<std::string>> SyncedRepo(const graph::Vertex& repository,
                                              const std::string& managed_url_regex) {
  const Json& doc = repository.doc;
  const bool enabled = doc.is_object() && doc.value("enableSyncSecrets", Json(false)) == true;
  if (!enabled || !doc["scmUrl"].is_string()) return std::optional<std::string>();
  return ManagedRepo(doc["scmUrl"].get<std::string>(), managed_url_regex);
}

Result<std::vector<std::string>> SyncedRepositoriesOf(const graph::Snapshot& snapshot,
                                                      const graph::Vertex& service,
                                                      const std::string& managed_url_regex) {
  std::set<std::string> repos;
  for (const graph::Edge* edge : snapshot.Out(service.id)) {
    if (edge->name != "source") continue;
    const graph::Vertex* repository = snapshot.FindVertex(edge->target);
    if (repository == nullptr || repository->collection != "repository") continue;
    BROKER_ASSIGN_OR_RETURN(const auto repo, SyncedRepo(*repository, managed_url_regex));
    if (repo) repos.insert(*repo);
  }
  return std::vector<std::string>(repos.begin(), repos.end());
}

Result<std::vector<RepositorySync>> SyncTargets(const graph::Snapshot& snapshot,
                                                const graph::Vertex& vertex,
                                                const std::string& managed_url_regex) {
  static const std::set<std::string> kWithRule = {"brokerAccount", "team", "repository"};
  if (!kWithRule.contains(vertex.collection)) {
    return NotFound("No secrets sync queue is configured for collection " + vertex.collection);
  }
  std::vector<RepositorySync> targets;
  for (const graph::Vertex* repository : RepositoriesFrom(snapshot, vertex)) {
    BROKER_ASSIGN_OR_RETURN(const auto repo, SyncedRepo(*repository, managed_url_regex));
    if (!repo) continue;
    targets.push_back({repository, *repo, SourceServices(snapshot, *repository)});
  }
  return targets;
}

Result<int> EnqueueSync(const std::vector<RepositorySync>& targets,
                        const secrets::ToolsPathTemplate& path_template, secrets::Outbox& outbox,
                        store::Database& db, const std::string& account_id) {
  std::vector<secrets::JobRequest> jobs;
  for (const RepositorySync& target : targets) {
    for (const graph::ProjectService& bound : target.services) {
      BROKER_ASSIGN_OR_RETURN(std::string path,
                              path_template.Render(bound.project->name, bound.service->name));
      jobs.push_back({.kind = secrets::DeliveryKind::kGithubSync,
                      .target = target.repo,
                      .key = std::move(path),
                      .account_id = account_id,
                      .jti = {}});
    }
  }
  const Status queued = db.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    for (const secrets::JobRequest& job : jobs) {
      BROKER_RETURN_IF_ERROR(outbox.EnqueueJob(session, job));
    }
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(queued);
  return static_cast<int>(jobs.size());
}

Result<std::vector<secrets::DeliveryRequest>> GithubSyncExpander::Expand(
    const secrets::Delivery& job) {
  std::vector<secrets::DeliveryRequest> deliveries;
  auto secret = tools_.Read(job.key);
  if (!secret.ok() && secret.error().code() == ErrorCode::kNotFound) return deliveries;
  BROKER_RETURN_IF_ERROR(secret);
  const auto snapshot = graph_.snapshot();
  for (const auto& [key, value] : secret->data) {
    deliveries.push_back(KeyDelivery(*snapshot, job.target, *secret, key, value));
  }
  return deliveries;
}

}  // namespace broker::sync
