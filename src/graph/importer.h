#pragma once

// The import file loader (docs/API.md "Import file"), used through Graph::Import, which runs it
// inside one write transaction against a draft snapshot: any refusal rolls everything back.
//
// File: {"users"?: [user...], "collections": {"<collection>": [object...]}, "edges": [{name,
// source, target, prop?}]}. Users may appear under "users" or "collections.user"; a user entry
// may carry "password" and "admin", which are handed back (never stored here, never logged).
// Objects may carry "tags" (string array) and "prop" (string map). Edge ends are
// "<collection>/<name>" ("user/<username>"). Objects and edges that already exist by name are
// reported as existing and left unchanged.
//
// Thread-safety: one Importer per import, used by the writing thread only.

#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "graph/graph.h"

namespace broker::graph {

class Importer {
 public:
  Importer(Graph& graph, store::Session& session, Snapshot& draft, ImportReport& report)
      : graph_(graph), session_(session), draft_(draft), report_(report) {}

  // InvalidArgument (malformed file, unknown collection, unknown edge name, dangling end,
  // cycle, duplicate name in the file, bad field), AlreadyExists (unique field taken, oneToOne
  // already used), each naming the entry ("collections.team[1] (platform): ...").
  Status Run(const Json& file);
  // Events for the objects and edges created, for the change listener.
  const std::vector<std::pair<std::string, Json>>& events() const { return events_; }

 private:
  Status ImportCollection(const std::string& key, const Json& entries);
  Status ImportObject(const CollectionConfig& config, const std::string& where, Json entry);
  Status ImportEdge(const std::string& where, const Json& entry);
  Result<const Vertex*> ResolveEnd(const std::string& where, const std::string& end) const;

  Graph& graph_;
  store::Session& session_;
  Snapshot& draft_;
  ImportReport& report_;
  std::vector<std::string> seen_keys_;  // "collection/key" of entries in this file
  std::vector<std::pair<std::string, Json>> events_;
};

}  // namespace broker::graph
