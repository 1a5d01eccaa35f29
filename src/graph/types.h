#pragma once

// The graph's value types. A vertex and its collection object are held together: every vertex
// has exactly one collection object (its collection-specific fields, tags and own id).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace broker::graph {

struct Vertex {
  std::string id;          // vertex id (24 hex)
  std::string collection;  // camelCase collection name
  int index = 0;           // collection index
  std::string name;        // display name (the object's name, or a user's full name)
  std::string key;         // the name imports use: `name`, or `username` for users
  Json prop = Json::object();
  int64_t created_ms = 0;
  int64_t updated_ms = 0;

  std::string object_id;  // id of the collection object
  std::vector<std::string> tags;
  Json doc = Json::object();  // the collection-specific fields (no id, vertex or tags)

  std::string search_text;  // Snapshot::SearchText, cached; empty = compute when needed
};

struct Edge {
  std::string id;
  std::string name;
  std::string source;  // vertex id
  std::string target;  // vertex id
  int is = 0;          // collection index of the source
  int it = 0;          // collection index of the target
  bool restrict = false;
  Json prop = Json::object();
  int64_t created_ms = 0;
};

// The reference's vertex document: {id, collection, name, prop?, timestamps}.
Json VertexJson(const Vertex& vertex);
// The reference's collection document: {...fields, id, vertex, tags?}.
Json CollectionJson(const Vertex& vertex);
// {id, name, source, target, is, it, prop, restrict?, timestamps}.
Json EdgeJson(const Edge& edge);

// Called after each committed change with an event name ("vertex-add", "vertex-edit",
// "edge-add", "edge-delete", "collection-edit") and its JSON payload. Must not block long; it
// runs on the writing thread after the snapshot has been swapped.
using ChangeListener = std::function<void(std::string_view event, const Json& payload)>;

}  // namespace broker::graph
