#include "graph/rules.h"

#include <algorithm>
#include <string>

#include "core/time_format.h"

namespace broker::graph {
namespace {

bool AllOf(const Json& array, bool (Json::*predicate)() const noexcept) {
  return std::all_of(array.begin(), array.end(),
                     [predicate](const Json& item) { return (item.*predicate)(); });
}

// Why `value` does not fit `field`, or "" if it does.
std::string TypeProblem(const FieldConfig& field, const Json& value) {
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kUrl:
      return value.is_string() ? "" : "must be a string";
    case FieldType::kEmail:
      return value.is_string() && value.get<std::string>().find('@') != std::string::npos
                 ? ""
                 : "must be an e-mail address";
    case FieldType::kBoolean:
      return value.is_boolean() ? "" : "must be a boolean";
    case FieldType::kNumber:
      return value.is_number() ? "" : "must be a number";
    case FieldType::kDate:
      return value.is_number() || (value.is_string() && ParseIso8601(value.get<std::string>()))
                 ? ""
                 : "must be an ISO 8601 date";
    case FieldType::kSelect: {
      const bool ok =
          value.is_string() && std::find(field.options.begin(), field.options.end(),
                                         value.get<std::string>()) != field.options.end();
      return ok ? "" : "must be one of the listed options";
    }
    case FieldType::kStringArray:
      return value.is_array() && AllOf(value, &Json::is_string) ? ""
                                                                : "must be an array of strings";
    case FieldType::kEmbeddedDoc:
      return value.is_object() ? "" : "must be an object";
    case FieldType::kEmbeddedDocArray:
      return value.is_array() && AllOf(value, &Json::is_object) ? ""
                                                                : "must be an array of objects";
    case FieldType::kJson:
      return "";
  }
  return "";
}

bool IsBlank(const Json& value) {
  return value.is_null() || (value.is_string() && value.get<std::string>().empty());
}

std::string Describe(const Vertex& vertex) { return vertex.collection + "/" + vertex.key; }

}  // namespace

Result<Json> ValidateFields(const CollectionConfig& config, const Json& data) {
  if (!data.is_object()) return InvalidArgument(config.collection + ": data must be an object");
  for (const auto& [key, value] : data.items()) {
    if (config.FindField(key) == nullptr) {
      return InvalidArgument(config.collection + ": unknown field " + key);
    }
  }
  Json doc = Json::object();
  for (const FieldConfig& field : config.fields) {
    auto it = data.find(field.name);
    Json value = it != data.end() ? *it : field.default_value;
    if (IsBlank(value)) {
      if (field.required) {
        return InvalidArgument(config.collection + ": field " + field.name + " is required");
      }
      continue;
    }
    const std::string problem = TypeProblem(field, value);
    if (!problem.empty()) {
      return InvalidArgument(config.collection + ": field " + field.name + " " + problem);
    }
    doc[field.name] = std::move(value);
  }
  return doc;
}

Status CheckUnique(const Snapshot& snapshot, const CollectionConfig& config, const Json& doc,
                   std::string_view self_vertex_id) {
  for (const FieldConfig& field : config.fields) {
    auto value = doc.find(field.name);
    if (!field.unique || value == doc.end()) continue;
    const Vertex* other = field.name == config.key_field && value->is_string()
                              ? snapshot.FindByKey(config.collection, value->get<std::string>())
                              : snapshot.FindByField(config.collection, field.name, *value);
    if (other != nullptr && other->id != self_vertex_id) {
      const std::string shown = value->is_string() ? value->get<std::string>() : value->dump();
      return AlreadyExists(config.collection + " " + field.name + " is not unique: " + shown);
    }
  }
  return OkStatus();
}

Result<const EdgeConfig*> CheckEdge(const Snapshot& snapshot, std::string_view name,
                                    std::string_view source, std::string_view target) {
  const Vertex* from = snapshot.FindVertex(source);
  if (from == nullptr) return NotFound("Edge source vertex " + std::string(source) + " not found");
  const Vertex* to = snapshot.FindVertex(target);
  if (to == nullptr) return NotFound("Edge target vertex " + std::string(target) + " not found");
  const std::string label =
      "edge " + std::string(name) + " from " + Describe(*from) + " to " + Describe(*to);
  const Model& model = snapshot.model();
  if (!model.HasEdgeName(from->collection, name)) {
    return InvalidArgument(label + ": " + from->collection + " has no edge named " +
                           std::string(name));
  }
  const EdgeConfig* config = model.FindEdge(from->collection, name, to->collection);
  if (config == nullptr) {
    return InvalidArgument(label + ": " + from->collection + " " + std::string(name) +
                           " edges may not target collection " + to->collection);
  }
  if (source == target) return InvalidArgument(label + ": self edges are not allowed");
  if (snapshot.FindEdge(source, target, name) != nullptr) {
    return AlreadyExists(label + ": the edge already exists");
  }
  if (config->relation == Relation::kOneToOne) {
    for (const Edge* edge : snapshot.Out(source)) {
      if (edge->name == name)
        return AlreadyExists(label + ": " + std::string(name) + " is one-to-one and " +
                             Describe(*from) + " already has one");
    }
  }
  if (snapshot.Reaches(target, source)) {
    return InvalidArgument(label + ": the edge would create a cycle");
  }
  return config;
}

}  // namespace broker::graph
