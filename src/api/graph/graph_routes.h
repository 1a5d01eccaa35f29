#pragma once

// HTTP handlers of the graph and collection endpoints (reference sections 4.3, 4.4, 11):
//
//   GET    /v1/collection/config                     collectionConfig documents
//   GET    /v1/collection/:collection?vertex=<id>    the object of a vertex
//   GET    /v1/collection/:collection/:id            an object by its id
//   GET    /v1/collection/:collection/:id/combo      object, vertex, direct up/downstream
//   POST   /v1/collection/:collection/search         browse search (section 11)
//   POST   /v1/graph/typeahead                       global name / string-field search
//   GET    /v1/graph/data                            {edges, vertices, categories}
//   GET    /v1/graph/data/user-permissions           the caller's permissions
//   GET    /v1/graph/vertex/:id, POST /v1/graph/vertex
//   GET    /v1/graph/edge/:id, POST /v1/graph/edge, DELETE /v1/graph/edge/:id
//
// Reads accept a signed-in user or an account token; writes need a user. Authorisation of
// writes: vertex: admin, or any user for collection `team`; edge add: admin; into a team: a
// team with no members yet or an `owner` of it; otherwise `update` on the target vertex; edge
// delete: admin or `delete` on the target (team owners), or `update` on the target for
// non-team targets. GET /v1/graph/events (SSE) is wired by the app from Graph's change
// listener.
//
// Thread-safety: the registered handlers are thread-safe (they read Graph snapshots).

#include "api/auth_context.h"
#include "graph/graph.h"
#include "http/router.h"

namespace broker::api {

// `graph` must outlive the router; `auth` is copied.
void RegisterGraphRoutes(http::Router& router, graph::Graph& graph, const Auth& auth);

}  // namespace broker::api
