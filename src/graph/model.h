#pragma once

// The graph's model as data: the 11 collections, their fields, the edge catalogue and the
// per-collection settings the web UI reads from GET /v1/collection/config. Nothing here
// touches storage; the tables are built once and never change.
//
// Thread-safety: `Model::Default()` is immutable after first use; safe from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace broker::graph {

enum class FieldType {
  kString,
  kEmail,
  kUrl,
  kBoolean,
  kNumber,
  kDate,
  kSelect,
  kStringArray,
  kEmbeddedDoc,
  kEmbeddedDocArray,
  kJson,
};

// "string", "email", ..., "embeddedDocArray", "json" (the reference's type names).
std::string_view FieldTypeName(FieldType type);

struct FieldConfig {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  bool unique = false;
  std::string hint;
  Json default_value;                // null when there is no default
  std::string init;                  // "uuid" or "now": the UI fills the field in
  std::vector<std::string> options;  // allowed values of a select
};

enum class Relation { kOneToMany, kOneToOne };

// One edge a source collection may have. `target` is a collection name.
struct EdgeConfig {
  std::string name;
  std::string target;
  Relation relation = Relation::kOneToMany;
  bool restrict = false;
  bool cascade = false;  // onDelete: 'cascade'
  bool show = true;
  std::string title;
};

struct CollectionPermissions {
  bool browse = true;
  bool create = true;
  bool filter = false;  // supports the "connected" browse filter
  bool update = true;
  bool del = true;
};

struct CollectionConfig {
  std::string collection;  // camelCase name, e.g. "brokerAccount"
  int index = 0;
  std::string name;   // display name, e.g. "Broker Account"
  std::string kebab;  // path form, e.g. "broker-account"
  std::string hint;
  std::string color;
  std::vector<std::string> browse_fields;
  std::vector<FieldConfig> fields;
  std::vector<EdgeConfig> edges;
  std::string sort_field = "name";
  int sort_dir = 1;  // 1 ascending, -1 descending
  CollectionPermissions permissions;
  std::optional<std::string> parent_edge;  // e.g. "instance" for serviceInstance
  std::string key_field = "name";          // field that names an object in imports ("username")
  std::string sudo_help;

  const FieldConfig* FindField(std::string_view field) const;
  bool NameIsUnique() const;
};

class Model {
 public:
  // The built-in model (reference section 1.2/1.3).
  static const Model& Default();

  const std::vector<CollectionConfig>& collections() const { return collections_; }
  // By camelCase name or kebab-case path form ("broker-account"); nullptr if unknown.
  const CollectionConfig* Find(std::string_view name) const;
  // By collection index; nullptr if out of range.
  const CollectionConfig* ByIndex(int index) const;
  // The edge config `name` of `source` leading to `target`; nullptr if the catalogue has none.
  const EdgeConfig* FindEdge(std::string_view source, std::string_view name,
                             std::string_view target) const;
  // True if `source` has any edge named `name`.
  bool HasEdgeName(std::string_view source, std::string_view name) const;

  // The collectionConfig documents, in index order, for GET /v1/collection/config.
  Json ConfigJson() const;

 private:
  Model();
  std::vector<CollectionConfig> collections_;  // in index order
};

Json CollectionConfigJson(const CollectionConfig& config);

}  // namespace broker::graph
