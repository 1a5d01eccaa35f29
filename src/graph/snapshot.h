#pragma once

// An immutable, indexed picture of the whole graph. Every read (get, combo, traversals,
// permissions, search, typeahead) runs against one Snapshot, held by
// std::shared_ptr<const Snapshot>; a write builds a new one (Clone, Put/Remove, Seal) and the
// Graph swaps it in after its transaction commits.
//
// Indexes: vertices by id, by collection-object id and by (collection, key); edges by id and by
// (source, target, name); adjacency lists in both directions; per-collection vertex lists; and a
// search buffer of lower-cased names and string fields for substring typeahead.
//
// Thread-safety: a sealed snapshot is immutable and safe to read from any thread. The mutators
// (Put*, Remove*, Seal) are for the single thread building a new snapshot, before publication.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/model.h"
#include "graph/types.h"

namespace broker::graph {

// One hop of a traversal: the edge followed and the vertex it led to.
struct Step {
  const Edge* edge = nullptr;
  const Vertex* vertex = nullptr;
};

struct SearchQuery {
  int64_t offset = 0;
  int64_t limit = 10;
  std::string q;                  // case-insensitive substring over name and string fields
  std::vector<std::string> tags;  // any of
  std::string upstream_vertex;    // keep objects reachable downstream from this vertex
  std::string downstream_vertex;  // keep objects that reach this vertex
  bool include_restricted = false;
  std::string id;         // exact collection-object id
  std::string vertex_id;  // exact vertex id
  std::string sort;       // field; empty = the collection's default sort
  bool ascending = true;
};

struct SearchResult {
  std::vector<const Vertex*> items;  // the requested page
  size_t total = 0;                  // matches before paging
};

struct TypeaheadResult {
  std::vector<const Vertex*> hits;
  size_t total = 0;
};

class Snapshot {
 public:
  explicit Snapshot(const Model& model = Model::Default())
      : model_(&model), by_key_(model.collections().size()) {}

  // A mutable copy sharing the (immutable) vertices and edges. Cost: O(vertices + edges).
  std::shared_ptr<Snapshot> Clone() const;

  // Mutators, only before the snapshot is published.
  void PutVertex(std::shared_ptr<const Vertex> vertex);  // adds or replaces by id
  void PutEdge(std::shared_ptr<const Edge> edge);
  void RemoveEdge(const std::string& edge_id);
  // Rebuilds the per-collection lists and the search buffer. Call once after the last change.
  void Seal();

  const Model& model() const { return *model_; }
  size_t vertex_count() const { return vertices_.size(); }
  size_t edge_count() const { return edges_.size(); }
  // Keys are views of the ids inside the values.
  const std::unordered_map<std::string_view, std::shared_ptr<const Vertex>>& vertices() const {
    return vertices_;
  }
  const std::unordered_map<std::string_view, std::shared_ptr<const Edge>>& edges() const {
    return edges_;
  }

  // nullptr when absent.
  const Vertex* FindVertex(std::string_view id) const;
  const Vertex* FindByObjectId(std::string_view object_id) const;
  const Vertex* FindByKey(std::string_view collection, std::string_view key) const;
  const Edge* FindEdge(std::string_view id) const;
  const Edge* FindEdge(std::string_view source, std::string_view target,
                       std::string_view name) const;
  // The first vertex of `collection` whose doc field `field` equals `value`; nullptr if none.
  const Vertex* FindByField(std::string_view collection, std::string_view field,
                            const Json& value) const;

  // Edges leaving / entering `vertex_id` (empty if none).
  const std::vector<const Edge*>& Out(std::string_view vertex_id) const;
  const std::vector<const Edge*>& In(std::string_view vertex_id) const;
  // Vertices of `collection`, in no particular order (sealed snapshots only).
  const std::vector<const Vertex*>& InCollection(std::string_view collection) const;

  // True if a directed path from `from` to `to` exists (any edges, restricted included).
  bool Reaches(std::string_view from, std::string_view to) const;
  // Vertices reachable following edges forward (Downstream) or backward (Upstream) through paths
  // of at most `max_edges` edges, each reported once with the edge that first reached it (BFS
  // order). Restricted edges are skipped unless `allow_restricted`.
  std::vector<Step> Downstream(std::string_view vertex_id, int max_edges,
                               bool allow_restricted = false) const;
  std::vector<Step> Upstream(std::string_view vertex_id, int max_edges,
                             bool allow_restricted = false) const;

  // Section 11 browse search over `collection`.
  SearchResult Search(const CollectionConfig& collection, const SearchQuery& query) const;
  // Case-insensitive substring search over names and string fields of all collections (or only
  // `collections` when non-empty). Name-prefix matches rank first. Returns at most `limit` hits
  // and the total number of matching vertices.
  TypeaheadResult Typeahead(std::string_view q, const std::vector<std::string>& collections,
                            size_t limit) const;

  // The lower-cased text a vertex is searched by (name, key and string fields). Writers store it
  // in Vertex::search_text when they build a vertex so that Seal() need not recompute it.
  static std::string SearchText(const Model& model, const Vertex& vertex);

 private:
  void Rekey(std::unordered_map<std::string_view, std::vector<const Edge*>>& adjacency,
             const Vertex& vertex);
  std::vector<Step> Walk(std::string_view vertex_id, int max_edges, bool allow_restricted,
                         bool forward) const;
  bool Matches(const Vertex& vertex, const SearchQuery& query,
               const std::optional<std::unordered_map<std::string, int>>& connected) const;
  std::optional<std::unordered_map<std::string, int>> ConnectedSet(const SearchQuery& query) const;

  // Every key is a view of a string inside a vertex or edge that the snapshot itself holds, so
  // cloning copies no strings. PutVertex re-keys the adjacency lists when it replaces a vertex.
  const Model* model_;
  std::unordered_map<std::string_view, std::shared_ptr<const Vertex>> vertices_;
  std::unordered_map<std::string_view, std::shared_ptr<const Edge>> edges_;
  std::unordered_map<std::string_view, const Vertex*> by_object_id_;
  std::vector<std::unordered_map<std::string_view, const Vertex*>> by_key_;  // per collection index
  std::unordered_map<std::string_view, std::vector<const Edge*>> out_;       // keyed by vertex ids
  std::unordered_map<std::string_view, std::vector<const Edge*>> in_;
  // Built by Seal().
  std::unordered_map<std::string, std::vector<const Vertex*>> by_collection_;
  struct SearchEntry {
    uint32_t offset;       // start of the vertex's text in search_buffer_
    uint16_t name_length;  // for ranking without touching the vertex
    uint8_t collection;    // collection index, for filtering without touching the vertex
  };
  std::string search_buffer_;  // lower-cased texts joined by '\0'
  std::vector<SearchEntry> search_entries_;
  std::vector<const Vertex*> search_vertices_;  // parallel to search_entries_
};

}  // namespace broker::graph
