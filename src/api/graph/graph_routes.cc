#include "api/graph/graph_routes.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "graph/permissions.h"
#include "graph/traversals.h"

namespace broker::api {
namespace {

using graph::Snapshot;
using graph::Vertex;
using http::Method;
using http::Request;
using http::Response;

constexpr size_t kTypeaheadLimit = 10;
constexpr int kTeamIndex = 6;

Error Forbidden() { return PermissionDenied("Forbidden resource").WithLabel("Forbidden"); }

Error BadObjectId(std::string_view value) {
  return InvalidArgument("Validation failed (ObjectId: " + std::string(value) +
                         " is not a valid ObjectId)");
}

// A user, or an account token when the request carries an Authorization header.
Status RequireReader(const Auth& auth, const Request& request) {
  auto user = auth.require_user(request);
  if (user.ok()) return OkStatus();
  if (!request.Header("authorization")) return std::move(user).error();
  auto account = auth.require_account(request);
  if (account.ok()) return OkStatus();
  return std::move(account).error();
}

Result<const graph::CollectionConfig*> CollectionParam(const Snapshot& snapshot,
                                                       const Request& request) {
  const std::string_view name = request.Param("collection");
  const graph::CollectionConfig* config = snapshot.model().Find(name);
  if (config == nullptr) return NotFound("Collection " + std::string(name) + " not found");
  return config;
}

Result<std::string> IdParam(const Request& request, std::string_view name = "id") {
  const std::string_view id = request.Param(name);
  if (!IsObjectId(id)) return BadObjectId(id);
  return std::string(id);
}

Json Neighbours(const Snapshot& snapshot, const std::vector<const graph::Edge*>& edges,
                bool upstream) {
  Json out = Json::array();
  for (const graph::Edge* edge : edges) {
    const Vertex* other = snapshot.FindVertex(upstream ? edge->source : edge->target);
    if (other == nullptr) continue;
    out.push_back({{"edge", graph::EdgeJson(*edge)}, {"vertex", graph::VertexJson(*other)}});
  }
  return out;
}

Json Combo(const Snapshot& snapshot, const Vertex& vertex) {
  return {{"type", "vertex"},
          {"collection", graph::CollectionJson(vertex)},
          {"vertex", graph::VertexJson(vertex)},
          {"upstream", Neighbours(snapshot, snapshot.In(vertex.id), true)},
          {"downstream", Neighbours(snapshot, snapshot.Out(vertex.id), false)}};
}

// Wraps a handler body that may fail into a handler that answers with the error envelope.
template <typename Body>
http::Handler Guarded(Body body) {
  return [body](const Request& request) -> Response {
    Result<Response> result = body(request);
    if (!result.ok()) return Response::FromError(result.error());
    return std::move(result).value();
  };
}

Result<int64_t> RequiredInt(const Request& request, std::string_view name) {
  const auto text = request.Query(name);
  int64_t value = 0;
  if (!text || text->empty()) return InvalidArgument(std::string(name) + " must be an integer");
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 0) {
    return InvalidArgument(std::string(name) + " must be an integer");
  }
  return value;
}

std::string QueryText(const Request& request, std::string_view name) {
  return std::string(request.Query(name).value_or(""));
}

Result<graph::SearchQuery> ParseSearch(const Request& request) {
  graph::SearchQuery query;
  BROKER_ASSIGN_OR_RETURN(query.offset, RequiredInt(request, "offset"));
  BROKER_ASSIGN_OR_RETURN(query.limit, RequiredInt(request, "limit"));
  query.q = QueryText(request, "q");
  for (const auto& [key, value] : request.query) {
    if (key == "tags" || key == "tags[]") query.tags.push_back(value);
  }
  query.upstream_vertex = QueryText(request, "upstreamVertex");
  query.downstream_vertex = QueryText(request, "downstreamVertex");
  // The reference converts the string with JS truthiness: any non-empty value is true.
  query.include_restricted = !QueryText(request, "includeRestricted").empty();
  query.id = QueryText(request, "id");
  query.vertex_id = QueryText(request, "vertexId");
  for (const std::string* id :
       {&query.upstream_vertex, &query.downstream_vertex, &query.id, &query.vertex_id}) {
    if (!id->empty() && !IsObjectId(*id)) return BadObjectId(*id);
  }
  const std::string sort = QueryText(request, "sort");
  const std::string dir = QueryText(request, "dir");
  if (!sort.empty() && !dir.empty()) {
    query.sort = sort;
    query.ascending = dir == "asc";
  }
  return query;
}

Result<Response> Search(graph::Graph& graph, const Auth& auth, const Request& req) {
  BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
  const auto snapshot = graph.snapshot();
  BROKER_ASSIGN_OR_RETURN(const graph::CollectionConfig* config, CollectionParam(*snapshot, req));
  BROKER_ASSIGN_OR_RETURN(graph::SearchQuery query, ParseSearch(req));
  const graph::SearchResult result = snapshot->Search(*config, query);
  Json data = Json::array();
  for (const Vertex* vertex : result.items) data.push_back(Combo(*snapshot, *vertex));
  return Response::Json(201, {{"data", data}, {"meta", {{"total", result.total}}}});
}

struct TypeaheadInput {
  std::string q;
  std::vector<std::string> collections;
};

Result<TypeaheadInput> ParseTypeahead(const Request& request) {
  TypeaheadInput input{QueryText(request, "q"), {}};
  for (const auto& [key, value] : request.query) {
    if (key == "collections" || key == "collections[]") input.collections.push_back(value);
  }
  if (request.body.empty()) return input;
  BROKER_ASSIGN_OR_RETURN(Json body, request.JsonBody());
  if (!body.is_object()) return InvalidArgument("body must be an object");
  if (body.contains("q")) {
    if (!body["q"].is_string()) return InvalidArgument("q must be a string");
    input.q = body["q"].get<std::string>();
  }
  if (body.contains("collections")) {
    if (!body["collections"].is_array()) return InvalidArgument("collections must be an array");
    for (const Json& c : body["collections"]) {
      if (!c.is_string()) return InvalidArgument("collections must be strings");
      input.collections.push_back(c.get<std::string>());
    }
  }
  return input;
}

Json TypeaheadHit(const Snapshot& snapshot, const Vertex& vertex) {
  Json hit = {{"id", vertex.id},
              {"collection", vertex.collection},
              {"name", vertex.name},
              {"index", vertex.index},
              {"collectionId", vertex.object_id}};
  if (const Vertex* parent = graph::ParentOf(snapshot, vertex)) hit["parentName"] = parent->name;
  if (auto client_id = vertex.doc.find("clientId"); client_id != vertex.doc.end()) {
    hit["clientId"] = *client_id;
  }
  return hit;
}

Result<Response> Typeahead(graph::Graph& graph, const Auth& auth, const Request& req) {
  BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
  BROKER_ASSIGN_OR_RETURN(TypeaheadInput input, ParseTypeahead(req));
  const auto snapshot = graph.snapshot();
  const auto result = snapshot->Typeahead(input.q, input.collections, kTypeaheadLimit);
  Json data = Json::array();
  for (const Vertex* vertex : result.hits) data.push_back(TypeaheadHit(*snapshot, *vertex));
  return Response::Json(201, {{"meta", {{"total", result.total}}}, {"data", data}});
}

Json GraphData(const Snapshot& snapshot) {
  Json edges = Json::array();
  for (const auto& [id, edge] : snapshot.edges()) {
    Json e = {{"id", id},           {"is", edge->is},         {"it", edge->it},
              {"name", edge->name}, {"source", edge->source}, {"target", edge->target}};
    if (edge->restrict) e["restrict"] = true;
    edges.push_back(std::move(e));
  }
  Json vertices = Json::array();
  for (const auto& [id, vertex] : snapshot.vertices()) {
    vertices.push_back({{"id", id},
                        {"category", vertex->index},
                        {"collection", vertex->collection},
                        {"index", vertex->index},
                        {"name", vertex->name}});
  }
  Json categories = Json::array();
  for (const auto& config : snapshot.model().collections()) {
    categories.push_back({{"name", config.name}});
  }
  return {{"edges", edges}, {"vertices", vertices}, {"categories", categories}};
}

Result<Json> ParseEdgeBody(const Request& request) {
  BROKER_ASSIGN_OR_RETURN(Json body, request.JsonBody());
  if (!body.is_object()) return InvalidArgument("body must be an object");
  for (const char* member : {"name", "source", "target"}) {
    if (!body.contains(member) || !body[member].is_string()) {
      return InvalidArgument(std::string(member) + " must be a string");
    }
  }
  for (const char* member : {"source", "target"}) {
    if (!IsObjectId(body[member].get<std::string>())) {
      return BadObjectId(body[member].get<std::string>());
    }
  }
  if (body.contains("prop") && !body["prop"].is_object()) {
    return InvalidArgument("prop must be an object");
  }
  return body;
}

// May `user` add an edge into `target`?
bool MayAddEdge(const Snapshot& snapshot, const UserPrincipal& user, const Vertex& target) {
  if (user.admin) return true;
  if (target.index == kTeamIndex) {
    // Team membership is the owners' business (a lead-developer's `update` is not enough).
    return graph::TeamIsEmpty(snapshot, target.id) ||
           graph::CanManageTeamMembers(snapshot, user.vertex_id, target.id);
  }
  return graph::PermissionsFor(snapshot, user.vertex_id).Has(graph::Permission::kUpdate, target.id);
}

// May `user` delete an edge into `target`?
bool MayDeleteEdge(const Snapshot& snapshot, const UserPrincipal& user, const Vertex& target) {
  if (user.admin) return true;
  const graph::Permissions permissions = graph::PermissionsFor(snapshot, user.vertex_id);
  if (target.index == kTeamIndex) return permissions.Has(graph::Permission::kDelete, target.id);
  return permissions.Has(graph::Permission::kUpdate, target.id);
}

Result<Response> AddEdge(graph::Graph& graph, const Auth& auth, const Request& request) {
  BROKER_ASSIGN_OR_RETURN(UserPrincipal user, auth.require_user(request));
  BROKER_ASSIGN_OR_RETURN(Json body, ParseEdgeBody(request));
  const auto snapshot = graph.snapshot();
  const Vertex* target = snapshot->FindVertex(body["target"].get<std::string>());
  if (target == nullptr) return NotFound("Edge target vertex not found");
  if (!MayAddEdge(*snapshot, user, *target)) return Forbidden();
  BROKER_ASSIGN_OR_RETURN(graph::Edge edge,
                          graph.AddEdge(body["name"], body["source"], body["target"],
                                        body.value("prop", Json::object())));
  return Response::Json(201, graph::EdgeJson(edge));
}

Result<Response> DeleteEdge(graph::Graph& graph, const Auth& auth, const Request& request) {
  BROKER_ASSIGN_OR_RETURN(UserPrincipal user, auth.require_user(request));
  BROKER_ASSIGN_OR_RETURN(std::string id, IdParam(request));
  const auto snapshot = graph.snapshot();
  const graph::Edge* edge = snapshot->FindEdge(id);
  if (edge == nullptr) return NotFound("Edge " + id + " not found");
  const Vertex* target = snapshot->FindVertex(edge->target);
  if (target == nullptr || !MayDeleteEdge(*snapshot, user, *target)) return Forbidden();
  BROKER_ASSIGN_OR_RETURN(graph::Edge removed, graph.DeleteEdge(id));
  return Response::Json(200, {{"edge", {removed.id}},
                              {"vertex", Json::array()},
                              {"adjacentVertex", {removed.source, removed.target}}});
}

Result<Response> AddVertex(graph::Graph& graph, const Auth& auth, const Request& request) {
  BROKER_ASSIGN_OR_RETURN(UserPrincipal user, auth.require_user(request));
  BROKER_ASSIGN_OR_RETURN(Json body, request.JsonBody());
  if (!body.is_object() || !body.contains("collection") || !body["collection"].is_string()) {
    return InvalidArgument("collection must be a string");
  }
  const graph::CollectionConfig* config = graph.model().Find(body["collection"].get<std::string>());
  if (config == nullptr) return NotFound("Collection not found");
  if (!user.admin && config->collection != "team") return Forbidden();
  if (!config->permissions.create) return Forbidden();
  graph::VertexInput input{config->collection,
                           body.value("data", Json::object()),
                           body.value("prop", Json::object()),
                           {}};
  BROKER_ASSIGN_OR_RETURN(Vertex vertex, graph.AddVertex(input));
  return Response::Json(201, graph::VertexJson(vertex));
}

// The collection object named by the path's :collection and :id. InvalidArgument for a
// malformed id; NotFound for an unknown collection, an unknown id, or an id of another
// collection.
Result<const Vertex*> ObjectInPath(const graph::Snapshot& snapshot, const Request& req) {
  BROKER_ASSIGN_OR_RETURN(const graph::CollectionConfig* config, CollectionParam(snapshot, req));
  BROKER_ASSIGN_OR_RETURN(std::string id, IdParam(req));
  const Vertex* vertex = snapshot.FindByObjectId(id);
  if (vertex == nullptr || vertex->collection != config->collection) return NotFound("Not Found");
  return vertex;
}

void RegisterCollectionRoutes(http::Router& router, graph::Graph& graph, const Auth& auth) {
  router.Add(Method::kGet, "/v1/collection/config",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               return Response::Json(200, graph.model().ConfigJson());
             }));
  router.Add(Method::kGet, "/v1/collection/:collection",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               const auto snapshot = graph.snapshot();
               BROKER_ASSIGN_OR_RETURN(const graph::CollectionConfig* config,
                                       CollectionParam(*snapshot, req));
               const std::string vertex_id = QueryText(req, "vertex");
               if (!IsObjectId(vertex_id)) return BadObjectId(vertex_id);
               const Vertex* vertex = snapshot->FindVertex(vertex_id);
               if (vertex == nullptr || vertex->collection != config->collection)
                 return NotFound("Not Found");
               return Response::Json(200, graph::CollectionJson(*vertex));
             }));
  router.Add(Method::kGet, "/v1/collection/:collection/:id",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               const auto snapshot = graph.snapshot();
               BROKER_ASSIGN_OR_RETURN(const Vertex* vertex, ObjectInPath(*snapshot, req));
               return Response::Json(200, graph::CollectionJson(*vertex));
             }));
  router.Add(Method::kGet, "/v1/collection/:collection/:id/combo",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               const auto snapshot = graph.snapshot();
               BROKER_ASSIGN_OR_RETURN(const Vertex* vertex, ObjectInPath(*snapshot, req));
               return Response::Json(200, Combo(*snapshot, *vertex));
             }));
  router.Add(Method::kPost, "/v1/collection/:collection/search",
             Guarded([&graph, auth](const Request& req) { return Search(graph, auth, req); }));
}

void RegisterGraphReadRoutes(http::Router& router, graph::Graph& graph, const Auth& auth) {
  router.Add(Method::kPost, "/v1/graph/typeahead",
             Guarded([&graph, auth](const Request& req) { return Typeahead(graph, auth, req); }));
  router.Add(Method::kGet, "/v1/graph/data",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               return Response::Json(200, GraphData(*graph.snapshot()));
             }));
  router.Add(Method::kGet, "/v1/graph/data/user-permissions",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_ASSIGN_OR_RETURN(UserPrincipal user, auth.require_user(req));
               return Response::Json(
                   200, graph::PermissionsFor(*graph.snapshot(), user.vertex_id).ToJson());
             }));
  router.Add(Method::kGet, "/v1/graph/vertex/:id",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               BROKER_ASSIGN_OR_RETURN(std::string id, IdParam(req));
               const auto snapshot = graph.snapshot();
               const Vertex* vertex = snapshot->FindVertex(id);
               if (vertex == nullptr) return NotFound("Not Found");
               return Response::Json(200, graph::VertexJson(*vertex));
             }));
  router.Add(Method::kGet, "/v1/graph/edge/:id",
             Guarded([&graph, auth](const Request& req) -> Result<Response> {
               BROKER_RETURN_IF_ERROR(RequireReader(auth, req));
               BROKER_ASSIGN_OR_RETURN(std::string id, IdParam(req));
               const auto snapshot = graph.snapshot();
               const graph::Edge* edge = snapshot->FindEdge(id);
               if (edge == nullptr) return NotFound("Not Found");
               return Response::Json(200, graph::EdgeJson(*edge));
             }));
}

}  // namespace

void RegisterGraphRoutes(http::Router& router, graph::Graph& graph, const Auth& auth) {
  RegisterCollectionRoutes(router, graph, auth);
  RegisterGraphReadRoutes(router, graph, auth);
  router.Add(Method::kPost, "/v1/graph/vertex",
             Guarded([&graph, auth](const Request& req) { return AddVertex(graph, auth, req); }));
  router.Add(Method::kPost, "/v1/graph/edge",
             Guarded([&graph, auth](const Request& req) { return AddEdge(graph, auth, req); }));
  router.Add(Method::kDelete, "/v1/graph/edge/:id",
             Guarded([&graph, auth](const Request& req) { return DeleteEdge(graph, auth, req); }));
}

}  // namespace broker::api
