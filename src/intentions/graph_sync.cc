// After a successful close: record in the graph what the intention did (reference 6.8 step 5).
// Graph writes run in their own transactions after the intention committed; a failure is
// logged and does not undo the close.
#include <spdlog/spdlog.h>

#include "intentions/rules.h"
#include "intentions/service.h"

namespace broker::intentions {
namespace {

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The id of vertex `collection/name`, created if missing.
Result<std::string> EnsureVertex(graph::Graph& graph, const std::string& collection,
                                 const std::string& name) {
  const graph::Vertex* found = graph.snapshot()->FindByKey(collection, name);
  if (found != nullptr) return found->id;
  BROKER_ASSIGN_OR_RETURN(graph::Vertex added,
                          graph.AddVertex({collection, Json{{"name", name}}, Json::object(), {}}));
  return added.id;
}

Status EnsureEdge(graph::Graph& graph, const std::string& name, const std::string& source,
                  const std::string& target) {
  if (graph.snapshot()->FindEdge(source, target, name) != nullptr) return OkStatus();
  auto added = graph.AddEdge(name, source, target);
  if (!added.ok()) return std::move(added).error();
  return OkStatus();
}

// The service's instance named `name` (through an `instance` edge), created if missing.
Result<std::string> EnsureInstance(graph::Graph& graph, const std::string& service_id,
                                   const std::string& name) {
  const auto snapshot = graph.snapshot();
  for (const graph::Edge* edge : snapshot->Out(service_id)) {
    const graph::Vertex* target = snapshot->FindVertex(edge->target);
    if (edge->name == "instance" && target != nullptr && target->name == name) return target->id;
  }
  BROKER_ASSIGN_OR_RETURN(
      graph::Vertex added,
      graph.AddVertex({"serviceInstance", Json{{"name", name}}, Json::object(), {}}));
  BROKER_RETURN_IF_ERROR(EnsureEdge(graph, "instance", service_id, added.id));
  return added.id;
}

Status SyncInstall(graph::Graph& graph, const Json& action, const std::string& service_id) {
  BROKER_ASSIGN_OR_RETURN(std::string instance,
                          EnsureInstance(graph, service_id, InstanceName(action)));
  const auto snapshot = graph.snapshot();
  auto env = ResolveEnvironment(*snapshot, Str(action["service"], "environment"));
  if (!env || env->vertex == nullptr) return OkStatus();
  for (const graph::Edge* edge : snapshot->Out(instance)) {
    if (edge->name == "deploy-type") return OkStatus();
  }
  return EnsureEdge(graph, "deploy-type", instance, env->vertex->id);
}

Status SyncAction(graph::Graph& graph, const std::string& account_object_id, const Json& action) {
  const Json& service = action["service"];
  BROKER_ASSIGN_OR_RETURN(std::string project_id,
                          EnsureVertex(graph, "project", Str(service, "project")));
  BROKER_ASSIGN_OR_RETURN(std::string service_id,
                          EnsureVertex(graph, "service", Str(service, "name")));
  BROKER_RETURN_IF_ERROR(EnsureEdge(graph, "component", project_id, service_id));
  const graph::Vertex* account = graph.snapshot()->FindByObjectId(account_object_id);
  if (account != nullptr &&
      graph.snapshot()->FindEdge(account->id, service_id, "authorized") == nullptr) {
    BROKER_RETURN_IF_ERROR(EnsureEdge(graph, "authorized", account->id, project_id));
  }
  if (Str(action, "action") == "package-installation" &&
      Str(action["trace"], "outcome") == "success") {
    return SyncInstall(graph, action, service_id);
  }
  return OkStatus();
}

}  // namespace

void IntentionService::SyncGraph(const Json& intention) {
  if (deps_.graph == nullptr || !intention.contains("actions")) return;
  for (const Json& action : intention["actions"]) {
    const Status synced = SyncAction(*deps_.graph, Str(intention, "accountId"), action);
    if (!synced.ok()) {
      spdlog::warn("intention {}: graph update for action {} failed: {}", Str(intention, "id"),
                   Str(action, "id"), synced.error().ToString());
    }
  }
}

}  // namespace broker::intentions
