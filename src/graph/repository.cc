#include "graph/repository.h"

#include <utility>
#include <vector>

namespace broker::graph::repository {
namespace {

const std::vector<store::Migration>& Steps() {
  static const std::vector<store::Migration>* const steps = new std::vector<store::Migration>{
      {1, "graph tables",
       "CREATE TABLE graph_vertex (id TEXT PRIMARY KEY, collection TEXT NOT NULL, "
       "name TEXT NOT NULL, prop TEXT NOT NULL, created_at BIGINT NOT NULL, "
       "updated_at BIGINT NOT NULL);"
       "CREATE INDEX graph_vertex_collection ON graph_vertex (collection);"
       "CREATE TABLE graph_object (id TEXT PRIMARY KEY, vertex_id TEXT NOT NULL UNIQUE, "
       "collection TEXT NOT NULL, name TEXT NOT NULL, unique_name TEXT, tags TEXT NOT NULL, "
       "doc TEXT NOT NULL, UNIQUE (collection, unique_name));"
       "CREATE TABLE graph_edge (id TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL, "
       "target TEXT NOT NULL, source_index BIGINT NOT NULL, target_index BIGINT NOT NULL, "
       "restricted BIGINT NOT NULL, prop TEXT NOT NULL, created_at BIGINT NOT NULL, "
       "UNIQUE (source, target, name));"
       "CREATE INDEX graph_edge_target ON graph_edge (target)",
       std::nullopt}};
  return *steps;
}

// NULL unless the collection's key is unique, so the (collection, unique_name) constraint only
// binds where names must be unique (NULLs never collide in either engine).
store::Value UniqueName(const Model& model, const Vertex& vertex) {
  const CollectionConfig* config = model.Find(vertex.collection);
  if (config == nullptr || !config->NameIsUnique()) return std::monostate{};
  return vertex.key;
}

Result<Json> ParseStored(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception&) {
    return Internal("graph: stored JSON is not valid");
  }
}

Result<std::shared_ptr<const Vertex>> VertexFromRow(const Model& model, const store::Row& row) {
  auto vertex = std::make_shared<Vertex>();
  vertex->id = row.Text(0);
  vertex->collection = row.Text(1);
  vertex->name = row.Text(2);
  BROKER_ASSIGN_OR_RETURN(vertex->prop, ParseStored(row.Text(3)));
  vertex->created_ms = row.Int(4);
  vertex->updated_ms = row.Int(5);
  vertex->object_id = row.Text(6);
  BROKER_ASSIGN_OR_RETURN(Json tags, ParseStored(row.Text(7)));
  vertex->tags = tags.get<std::vector<std::string>>();
  BROKER_ASSIGN_OR_RETURN(vertex->doc, ParseStored(row.Text(8)));
  const CollectionConfig* config = model.Find(vertex->collection);
  if (config == nullptr) return Internal("graph: stored vertex of unknown collection");
  vertex->index = config->index;
  vertex->key = vertex->doc.value(config->key_field, vertex->name);
  vertex->search_text = Snapshot::SearchText(model, *vertex);
  return std::shared_ptr<const Vertex>(std::move(vertex));
}

Result<std::shared_ptr<const Edge>> EdgeFromRow(const store::Row& row) {
  auto edge = std::make_shared<Edge>();
  edge->id = row.Text(0);
  edge->name = row.Text(1);
  edge->source = row.Text(2);
  edge->target = row.Text(3);
  edge->is = static_cast<int>(row.Int(4));
  edge->it = static_cast<int>(row.Int(5));
  edge->restrict = row.Int(6) != 0;
  BROKER_ASSIGN_OR_RETURN(edge->prop, ParseStored(row.Text(7)));
  edge->created_ms = row.Int(8);
  return std::shared_ptr<const Edge>(std::move(edge));
}

Status LoadInto(store::Session& session, const Model& model, Snapshot& snapshot) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet vertices,
      session.Execute("SELECT v.id, v.collection, v.name, v.prop, v.created_at, v.updated_at, "
                      "o.id, o.tags, o.doc FROM graph_vertex v "
                      "JOIN graph_object o ON o.vertex_id = v.id"));
  for (const store::Row& row : vertices.rows) {
    BROKER_ASSIGN_OR_RETURN(auto vertex, VertexFromRow(model, row));
    snapshot.PutVertex(std::move(vertex));
  }
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet edges,
      session.Execute("SELECT id, name, source, target, source_index, target_index, restricted, "
                      "prop, created_at FROM graph_edge"));
  for (const store::Row& row : edges.rows) {
    BROKER_ASSIGN_OR_RETURN(auto edge, EdgeFromRow(row));
    snapshot.PutEdge(std::move(edge));
  }
  return OkStatus();
}

}  // namespace

Status Migrate(store::Database& db) { return store::Migrate(db, "graph", Steps()); }

Result<std::shared_ptr<Snapshot>> Load(store::Database& db, const Model& model) {
  std::shared_ptr<Snapshot> snapshot;
  BROKER_RETURN_IF_ERROR(db.Transact(store::TxMode::kRead, [&](store::Session& session) -> Status {
    snapshot = std::make_shared<Snapshot>(model);
    return LoadInto(session, model, *snapshot);
  }));
  snapshot->Seal();
  return snapshot;
}

Status InsertVertex(store::Session& session, const Model& model, const Vertex& vertex) {
  BROKER_RETURN_IF_ERROR(session.Execute(
      "INSERT INTO graph_vertex (id, collection, name, prop, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {vertex.id, vertex.collection, vertex.name, vertex.prop.dump(), vertex.created_ms,
       vertex.updated_ms}));
  BROKER_RETURN_IF_ERROR(session.Execute(
      "INSERT INTO graph_object (id, vertex_id, collection, name, unique_name, tags, doc) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {vertex.object_id, vertex.id, vertex.collection, vertex.name, UniqueName(model, vertex),
       Json(vertex.tags).dump(), vertex.doc.dump()}));
  return OkStatus();
}

Status UpdateVertex(store::Session& session, const Model& model, const Vertex& vertex) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet updated,
      session.Execute("UPDATE graph_vertex SET name = $2, prop = $3, updated_at = $4 WHERE id = $1",
                      {vertex.id, vertex.name, vertex.prop.dump(), vertex.updated_ms}));
  if (updated.affected_rows == 0) return NotFound("Vertex " + vertex.id + " not found");
  BROKER_RETURN_IF_ERROR(
      session.Execute("UPDATE graph_object SET name = $2, unique_name = $3, tags = $4, doc = $5 "
                      "WHERE vertex_id = $1",
                      {vertex.id, vertex.name, UniqueName(model, vertex), Json(vertex.tags).dump(),
                       vertex.doc.dump()}));
  return OkStatus();
}

Status InsertEdge(store::Session& session, const Edge& edge) {
  BROKER_RETURN_IF_ERROR(session.Execute(
      "INSERT INTO graph_edge (id, name, source, target, source_index, target_index, "
      "restricted, prop, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {edge.id, edge.name, edge.source, edge.target, int64_t{edge.is}, int64_t{edge.it},
       int64_t{edge.restrict ? 1 : 0}, edge.prop.dump(), edge.created_ms}));
  return OkStatus();
}

Status DeleteEdge(store::Session& session, const std::string& edge_id) {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet deleted,
                          session.Execute("DELETE FROM graph_edge WHERE id = $1", {edge_id}));
  if (deleted.affected_rows == 0) return NotFound("Edge " + edge_id + " not found");
  return OkStatus();
}

}  // namespace broker::graph::repository
