#pragma once

// The named traversals other modules rely on (reference section 1.4), over a Snapshot.
//
// Thread-safety: pure functions over an immutable Snapshot.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "graph/snapshot.h"

namespace broker::graph {

struct ProjectService {
  const Vertex* project = nullptr;
  const Vertex* service = nullptr;
};

struct AccountServices {
  // Services reached from the account (account -> service or account -> project -> service,
  // unrestricted) that have exactly one `component` parent project; sorted by project, service.
  std::vector<ProjectService> bound;
  // Services reached whose project is missing or ambiguous (zero or several `component`
  // parents): they receive no token.
  std::vector<const Vertex*> without_unique_project;
};

// Where a new token of the account is distributed (tools/<project>/<service>).
AccountServices ServicesForAccount(const Snapshot& snapshot, std::string_view account_vertex_id);

struct BoundProject {
  std::string name;
  std::vector<std::string> services;
};

// The account's bound projects and services for intention validation: downstream at most 3
// edges through unrestricted edges whose target is a project or a service; each service's
// project is the source of the first edge from a project into it. Projects reached without
// services do not appear. Keyed by project name.
std::map<std::string, BoundProject> BoundProjectsAndServices(const Snapshot& snapshot,
                                                             std::string_view account_vertex_id);

// Users upstream of `vertex_id` (unrestricted edges, at most `max_edges` deep) that reach it
// through an edge whose name is in `roles` (e.g. lead-developer, full-access). Each user once,
// sorted by name.
std::vector<const Vertex*> UsersUpstream(const Snapshot& snapshot, std::string_view vertex_id,
                                         const std::vector<std::string>& roles, int max_edges = 8);

// The parent vertex of a vertex whose collection declares a parent edge (serviceInstance ->
// its service through `instance`), or nullptr.
const Vertex* ParentOf(const Snapshot& snapshot, const Vertex& vertex);

}  // namespace broker::graph
