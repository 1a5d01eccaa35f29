#include "graph/snapshot.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <unordered_set>

namespace broker::graph {
namespace {

const std::vector<const Edge*>& NoEdges() {
  static const std::vector<const Edge*> empty;
  return empty;
}

const std::vector<const Vertex*>& NoVertices() {
  static const std::vector<const Vertex*> empty;
  return empty;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first occurrence of `needle` (not empty) in [cursor, end), or nullptr. memchr finds
// candidates for the first byte; glibc's memmem is slower here because the texts are short and
// partial matches frequent.
const char* FindNeedle(const char* cursor, const char* end, std::string_view needle) {
  const char first = needle.front();
  const size_t rest = needle.size() - 1;
  while (static_cast<size_t>(end - cursor) > rest) {
    const void* candidate = std::memchr(cursor, first, static_cast<size_t>(end - cursor) - rest);
    if (candidate == nullptr) return nullptr;
    const char* at = static_cast<const char*>(candidate);
    if (std::memcmp(at + 1, needle.data() + 1, rest) == 0) return at;
    cursor = at + 1;
  }
  return nullptr;
}

bool IsTextField(FieldType type) {
  return type == FieldType::kString || type == FieldType::kSelect;
}

// Orders JSON values for sorting: missing/null last, numbers numerically, strings
// case-insensitively, anything else by its serialisation.
int CompareValues(const Json& a, const Json& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : (a.is_null() ? 1 : -1);
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const std::string x = Lower(a.is_string() ? a.get<std::string>() : a.dump());
  const std::string y = Lower(b.is_string() ? b.get<std::string>() : b.dump());
  return x.compare(y);
}

Json SortValue(const Vertex& vertex, const std::string& field) {
  auto it = vertex.doc.find(field);
  if (it != vertex.doc.end()) return *it;
  if (field == "name") return vertex.name;
  return nullptr;
}

bool HasAnyTag(const Vertex& vertex, const std::vector<std::string>& tags) {
  return std::ranges::any_of(tags, [&vertex](const auto& tag) {
    return std::ranges::find(vertex.tags, tag) != vertex.tags.end();
  });
}

}  // namespace

std::shared_ptr<Snapshot> Snapshot::Clone() const {
  auto copy = std::make_shared<Snapshot>(*model_);
  copy->vertices_ = vertices_;
  copy->edges_ = edges_;
  copy->by_object_id_ = by_object_id_;
  copy->by_key_ = by_key_;
  copy->out_ = out_;
  copy->in_ = in_;
  return copy;
}

void Snapshot::Rekey(std::unordered_map<std::string_view, std::vector<const Edge*>>& adjacency,
                     const Vertex& vertex) {
  auto node = adjacency.extract(vertex.id);
  if (node.empty()) return;
  node.key() = vertex.id;
  adjacency.insert(std::move(node));
}

void Snapshot::PutVertex(std::shared_ptr<const Vertex> vertex) {
  const auto index = static_cast<size_t>(vertex->index);
  if (index >= by_key_.size()) return;
  auto existing = vertices_.find(vertex->id);
  if (existing != vertices_.end()) {
    const Vertex& old = *existing->second;
    by_object_id_.erase(old.object_id);
    if (static_cast<size_t>(old.index) < by_key_.size()) {
      auto& keys = by_key_[static_cast<size_t>(old.index)];
      if (auto it = keys.find(old.key); it != keys.end() && it->second == &old) keys.erase(it);
    }
    vertices_.erase(existing);
  }
  const Vertex* raw = vertex.get();
  vertices_.emplace(raw->id, std::move(vertex));
  by_object_id_[raw->object_id] = raw;
  by_key_[index].emplace(raw->key, raw);
  Rekey(out_, *raw);
  Rekey(in_, *raw);
}

void Snapshot::PutEdge(std::shared_ptr<const Edge> edge) {
  const Vertex* source = FindVertex(edge->source);
  const Vertex* target = FindVertex(edge->target);
  if (source == nullptr || target == nullptr) return;
  const Edge* raw = edge.get();
  out_[source->id].push_back(raw);
  in_[target->id].push_back(raw);
  edges_.emplace(raw->id, std::move(edge));
}

void Snapshot::RemoveEdge(const std::string& edge_id) {
  auto it = edges_.find(edge_id);
  if (it == edges_.end()) return;
  const Edge* raw = it->second.get();
  if (auto out = out_.find(raw->source); out != out_.end()) std::erase(out->second, raw);
  if (auto in = in_.find(raw->target); in != in_.end()) std::erase(in->second, raw);
  edges_.erase(it);
}

void Snapshot::Seal() {
  by_collection_.clear();
  search_buffer_.clear();
  search_entries_.clear();
  search_vertices_.clear();
  search_entries_.reserve(vertices_.size());
  search_vertices_.reserve(vertices_.size());
  for (const auto& [id, vertex] : vertices_) {
    by_collection_[vertex->collection].push_back(vertex.get());
    search_entries_.push_back({static_cast<uint32_t>(search_buffer_.size()),
                               static_cast<uint16_t>(std::min<size_t>(vertex->name.size(), 65535)),
                               static_cast<uint8_t>(vertex->index)});
    search_vertices_.push_back(vertex.get());
    if (vertex->search_text.empty()) {
      search_buffer_.append(SearchText(*model_, *vertex));
    } else {
      search_buffer_.append(vertex->search_text);
    }
    search_buffer_.push_back('\0');
  }
}

std::string Snapshot::SearchText(const Model& model, const Vertex& vertex) {
  std::string text = vertex.name;
  if (vertex.key != vertex.name) text += "\n" + vertex.key;
  const CollectionConfig* config = model.Find(vertex.collection);
  if (config == nullptr) return Lower(text);
  for (const auto& field : config->fields) {
    auto it = vertex.doc.find(field.name);
    if (!IsTextField(field.type) || it == vertex.doc.end() || !it->is_string()) continue;
    text += "\n" + it->get<std::string>();
  }
  return Lower(text);
}

const Vertex* Snapshot::FindVertex(std::string_view id) const {
  auto it = vertices_.find(id);
  return it == vertices_.end() ? nullptr : it->second.get();
}

const Vertex* Snapshot::FindByObjectId(std::string_view object_id) const {
  auto it = by_object_id_.find(object_id);
  return it == by_object_id_.end() ? nullptr : it->second;
}

const Vertex* Snapshot::FindByKey(std::string_view collection, std::string_view key) const {
  const CollectionConfig* config = model_->Find(collection);
  if (config == nullptr || static_cast<size_t>(config->index) >= by_key_.size()) return nullptr;
  const auto& keys = by_key_[static_cast<size_t>(config->index)];
  auto it = keys.find(key);
  return it == keys.end() ? nullptr : it->second;
}

const Edge* Snapshot::FindEdge(std::string_view id) const {
  auto it = edges_.find(id);
  return it == edges_.end() ? nullptr : it->second.get();
}

const Edge* Snapshot::FindEdge(std::string_view source, std::string_view target,
                               std::string_view name) const {
  for (const Edge* edge : Out(source)) {
    if (edge->target == target && edge->name == name) return edge;
  }
  return nullptr;
}

const Vertex* Snapshot::FindByField(std::string_view collection, std::string_view field,
                                    const Json& value) const {
  for (const auto& [id, vertex] : vertices_) {
    if (vertex->collection != collection) continue;
    auto it = vertex->doc.find(std::string(field));
    if (it != vertex->doc.end() && *it == value) return vertex.get();
  }
  return nullptr;
}

const std::vector<const Edge*>& Snapshot::Out(std::string_view vertex_id) const {
  auto it = out_.find(vertex_id);
  return it == out_.end() ? NoEdges() : it->second;
}

const std::vector<const Edge*>& Snapshot::In(std::string_view vertex_id) const {
  auto it = in_.find(vertex_id);
  return it == in_.end() ? NoEdges() : it->second;
}

const std::vector<const Vertex*>& Snapshot::InCollection(std::string_view collection) const {
  auto it = by_collection_.find(std::string(collection));
  return it == by_collection_.end() ? NoVertices() : it->second;
}

bool Snapshot::Reaches(std::string_view from, std::string_view to) const {
  if (from == to) return true;
  std::unordered_set<std::string_view> seen{from};
  std::vector<std::string_view> stack{from};
  while (!stack.empty()) {
    const std::string_view current = stack.back();
    stack.pop_back();
    for (const Edge* edge : Out(current)) {
      if (edge->target == to) return true;
      if (seen.insert(edge->target).second) stack.push_back(edge->target);
    }
  }
  return false;
}

std::vector<Step> Snapshot::Walk(std::string_view vertex_id, int max_edges, bool allow_restricted,
                                 bool forward) const {
  std::vector<Step> out;
  std::unordered_set<std::string_view> seen{vertex_id};
  std::deque<std::pair<std::string_view, int>> queue{{vertex_id, 0}};
  while (!queue.empty()) {
    const auto [current, depth] = queue.front();
    queue.pop_front();
    if (depth >= max_edges) continue;
    for (const Edge* edge : forward ? Out(current) : In(current)) {
      if (edge->restrict && !allow_restricted) continue;
      const std::string& next = forward ? edge->target : edge->source;
      if (!seen.insert(next).second) continue;
      const Vertex* vertex = FindVertex(next);
      if (vertex == nullptr) continue;
      out.push_back({edge, vertex});
      queue.emplace_back(next, depth + 1);
    }
  }
  return out;
}

std::vector<Step> Snapshot::Downstream(std::string_view vertex_id, int max_edges,
                                       bool allow_restricted) const {
  return Walk(vertex_id, max_edges, allow_restricted, true);
}

std::vector<Step> Snapshot::Upstream(std::string_view vertex_id, int max_edges,
                                     bool allow_restricted) const {
  return Walk(vertex_id, max_edges, allow_restricted, false);
}

std::optional<std::unordered_map<std::string, int>> Snapshot::ConnectedSet(
    const SearchQuery& query) const {
  if (query.upstream_vertex.empty() && query.downstream_vertex.empty()) return std::nullopt;
  // The reference walks 5 unrestricted edges, or 2 when restricted edges are included.
  const int depth = query.include_restricted ? 2 : 5;
  std::unordered_map<std::string, int> hits;
  if (!query.upstream_vertex.empty()) {
    for (const Step& step : Downstream(query.upstream_vertex, depth, query.include_restricted)) {
      hits[step.vertex->id] |= 1;
    }
  }
  if (!query.downstream_vertex.empty()) {
    for (const Step& step : Upstream(query.downstream_vertex, depth, query.include_restricted)) {
      hits[step.vertex->id] |= 2;
    }
  }
  const int wanted =
      (query.upstream_vertex.empty() ? 0 : 1) | (query.downstream_vertex.empty() ? 0 : 2);
  std::erase_if(hits, [wanted](const auto& entry) { return entry.second != wanted; });
  return hits;
}

bool Snapshot::Matches(const Vertex& vertex, const SearchQuery& query,
                       const std::optional<std::unordered_map<std::string, int>>& connected) const {
  if (!query.id.empty() && vertex.object_id != query.id) return false;
  if (!query.vertex_id.empty() && vertex.id != query.vertex_id) return false;
  if (!query.tags.empty() && !HasAnyTag(vertex, query.tags)) return false;
  if (connected && !connected->contains(vertex.id)) return false;
  if (query.q.empty()) return true;
  const std::string text =
      vertex.search_text.empty() ? SearchText(*model_, vertex) : vertex.search_text;
  return text.find(query.q) != std::string::npos;
}

SearchResult Snapshot::Search(const CollectionConfig& collection, const SearchQuery& query) const {
  const auto connected = ConnectedSet(query);
  SearchQuery lowered = query;
  lowered.q = Lower(query.q);
  std::vector<const Vertex*> matches;
  for (const Vertex* vertex : InCollection(collection.collection)) {
    if (Matches(*vertex, lowered, connected)) matches.push_back(vertex);
  }
  const std::string field = query.sort.empty() ? collection.sort_field : query.sort;
  const bool ascending = query.sort.empty() ? collection.sort_dir >= 0 : query.ascending;
  std::sort(matches.begin(), matches.end(), [&](const Vertex* a, const Vertex* b) {
    const int order = CompareValues(SortValue(*a, field), SortValue(*b, field));
    if (order != 0) return ascending ? order < 0 : order > 0;
    return a->id < b->id;
  });
  SearchResult result;
  result.total = matches.size();
  const size_t begin =
      std::min(matches.size(), static_cast<size_t>(std::max<int64_t>(0, query.offset)));
  const size_t end =
      std::min(matches.size(), begin + static_cast<size_t>(std::max<int64_t>(0, query.limit)));
  result.items.assign(matches.begin() + static_cast<std::ptrdiff_t>(begin),
                      matches.begin() + static_cast<std::ptrdiff_t>(end));
  return result;
}

TypeaheadResult Snapshot::Typeahead(std::string_view q, const std::vector<std::string>& collections,
                                    size_t limit) const {
  TypeaheadResult result;
  const std::string needle = Lower(q);
  if (needle.empty() || search_buffer_.empty()) return result;
  uint32_t wanted = collections.empty() ? ~0u : 0u;
  for (const auto& name : collections) {
    if (const CollectionConfig* config = model_->Find(name)) wanted |= 1u << config->index;
  }
  // Ranked by (name prefix first, shorter name first, buffer order); only the kept hits are
  // ordered by name, so a query matching half the graph touches no vertex memory.
  struct Hit {
    uint32_t rank;
    uint32_t entry;
  };
  std::vector<Hit> hits;
  const char* begin = search_buffer_.data();
  const char* end = begin + search_buffer_.size();
  const char* cursor = begin;
  size_t index = 0;
  while (cursor < end) {
    const char* found = FindNeedle(cursor, end, needle);
    if (found == nullptr) break;
    const auto offset = static_cast<size_t>(found - begin);
    // Hits only move forward, so the owning text is found by walking, not by binary search.
    while (index + 1 < search_entries_.size() && search_entries_[index + 1].offset <= offset) {
      ++index;
    }
    const SearchEntry& entry = search_entries_[index];
    // Resume at the next vertex's text so each vertex counts once.
    cursor = index + 1 < search_entries_.size() ? begin + search_entries_[index + 1].offset : end;
    if ((wanted & (1u << entry.collection)) == 0) continue;
    const uint32_t prefix = offset == entry.offset ? 0u : 1u;
    hits.push_back({(prefix << 16) | entry.name_length, static_cast<uint32_t>(index)});
  }
  result.total = hits.size();
  const size_t keep = std::min(limit, hits.size());
  const auto middle = hits.begin() + static_cast<std::ptrdiff_t>(keep);
  std::partial_sort(hits.begin(), middle, hits.end(), [](const Hit& a, const Hit& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.entry < b.entry;
  });
  for (size_t i = 0; i < keep; ++i) result.hits.push_back(search_vertices_[hits[i].entry]);
  std::stable_sort(result.hits.begin(), result.hits.end(), [&](const Vertex* a, const Vertex* b) {
    const bool a_prefix = std::string_view(Lower(a->name)).starts_with(needle);
    const bool b_prefix = std::string_view(Lower(b->name)).starts_with(needle);
    if (a_prefix != b_prefix) return a_prefix;
    return a->name < b->name;
  });
  return result;
}

}  // namespace broker::graph
