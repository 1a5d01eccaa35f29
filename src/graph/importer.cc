#include "graph/importer.h"

#include <algorithm>
#include <utility>

namespace broker::graph {
namespace {

Error Prefixed(const Error& error, const std::string& where) {
  return {error.code(), where + ": " + error.message(), error.internal_message()};
}

Status CheckTopLevel(const Json& file) {
  if (!file.is_object()) return InvalidArgument("import: the file must hold a JSON object");
  for (const auto& [key, value] : file.items()) {
    if (key != "users" && key != "collections" && key != "edges") {
      return InvalidArgument("import: unknown top-level member " + key);
    }
  }
  if (file.contains("collections") && !file["collections"].is_object()) {
    return InvalidArgument("import: collections must be an object");
  }
  for (const char* list : {"users", "edges"}) {
    if (file.contains(list) && !file[list].is_array()) {
      return InvalidArgument(std::string("import: ") + list + " must be an array");
    }
  }
  return OkStatus();
}

// Takes the credential members out of a user entry.
Result<ImportedUser> TakeCredentials(const std::string& where, Json& entry) {
  ImportedUser user;
  user.username = entry.value("username", std::string());
  if (auto it = entry.find("password"); it != entry.end()) {
    if (!it->is_string()) return InvalidArgument(where + ": password must be a string");
    user.password = SecretString(it->get<std::string>());
    entry.erase(it);
  }
  if (auto it = entry.find("admin"); it != entry.end()) {
    if (!it->is_boolean()) return InvalidArgument(where + ": admin must be a boolean");
    user.admin = it->get<bool>();
    entry.erase(it);
  }
  return user;
}

}  // namespace

Status Importer::Run(const Json& file) {
  BROKER_RETURN_IF_ERROR(CheckTopLevel(file));
  if (file.contains("users")) BROKER_RETURN_IF_ERROR(ImportCollection("user", file["users"]));
  if (file.contains("collections")) {
    for (const auto& [key, entries] : file["collections"].items()) {
      BROKER_RETURN_IF_ERROR(ImportCollection(key, entries));
    }
  }
  if (!file.contains("edges")) return OkStatus();
  const Json& edges = file["edges"];
  for (size_t i = 0; i < edges.size(); ++i) {
    BROKER_RETURN_IF_ERROR(ImportEdge("edges[" + std::to_string(i) + "]", edges[i]));
  }
  return OkStatus();
}

Status Importer::ImportCollection(const std::string& key, const Json& entries) {
  const std::string where = key == "user" ? "users" : "collections." + key;
  const CollectionConfig* config = graph_.model().Find(key);
  if (config == nullptr) return InvalidArgument(where + ": unknown collection " + key);
  if (!entries.is_array()) return InvalidArgument(where + ": must be an array");
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string entry_where = where + "[" + std::to_string(i) + "]";
    BROKER_RETURN_IF_ERROR(ImportObject(*config, entry_where, entries[i]));
  }
  return OkStatus();
}

Status Importer::ImportObject(const CollectionConfig& config, const std::string& where,
                              Json entry) {
  if (!entry.is_object()) return InvalidArgument(where + ": must be an object");
  if (config.collection == "user") {
    BROKER_ASSIGN_OR_RETURN(ImportedUser user, TakeCredentials(where, entry));
    report_.users.push_back(std::move(user));
  }
  const Json key = entry.value(config.key_field, Json());
  if (!key.is_string() || key.get<std::string>().empty()) {
    return InvalidArgument(where + ": field " + config.key_field + " is required");
  }
  const std::string name = config.collection + "/" + key.get<std::string>();
  const std::string labelled = where + " (" + name + ")";
  if (std::find(seen_keys_.begin(), seen_keys_.end(), name) != seen_keys_.end()) {
    return InvalidArgument(labelled + ": duplicate " + config.key_field + " in the file");
  }
  seen_keys_.push_back(name);
  if (draft_.FindByKey(config.collection, key.get<std::string>()) != nullptr) {
    report_.existing.push_back(name);
    return OkStatus();
  }
  VertexInput input{config.collection, entry, Json::object(), {}};
  for (const char* member : {"tags", "prop"}) input.data.erase(member);
  if (entry.contains("prop")) input.prop = entry["prop"];
  if (entry.contains("tags")) {
    if (!entry["tags"].is_array()) return InvalidArgument(labelled + ": tags must be an array");
    for (const Json& tag : entry["tags"]) {
      if (!tag.is_string()) return InvalidArgument(labelled + ": tags must be strings");
      input.tags.push_back(tag.get<std::string>());
    }
  }
  auto vertex = graph_.StageVertex(session_, draft_, input);
  if (!vertex.ok()) return Prefixed(vertex.error(), labelled);
  report_.created.push_back(name);
  events_.emplace_back("vertex-add",
                       Json{{"event", "vertex-add"}, {"vertex", VertexJson(**vertex)}});
  return OkStatus();
}

Result<const Vertex*> Importer::ResolveEnd(const std::string& where, const std::string& end) const {
  const size_t slash = end.find('/');
  if (slash == std::string::npos) {
    return InvalidArgument(where + ": end " + end + " is not <collection>/<name>");
  }
  const CollectionConfig* config = graph_.model().Find(end.substr(0, slash));
  if (config == nullptr) {
    return InvalidArgument(where + ": unknown collection " + end.substr(0, slash));
  }
  const Vertex* vertex = draft_.FindByKey(config->collection, end.substr(slash + 1));
  if (vertex == nullptr) return InvalidArgument(where + ": " + end + " does not exist");
  return vertex;
}

Status Importer::ImportEdge(const std::string& where, const Json& entry) {
  if (!entry.is_object()) return InvalidArgument(where + ": must be an object");
  for (const char* member : {"name", "source", "target"}) {
    if (!entry.contains(member) || !entry[member].is_string()) {
      return InvalidArgument(where + ": " + member + " must be a string");
    }
  }
  const std::string name = entry["name"].get<std::string>();
  const std::string source = entry["source"].get<std::string>();
  const std::string target = entry["target"].get<std::string>();
  const std::string label = name + " " + source + " -> " + target;
  const std::string labelled = where + " (" + label + ")";
  BROKER_ASSIGN_OR_RETURN(const Vertex* from, ResolveEnd(labelled, source));
  BROKER_ASSIGN_OR_RETURN(const Vertex* to, ResolveEnd(labelled, target));
  if (draft_.FindEdge(from->id, to->id, name) != nullptr) {
    report_.existing.push_back("edge " + label);
    return OkStatus();
  }
  const Json prop = entry.value("prop", Json::object());
  auto edge = graph_.StageEdge(session_, draft_, name, from->id, to->id, prop);
  if (!edge.ok()) return Prefixed(edge.error(), labelled);
  report_.created.push_back("edge " + label);
  events_.emplace_back("edge-add", Json{{"event", "edge-add"}, {"edge", EdgeJson(**edge)}});
  return OkStatus();
}

}  // namespace broker::graph
