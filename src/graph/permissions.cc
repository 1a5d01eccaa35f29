#include "graph/permissions.h"

#include <algorithm>
#include <unordered_set>

namespace broker::graph {
namespace {

using P = Permission;

std::vector<PermissionRule> BuildRules() {
  std::vector<PermissionRule> rules = {
      {"owner-team", {{"owner", "team", {P::kSudo, P::kUpdate, P::kDelete}}}}};
  for (const std::string role : {"lead-developer", "full-access"}) {
    const std::string prefix = role == "lead-developer" ? "leaddev" : "fullacc";
    const PermissionStep team{role, "team", {P::kUpdate}};
    const PermissionStep team_plain{role, "team", {}};
    const PermissionStep owns{"owns", "brokerAccount", {P::kSudo}};
    const PermissionStep owns_plain{"owns", "brokerAccount", {}};
    const PermissionStep project{"authorized", "project", {P::kUpdate}};
    const PermissionStep project_plain{"authorized", "project", {}};
    const PermissionStep component{"component", "service", {P::kSudo, P::kUpdate}};
    const PermissionStep direct{"authorized", "service", {P::kSudo, P::kUpdate}};
    const PermissionStep service_plain{"component", "service", {}};
    const PermissionStep direct_plain{"authorized", "service", {}};
    const PermissionStep instance{"instance", "serviceInstance", {P::kUpdate}};
    const PermissionStep source{"source", "repository", {P::kSudo, P::kUpdate}};
    rules.push_back(
        {prefix + "-project-service-instance", {team, owns, project, component, instance}});
    rules.push_back({prefix + "-service-instance", {team_plain, owns_plain, direct, instance}});
    rules.push_back({prefix + "-project-service-source-additions",
                     {team_plain, owns_plain, project_plain, service_plain, source}});
    rules.push_back(
        {prefix + "-service-source-additions", {team_plain, owns_plain, direct_plain, source}});
    rules.push_back(
        {prefix + "-team-cloud", {team_plain, {"operates", "cloud", {P::kSudo, P::kUpdate}}}});
  }
  rules.push_back({"tester-project-service-approve",
                   {{"tester", "team", {}},
                    {"owns", "brokerAccount", {}},
                    {"authorized", "project", {}},
                    {"component", "service", {P::kApprove}}}});
  rules.push_back({"tester-service-approve",
                   {{"tester", "team", {}},
                    {"owns", "brokerAccount", {}},
                    {"authorized", "service", {P::kApprove}}}});
  return rules;
}

void Grant(Permissions& permissions, Permission permission, const std::string& id) {
  switch (permission) {
    case P::kCreate:
      permissions.create.insert(id);
      break;
    case P::kDelete:
      permissions.del.insert(id);
      break;
    case P::kSudo:
      permissions.sudo.insert(id);
      break;
    case P::kUpdate:
      permissions.update.insert(id);
      break;
    case P::kApprove:
      permissions.approve.insert(id);
      break;
  }
}

void ApplyRule(const Snapshot& snapshot, std::string_view user, const PermissionRule& rule,
               Permissions& out) {
  std::unordered_set<std::string> frontier{std::string(user)};
  for (const PermissionStep& step : rule.steps) {
    std::unordered_set<std::string> next;
    for (const std::string& from : frontier) {
      for (const Edge* edge : snapshot.Out(from)) {
        if (edge->restrict || edge->name != step.edge) continue;
        const Vertex* target = snapshot.FindVertex(edge->target);
        if (target == nullptr || target->collection != step.collection) continue;
        next.insert(edge->target);
      }
    }
    if (next.empty()) return;
    for (const std::string& id : next) {
      for (Permission grant : step.grants) Grant(out, grant, id);
    }
    frontier = std::move(next);
  }
}

std::string JoinOr(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

Json SetJson(const std::set<std::string>& ids) {
  return ids;  // a JSON array, in the set's (sorted) order
}

}  // namespace

const std::vector<PermissionRule>& DefaultPermissionRules() {
  static const std::vector<PermissionRule>* const rules =
      new std::vector<PermissionRule>(BuildRules());
  return *rules;
}

bool Permissions::Has(Permission permission, const std::string& vertex_id) const {
  switch (permission) {
    case P::kCreate:
      return create.contains(vertex_id);
    case P::kDelete:
      return del.contains(vertex_id);
    case P::kSudo:
      return sudo.contains(vertex_id);
    case P::kUpdate:
      return update.contains(vertex_id);
    case P::kApprove:
      return approve.contains(vertex_id);
  }
  return false;
}

Json Permissions::ToJson() const {
  return {{"create", SetJson(create)},
          {"delete", SetJson(del)},
          {"sudo", SetJson(sudo)},
          {"update", SetJson(update)},
          {"approve", SetJson(approve)}};
}

Permissions PermissionsFor(const Snapshot& snapshot, std::string_view user_vertex_id,
                           const std::vector<PermissionRule>& rules) {
  Permissions out;
  if (snapshot.FindVertex(user_vertex_id) == nullptr) return out;
  for (const PermissionRule& rule : rules) ApplyRule(snapshot, user_vertex_id, rule, out);
  return out;
}

SudoExplanation ExplainAccountSudo(const Snapshot& snapshot, std::string_view user_vertex_id,
                                   std::string_view account_vertex_id) {
  const Permissions permissions = PermissionsFor(snapshot, user_vertex_id);
  if (permissions.sudo.contains(std::string(account_vertex_id))) return {true, ""};
  std::vector<std::string> teams;
  for (const Edge* edge : snapshot.In(account_vertex_id)) {
    const Vertex* team = snapshot.FindVertex(edge->source);
    if (edge->name == "owns" && !edge->restrict && team != nullptr) teams.push_back(team->name);
  }
  std::sort(teams.begin(), teams.end());
  if (teams.empty()) {
    return {false,
            "requires lead-developer or full-access on a team that owns this account; no team "
            "owns it (ask an administrator)"};
  }
  const std::string noun = teams.size() == 1 ? "team " : "one of the teams ";
  return {false, "requires lead-developer or full-access on " + noun + JoinOr(teams)};
}

bool CanManageTeamMembers(const Snapshot& snapshot, std::string_view user_vertex_id,
                          std::string_view team_vertex_id) {
  return std::ranges::any_of(snapshot.Out(user_vertex_id), [&](const Edge* edge) {
    return edge->name == "owner" && edge->target == team_vertex_id;
  });
}

bool TeamIsEmpty(const Snapshot& snapshot, std::string_view team_vertex_id) {
  return std::ranges::none_of(snapshot.In(team_vertex_id),
                              [](const Edge* edge) { return edge->is == 4; });  // 4 = user
}

}  // namespace broker::graph
