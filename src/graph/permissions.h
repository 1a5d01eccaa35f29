#pragma once

// What a user may do to which vertices, computed from the graph (reference section 1.6).
//
// A rule is a path template starting at the user's vertex: step k matches unrestricted edges
// named `edge` leading to a vertex of collection `collection`, leaving the user (k = 0) or a
// vertex matched at step k-1. Every vertex matched at a step receives the step's permissions;
// a rule stops at the first step with no match. The global `admin` role is not part of the
// graph: callers check it first.
//
// Thread-safety: pure functions over an immutable Snapshot.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "graph/snapshot.h"

namespace broker::graph {

enum class Permission { kCreate, kDelete, kSudo, kUpdate, kApprove };

struct PermissionStep {
  std::string edge;
  std::string collection;
  std::vector<Permission> grants;
};

struct PermissionRule {
  std::string key;
  std::vector<PermissionStep> steps;
};

// The seeded graphPermission rules (owner-team, leaddev-*, fullacc-*, tester-*).
const std::vector<PermissionRule>& DefaultPermissionRules();

struct Permissions {
  std::set<std::string> create, del, sudo, update, approve;  // vertex ids

  bool Has(Permission permission, const std::string& vertex_id) const;
  // {create:[], delete:[], sudo:[], update:[], approve:[]} for GET /v1/graph/data/user-permissions.
  Json ToJson() const;
};

// The permissions `user_vertex_id` holds through `rules`.
Permissions PermissionsFor(const Snapshot& snapshot, std::string_view user_vertex_id,
                           const std::vector<PermissionRule>& rules = DefaultPermissionRules());

struct SudoExplanation {
  bool allowed = false;
  // When not allowed: why, e.g. "requires lead-developer or full-access on team platform".
  std::string reason;
};

// Whether the user may manage the tokens of `account_vertex_id` (sudo on the account) and, if
// not, a sentence naming the owning teams and the roles that would allow it.
SudoExplanation ExplainAccountSudo(const Snapshot& snapshot, std::string_view user_vertex_id,
                                   std::string_view account_vertex_id);

// True if the user may add or remove `user -<role>-> team` edges on `team_vertex_id`: the user
// holds `owner` on that team (callers let admins through first).
bool CanManageTeamMembers(const Snapshot& snapshot, std::string_view user_vertex_id,
                          std::string_view team_vertex_id);

// True if no user is connected to the team by any edge (anyone may then claim it).
bool TeamIsEmpty(const Snapshot& snapshot, std::string_view team_vertex_id);

}  // namespace broker::graph
