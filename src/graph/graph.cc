#include "graph/graph.h"

#include <algorithm>
#include <utility>

#include "core/ids.h"
#include "graph/importer.h"
#include "graph/repository.h"
#include "graph/rules.h"

namespace broker::graph {
namespace {

bool IsStringMap(const Json& prop) {
  return prop.is_object() &&
         std::all_of(prop.begin(), prop.end(), [](const Json& value) { return value.is_string(); });
}

std::string VertexName(const CollectionConfig& config, const Json& doc) {
  std::string name = doc.value("name", std::string());
  if (!name.empty()) return name;
  return doc.value(config.key_field, std::string());
}

}  // namespace

Graph::Graph(store::Database& db, const Clock& clock, Random& random, const Model& model)
    : db_(db),
      clock_(clock),
      random_(random),
      model_(model),
      snapshot_(std::make_shared<Snapshot>(model)) {}

Status Graph::Init() {
  BROKER_RETURN_IF_ERROR(repository::Migrate(db_));
  return Reload();
}

Status Graph::Reload() {
  // Serialised with Write: a write that read its base before the reload must not swap in a
  // snapshot that lacks the reloaded changes.
  std::lock_guard write_lock(write_mutex_);
  BROKER_ASSIGN_OR_RETURN(std::shared_ptr<Snapshot> loaded, repository::Load(db_, model_));
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(loaded);
  return OkStatus();
}

std::shared_ptr<const Snapshot> Graph::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void Graph::SetChangeListener(ChangeListener listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
}

Status Graph::Write(const WriteBody& body) {
  std::lock_guard write_lock(write_mutex_);
  const std::shared_ptr<const Snapshot> base = snapshot();
  std::shared_ptr<Snapshot> draft;
  std::vector<Event> events;
  BROKER_RETURN_IF_ERROR(
      db_.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
        // A retried transaction starts again from the published snapshot.
        draft = base->Clone();
        events.clear();
        return body(session, *draft, events);
      }));
  draft->Seal();
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_ = std::move(draft);
  }
  std::lock_guard lock(listener_mutex_);
  if (!listener_) return OkStatus();
  for (const Event& event : events) listener_(event.name, event.payload);
  return OkStatus();
}

Result<std::shared_ptr<const Vertex>> Graph::StageVertex(store::Session& session, Snapshot& draft,
                                                         const VertexInput& input) {
  const CollectionConfig* config = model_.Find(input.collection);
  if (config == nullptr) return NotFound("Unknown collection: " + input.collection);
  if (!IsStringMap(input.prop)) return InvalidArgument("prop must map names to strings");
  BROKER_ASSIGN_OR_RETURN(Json doc, ValidateFields(*config, input.data));
  BROKER_RETURN_IF_ERROR(CheckUnique(draft, *config, doc));
  auto vertex = std::make_shared<Vertex>();
  vertex->id = NewObjectId(clock_, random_);
  vertex->object_id = NewObjectId(clock_, random_);
  vertex->collection = config->collection;
  vertex->index = config->index;
  vertex->name = VertexName(*config, doc);
  vertex->key = doc.value(config->key_field, vertex->name);
  vertex->prop = input.prop;
  vertex->created_ms = clock_.NowMillis();
  vertex->tags = input.tags;
  vertex->doc = std::move(doc);
  vertex->search_text = Snapshot::SearchText(model_, *vertex);
  BROKER_RETURN_IF_ERROR(repository::InsertVertex(session, model_, *vertex));
  draft.PutVertex(vertex);
  return std::shared_ptr<const Vertex>(vertex);
}

Result<std::shared_ptr<const Edge>> Graph::StageEdge(store::Session& session, Snapshot& draft,
                                                     const std::string& name,
                                                     const std::string& source,
                                                     const std::string& target, const Json& prop) {
  if (!IsStringMap(prop)) return InvalidArgument("prop must map names to strings");
  BROKER_ASSIGN_OR_RETURN(const EdgeConfig* config, CheckEdge(draft, name, source, target));
  auto edge = std::make_shared<Edge>();
  edge->id = NewObjectId(clock_, random_);
  edge->name = name;
  edge->source = source;
  edge->target = target;
  edge->is = draft.FindVertex(source)->index;
  edge->it = draft.FindVertex(target)->index;
  edge->restrict = config->restrict;
  edge->prop = prop;
  edge->created_ms = clock_.NowMillis();
  BROKER_RETURN_IF_ERROR(repository::InsertEdge(session, *edge));
  draft.PutEdge(edge);
  return std::shared_ptr<const Edge>(edge);
}

Result<Vertex> Graph::AddVertex(const VertexInput& input) {
  std::shared_ptr<const Vertex> added;
  const Status written =
      Write([&](store::Session& session, Snapshot& draft, auto& events) -> Status {
        BROKER_ASSIGN_OR_RETURN(added, StageVertex(session, draft, input));
        events.push_back({"vertex-add", {{"event", "vertex-add"}, {"vertex", VertexJson(*added)}}});
        return OkStatus();
      });
  if (!written.ok()) return written.error();
  return *added;
}

Result<Edge> Graph::AddEdge(const std::string& name, const std::string& source,
                            const std::string& target, const Json& prop) {
  std::shared_ptr<const Edge> added;
  const Status written =
      Write([&](store::Session& session, Snapshot& draft, auto& events) -> Status {
        BROKER_ASSIGN_OR_RETURN(added, StageEdge(session, draft, name, source, target, prop));
        events.push_back({"edge-add", {{"event", "edge-add"}, {"edge", EdgeJson(*added)}}});
        return OkStatus();
      });
  if (!written.ok()) return written.error();
  return *added;
}

Result<Edge> Graph::DeleteEdge(const std::string& edge_id) {
  std::optional<Edge> removed;
  const Status written =
      Write([&](store::Session& session, Snapshot& draft, auto& events) -> Status {
        const Edge* edge = draft.FindEdge(edge_id);
        if (edge == nullptr) return (NotFound("Edge " + edge_id + " not found"));
        removed = *edge;
        BROKER_RETURN_IF_ERROR(repository::DeleteEdge(session, edge_id));
        draft.RemoveEdge(edge_id);
        events.push_back({"edge-delete", {{"event", "edge-delete"}, {"edge", EdgeJson(*removed)}}});
        return OkStatus();
      });
  if (!written.ok()) return written.error();
  return *removed;
}

Result<Vertex> Graph::UpsertUser(const UserInput& input) {
  if (input.username.empty()) return InvalidArgument("user: username is required");
  std::shared_ptr<const Vertex> result;
  const Status written = Write([&](store::Session& session, Snapshot& draft,
                                   auto& events) -> Status {
    Json data = {{"username", input.username}};
    for (const auto& [field, value] : {std::pair{"name", &input.name},
                                       {"email", &input.email},
                                       {"domain", &input.domain},
                                       {"guid", &input.guid}}) {
      if (!value->empty()) data[field] = *value;
    }
    const Vertex* existing = draft.FindByKey("user", input.username);
    if (existing == nullptr) {
      BROKER_ASSIGN_OR_RETURN(result,
                              StageVertex(session, draft, {"user", data, Json::object(), {}}));
      events.push_back({"vertex-add", {{"event", "vertex-add"}, {"vertex", VertexJson(*result)}}});
      return OkStatus();
    }
    Json merged = existing->doc;
    merged.update(data);
    if (merged == existing->doc) {
      result = draft.vertices().at(existing->id);
      return OkStatus();
    }
    BROKER_ASSIGN_OR_RETURN(Json doc, ValidateFields(*model_.Find("user"), merged));
    auto updated = std::make_shared<Vertex>(*existing);
    updated->doc = std::move(doc);
    updated->name = VertexName(*model_.Find("user"), updated->doc);
    updated->updated_ms = clock_.NowMillis();
    updated->search_text = Snapshot::SearchText(model_, *updated);
    BROKER_RETURN_IF_ERROR(repository::UpdateVertex(session, model_, *updated));
    draft.PutVertex(updated);
    result = updated;
    events.push_back({"vertex-edit", {{"event", "vertex-edit"}, {"vertex", VertexJson(*result)}}});
    return OkStatus();
  });
  if (!written.ok()) return written.error();
  return *result;
}

Result<ImportReport> Graph::Import(const Json& file) {
  ImportReport report;
  const Status written =
      Write([&](store::Session& session, Snapshot& draft, auto& events) -> Status {
        report = ImportReport{};
        Importer importer(*this, session, draft, report);
        BROKER_RETURN_IF_ERROR(importer.Run(file));
        for (const auto& [name, payload] : importer.events()) events.push_back({name, payload});
        return OkStatus();
      });
  if (!written.ok()) return written.error();
  return report;
}

}  // namespace broker::graph
