#pragma once
// The business rules of an intention (reference sections 6.3-6.5): which environment an action
// targets, and the eight action rules run in priority order, first failure wins. Each failure
// carries the reference's exact message and the key (a dotted path into the action) that the
// open endpoint reports with the value found there.
//
// Thread-safety: pure functions over an immutable graph snapshot and the `History` callbacks.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "graph/snapshot.h"
#include "graph/traversals.h"

namespace broker::intentions {

// The policy flags of a broker account (collection `brokerAccount`).
struct AccountFlags {
  bool require_role_id = false;
  bool require_project_exists = true;
  bool require_service_exists = false;
  bool skip_user_validation = false;
  bool skip_install_build_validation = false;
  bool mask_semver_failures = false;
};

// The flags of `account`'s collection object; defaults (as with no account) for nullptr.
AccountFlags FlagsOf(const graph::Vertex* account);

// An environment: a graph vertex of collection `environment` or, when the graph has none, one
// of the four built-in ones.
struct Environment {
  std::string name;  // production, test, development, tools, or a custom name
  std::string short_name;
  std::vector<std::string> change_roles;
  const graph::Vertex* vertex = nullptr;  // nullptr for a built-in environment
};

// Resolves `name` by environment name, short name or alias; nullopt if unknown.
std::optional<Environment> ResolveEnvironment(const graph::Snapshot& snapshot,
                                              const std::string& name);

// `service.target.environment` if present, else `service.environment`.
std::string ServiceEnvironment(const Json& action);

// Sets `vaultEnvironment` when absent and the action's environment resolves to one of
// production, test, development, tools (reference 6.3).
void ApplyVaultEnvironment(const graph::Snapshot& snapshot, Json& action);

// vaultEnvironment ?? target.environment ?? service.environment.
std::string EffectiveVaultEnvironment(const Json& action);

// True if the action provisions anything from Vault (token/self, approle/secret-id, token/jwt).
bool IsProvisioned(const Json& action);

// The service instance name of an install: the last non-empty of service.environment,
// service.target.environment, service.instanceName, service.target.instanceName.
std::string InstanceName(const Json& action);

struct SemVer {
  bool valid = false;
  bool prerelease = false;
};
// Strict semantic version MAJOR.MINOR.PATCH[-pre][+build].
SemVer ParseSemVer(const std::string& text);

// A rule failure: message and dotted key into the action.
struct Violation {
  std::string message;
  std::string key;
};

// What the rules need to know about earlier intentions (answered by the intention store).
struct History {
  // The buildVersion of an earlier successful build of service/package/version, if any.
  std::function<std::optional<std::string>(const std::string& service, const std::string& name,
                                           const std::string& version)>
      release_build_version;
  // The buildVersions of the last successful install of each instance of `service` in
  // environment `environment`.
  std::function<std::vector<std::string>(const std::string& service,
                                         const std::string& environment)>
      deployed_build_versions;
};

struct RuleContext {
  const graph::Snapshot* snapshot = nullptr;
  const graph::Vertex* account = nullptr;  // nullptr when the token is not bound
  AccountFlags flags;
  std::map<std::string, graph::BoundProject> bound;  // BoundProjectsAndServices of the account
  const graph::Vertex* user = nullptr;               // the action's user, if known
  const History* history = nullptr;
};

// Runs the action rules of reference 6.5 in priority order; nullopt when all pass.
std::optional<Violation> CheckAction(const RuleContext& context, const Json& action);

// The value at dotted `key` in `action` (null if absent); keys naming several paths joined by
// commas give null.
Json ValueAt(const Json& action, const std::string& key);

}  // namespace broker::intentions
