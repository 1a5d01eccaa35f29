#include "notify/recipients.h"

#include <algorithm>
#include <map>

namespace broker::notify {
namespace {

// Lower ranks win when a user holds several roles.
int RoleRank(std::string_view role) {
  if (role == "lead-developer") return 0;
  if (role == "full-access") return 1;
  if (role == "owner") return 2;
  return -1;
}

std::string DocText(const graph::Vertex& vertex, const char* field) {
  const auto it = vertex.doc.find(field);
  return it != vertex.doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<const graph::Vertex*> OwningTeams(const graph::Snapshot& snapshot,
                                              std::string_view account_vertex_id) {
  std::vector<const graph::Vertex*> teams;
  for (const graph::Edge* edge : snapshot.In(account_vertex_id)) {
    if (edge->name != "owns" || edge->restrict) continue;
    const graph::Vertex* team = snapshot.FindVertex(edge->source);
    if (team != nullptr && team->collection == "team") teams.push_back(team);
  }
  return teams;
}

}  // namespace

std::vector<Recipient> RecipientsFor(const graph::Snapshot& snapshot,
                                     std::string_view account_vertex_id, bool include_owners) {
  std::map<std::string, Recipient> by_vertex;  // user vertex id -> best role so far
  for (const graph::Vertex* team : OwningTeams(snapshot, account_vertex_id)) {
    for (const graph::Edge* edge : snapshot.In(team->id)) {
      const int rank = RoleRank(edge->name);
      if (edge->restrict || rank < 0 || (rank == 2 && !include_owners)) continue;
      const graph::Vertex* user = snapshot.FindVertex(edge->source);
      if (user == nullptr || user->collection != "user") continue;
      auto [it, added] = by_vertex.try_emplace(user->id);
      if (!added && RoleRank(it->second.role) <= rank) continue;
      it->second = {user->object_id, user->name, DocText(*user, "email"), edge->name};
    }
  }
  std::vector<Recipient> out;
  out.reserve(by_vertex.size());
  for (auto& [vertex_id, recipient] : by_vertex) out.push_back(std::move(recipient));
  std::sort(out.begin(), out.end(), [](const Recipient& a, const Recipient& b) {
    return a.name != b.name ? a.name < b.name : a.user_id < b.user_id;
  });
  return out;
}

}  // namespace broker::notify
