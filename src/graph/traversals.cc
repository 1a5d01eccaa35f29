#include "graph/traversals.h"

#include <algorithm>
#include <deque>
#include <set>
#include <tuple>
#include <unordered_set>

namespace broker::graph {
namespace {

constexpr int kProjectIndex = 1;
constexpr int kServiceIndex = 2;
constexpr int kUserIndex = 4;

std::vector<const Vertex*> ComponentParents(const Snapshot& snapshot, const Vertex& service) {
  std::vector<const Vertex*> parents;
  for (const Edge* edge : snapshot.In(service.id)) {
    if (edge->name != "component" || edge->is != kProjectIndex) continue;
    const Vertex* project = snapshot.FindVertex(edge->source);
    if (project != nullptr) parents.push_back(project);
  }
  return parents;
}

const Vertex* FirstProjectParent(const Snapshot& snapshot, const Vertex& service) {
  for (const Edge* edge : snapshot.In(service.id)) {
    if (edge->is == kProjectIndex) return snapshot.FindVertex(edge->source);
  }
  return nullptr;
}

// Services reached through unrestricted edges whose targets are projects or services.
std::vector<const Vertex*> ReachedServices(const Snapshot& snapshot, std::string_view start,
                                           int max_edges) {
  std::vector<const Vertex*> services;
  std::unordered_set<std::string_view> seen{start};
  std::deque<std::pair<std::string_view, int>> queue{{start, 0}};
  while (!queue.empty()) {
    const auto [current, depth] = queue.front();
    queue.pop_front();
    if (depth >= max_edges) continue;
    for (const Edge* edge : snapshot.Out(current)) {
      if (edge->restrict || (edge->it != kProjectIndex && edge->it != kServiceIndex)) continue;
      if (!seen.insert(edge->target).second) continue;
      const Vertex* vertex = snapshot.FindVertex(edge->target);
      if (vertex == nullptr) continue;
      if (edge->it == kServiceIndex) services.push_back(vertex);
      queue.emplace_back(edge->target, depth + 1);
    }
  }
  return services;
}

}  // namespace

AccountServices ServicesForAccount(const Snapshot& snapshot, std::string_view account_vertex_id) {
  AccountServices out;
  for (const Vertex* service : ReachedServices(snapshot, account_vertex_id, 2)) {
    const auto parents = ComponentParents(snapshot, *service);
    if (parents.size() == 1) {
      out.bound.push_back({parents.front(), service});
    } else {
      out.without_unique_project.push_back(service);
    }
  }
  std::sort(out.bound.begin(), out.bound.end(), [](const auto& a, const auto& b) {
    return std::tie(a.project->name, a.service->name) < std::tie(b.project->name, b.service->name);
  });
  return out;
}

std::map<std::string, BoundProject> BoundProjectsAndServices(const Snapshot& snapshot,
                                                             std::string_view account_vertex_id) {
  std::map<std::string, BoundProject> out;
  for (const Vertex* service : ReachedServices(snapshot, account_vertex_id, 3)) {
    const Vertex* project = FirstProjectParent(snapshot, *service);
    if (project == nullptr) continue;
    BoundProject& entry = out[project->name];
    entry.name = project->name;
    entry.services.push_back(service->name);
  }
  for (auto& [name, entry] : out) std::sort(entry.services.begin(), entry.services.end());
  return out;
}

std::vector<const Vertex*> UsersUpstream(const Snapshot& snapshot, std::string_view vertex_id,
                                         const std::vector<std::string>& roles, int max_edges) {
  std::set<const Vertex*> users;
  // Upstream() reports each vertex once; a user may reach the graph through several role edges,
  // so walk the reached vertices and inspect every inbound edge from a user.
  std::vector<std::string_view> reached{vertex_id};
  for (const Step& step : snapshot.Upstream(vertex_id, max_edges - 1))
    reached.push_back(step.vertex->id);
  for (std::string_view id : reached) {
    for (const Edge* edge : snapshot.In(id)) {
      if (edge->restrict || edge->is != kUserIndex) continue;
      if (std::find(roles.begin(), roles.end(), edge->name) == roles.end()) continue;
      if (const Vertex* user = snapshot.FindVertex(edge->source)) users.insert(user);
    }
  }
  std::vector<const Vertex*> out(users.begin(), users.end());
  std::sort(out.begin(), out.end(),
            [](const Vertex* a, const Vertex* b) { return a->name < b->name; });
  return out;
}

const Vertex* ParentOf(const Snapshot& snapshot, const Vertex& vertex) {
  const CollectionConfig* config = snapshot.model().Find(vertex.collection);
  if (config == nullptr || !config->parent_edge) return nullptr;
  for (const Edge* edge : snapshot.In(vertex.id)) {
    if (edge->name == *config->parent_edge) return snapshot.FindVertex(edge->source);
  }
  return nullptr;
}

}  // namespace broker::graph
