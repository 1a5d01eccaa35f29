#include "graph/types.h"

#include "core/time_format.h"

namespace broker::graph {
namespace {

Json Timestamps(int64_t created_ms, int64_t updated_ms) {
  Json out = {{"createdAt", FormatIso8601(created_ms)}};
  if (updated_ms != 0) out["updatedAt"] = FormatIso8601(updated_ms);
  return out;
}

}  // namespace

Json VertexJson(const Vertex& vertex) {
  Json out = {{"id", vertex.id},
              {"collection", vertex.collection},
              {"name", vertex.name},
              {"timestamps", Timestamps(vertex.created_ms, vertex.updated_ms)}};
  if (!vertex.prop.empty()) out["prop"] = vertex.prop;
  return out;
}

Json CollectionJson(const Vertex& vertex) {
  Json out = vertex.doc;
  out["id"] = vertex.object_id;
  out["vertex"] = vertex.id;
  if (!vertex.tags.empty()) out["tags"] = vertex.tags;
  return out;
}

Json EdgeJson(const Edge& edge) {
  Json out = {{"id", edge.id},         {"name", edge.name},
              {"source", edge.source}, {"target", edge.target},
              {"is", edge.is},         {"it", edge.it},
              {"prop", edge.prop},     {"timestamps", Timestamps(edge.created_ms, 0)}};
  if (edge.restrict) out["restrict"] = true;
  return out;
}

}  // namespace broker::graph
