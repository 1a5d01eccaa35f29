#pragma once

// Persistence of the graph over store::Database: tables graph_vertex, graph_edge and
// graph_object (one collection object per vertex). Uniqueness is also enforced by the schema:
// (collection, unique_name) for collections whose name is unique, and (source, target, name)
// for edges, so two nodes racing to insert the same thing cannot both succeed.
//
// Thread-safety: stateless functions; sessions follow store::Session's rules.

#include <memory>
#include <string>

#include "core/status.h"
#include "graph/model.h"
#include "graph/snapshot.h"
#include "graph/types.h"
#include "store/database.h"

namespace broker::graph::repository {

// Creates or upgrades the graph tables (component "graph").
Status Migrate(store::Database& db);

// Reads every vertex, object and edge into a sealed snapshot. Unavailable/Internal from the
// store.
Result<std::shared_ptr<Snapshot>> Load(store::Database& db, const Model& model);

// Inserts a vertex and its collection object. AlreadyExists if the id, or the name of a
// collection whose name is unique, is taken.
Status InsertVertex(store::Session& session, const Model& model, const Vertex& vertex);
// Rewrites the name, prop, updated time, tags and doc of an existing vertex. NotFound if absent.
Status UpdateVertex(store::Session& session, const Model& model, const Vertex& vertex);
// AlreadyExists if (source, target, name) exists.
Status InsertEdge(store::Session& session, const Edge& edge);
// NotFound if absent.
Status DeleteEdge(store::Session& session, const std::string& edge_id);

}  // namespace broker::graph::repository
