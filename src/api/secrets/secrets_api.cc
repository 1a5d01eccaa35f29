#include "api/secrets/secrets_api.h"

#include "core/ids.h"
#include "graph/permissions.h"
#include "sync/targets.h"

namespace broker::api::secrets_api {
namespace {

constexpr char kSecretsQueue[] = "GITHUB_SYNC_SECRETS";

http::Response ListDeliveries(const SecretsApiDeps& deps, const http::Request& request) {
  const std::string id(request.Param("id"));
  if (!IsObjectId(id)) {
    return http::Response::FromError(
        InvalidArgument("Validation failed (ObjectId: " + id + " is not a valid ObjectId)"));
  }
  if (auto user = deps.auth.require_user(request); !user.ok()) {
    return http::Response::FromError(user.error());
  }
  if (Status exists = deps.account_exists(id); !exists.ok()) {
    return http::Response::FromError(exists.error());
  }
  auto deliveries = deps.outbox->ListDeliveries(id);
  if (!deliveries.ok()) return http::Response::FromError(deliveries.error());
  Json body = Json::array();
  for (const broker::secrets::Delivery& delivery : *deliveries) {
    body.push_back(broker::secrets::DeliveryToJson(delivery));
  }
  return http::Response::Json(200, body);
}

// The collection object named by the path, if the user may sync it (admin, or sudo on it).
Result<const graph::Vertex*> SyncableObject(const graph::Snapshot& snapshot,
                                            const UserPrincipal& user,
                                            const http::Request& request) {
  const graph::CollectionConfig* config = snapshot.model().Find(request.Param("collection"));
  if (config == nullptr) return NotFound("Collection not found");
  const std::string id(request.Param("id"));
  if (!IsObjectId(id)) {
    return InvalidArgument("Validation failed (ObjectId: " + id + " is not a valid ObjectId)");
  }
  const graph::Vertex* vertex = snapshot.FindByObjectId(id);
  if (vertex == nullptr || vertex->collection != config->collection) return NotFound("Not Found");
  if (user.admin) return vertex;
  if (!graph::PermissionsFor(snapshot, user.vertex_id).Has(graph::Permission::kSudo, vertex->id)) {
    return PermissionDenied("Forbidden resource").WithLabel("Forbidden");
  }
  return vertex;
}

// Only the secrets queue is run by Broker; a request must name it by type or by queue.
Status CheckSyncQuery(const http::Request& request) {
  const auto queue = request.Query("queue");
  const auto type = request.Query("type");
  if (!queue && !type) return InvalidArgument("Sync query requires either queue or type");
  if (queue && *queue != kSecretsQueue) {
    return NotFound("No sync rule for queue " + std::string(*queue));
  }
  if (type && *type != "secrets") return NotFound("No sync rule for type " + std::string(*type));
  return OkStatus();
}

Result<http::Response> Sync(const SecretsApiDeps& deps, const http::Request& request) {
  BROKER_ASSIGN_OR_RETURN(const UserPrincipal user, deps.auth.require_user(request));
  const auto snapshot = deps.sync.graph->snapshot();
  BROKER_ASSIGN_OR_RETURN(const graph::Vertex* vertex, SyncableObject(*snapshot, user, request));
  BROKER_RETURN_IF_ERROR(CheckSyncQuery(request));
  BROKER_ASSIGN_OR_RETURN(const auto targets,
                          sync::SyncTargets(*snapshot, *vertex, deps.sync.managed_url_regex));
  if (!deps.sync.github_enabled) {
    return Unavailable(std::string("Sync queue ") + kSecretsQueue +
                       " requires GITHUB_SYNC_CLIENT_ID and GITHUB_SYNC_PRIVATE_KEY");
  }
  if (request.Query("dryRun") == std::optional<std::string_view>("true")) {
    Json body = Json::array();
    for (const sync::RepositorySync& target : targets) {
      body.push_back(graph::CollectionJson(*target.repository));
    }
    return http::Response::Json(201, body);
  }
  BROKER_ASSIGN_OR_RETURN(const auto path_template,
                          broker::secrets::ToolsPathTemplate::Parse(deps.sync.tools_path_template));
  // The jobs read the tools space when they run, so this answers at once even while Vault is
  // down; the account's deliveries list shows them.
  const std::string account_id = vertex->collection == "brokerAccount" ? vertex->object_id : "";
  BROKER_RETURN_IF_ERROR(
      sync::EnqueueSync(targets, path_template, *deps.outbox, *deps.sync.db, account_id));
  return http::Response::Empty(201);
}

}  // namespace

void AddSecretsRoutes(http::Router& router, const SecretsApiDeps& deps) {
  router.Add(http::Method::kGet, "/v1/collection/broker-account/:id/deliveries",
             [deps](const http::Request& request) { return ListDeliveries(deps, request); });
  if (deps.sync.graph == nullptr) return;
  router.Add(http::Method::kPost, "/v1/collection/:collection/:id/sync",
             [deps](const http::Request& request) {
               auto response = Sync(deps, request);
               return response.ok() ? std::move(response).value()
                                    : http::Response::FromError(response.error());
             });
}

}  // namespace broker::api::secrets_api
