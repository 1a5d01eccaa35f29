#include "intentions/rules.h"

#include <algorithm>
#include <regex>
#include <sstream>

namespace broker::intentions {
namespace {

constexpr const char* kUnknownUser =
    "Unknown user. All actions required to be mapped to user. Does user exist with provided id "
    "or name and domain?";
constexpr const char* kVaultEnv =
    "Explicitly set action.vaultEnvironment when service environment is not valid for Vault. "
    "Vault environment must be production, test or development.";
constexpr const char* kBadSemver =
    "Package actions must specify a valid semver version. See: https://semver.org";
constexpr const char* kNoVersion =
    "No package version set. If using source intention, check action.source values.";

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& Service(const Json& action) {
  static const Json kEmpty = Json::object();
  auto it = action.find("service");
  return it != action.end() && it->is_object() ? *it : kEmpty;
}

const Json& Target(const Json& action) {
  static const Json kEmpty = Json::object();
  const Json& service = Service(action);
  auto it = service.find("target");
  return it != service.end() && it->is_object() ? *it : kEmpty;
}

const Json& Package(const Json& action) {
  static const Json kEmpty = Json::object();
  auto it = action.find("package");
  return it != action.end() && it->is_object() ? *it : kEmpty;
}

bool Flag(const Json& doc, const char* key, bool fallback) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::vector<std::string> Strings(const Json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const Json& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::optional<Environment> BuiltInEnvironment(const std::string& name) {
  static const std::vector<Environment> kBuiltIn = {
      {"production", "prod", {"full-access", "prod-operator"}, nullptr},
      {"test", "test", {"full-access", "lead-developer", "developer"}, nullptr},
      {"development", "dev", {"full-access", "lead-developer", "developer"}, nullptr},
      {"tools", "tools", {"full-access", "lead-developer", "developer"}, nullptr}};
  for (const Environment& env : kBuiltIn) {
    if (env.name == name || env.short_name == name) return env;
  }
  return std::nullopt;
}

bool Provides(const graph::Snapshot& snapshot, const graph::Vertex& service,
              const std::string& target) {
  return std::ranges::any_of(snapshot.Out(service.id), [&](const graph::Edge* edge) {
    if (edge->name != "provision-token") return false;
    const graph::Vertex* to = snapshot.FindVertex(edge->target);
    return to != nullptr && to->name == target;
  });
}

// --- the rules, in priority order -------------------------------------------------------

std::optional<Violation> UserSet(const RuleContext& c) {
  if (c.account != nullptr && c.flags.skip_user_validation) return std::nullopt;
  if (c.user == nullptr) return Violation{kUnknownUser, "user.id"};
  return std::nullopt;
}

std::optional<Violation> VaultEnv(const Json& action) {
  if (!IsProvisioned(action)) return std::nullopt;
  const std::string env = EffectiveVaultEnvironment(action);
  if (env == "production" || env == "test" || env == "development" || env == "tools") {
    return std::nullopt;
  }
  const bool has_target_env = !Str(Target(action), "environment").empty();
  return Violation{kVaultEnv,
                   has_target_env ? "service.target.environment" : "service.environment"};
}

std::optional<Violation> AccountBoundProject(const RuleContext& c, const Json& action) {
  const std::string project = Str(Service(action), "project");
  const std::string service = Str(Service(action), "name");
  auto it = c.bound.find(project);
  if (c.flags.require_project_exists && it == c.bound.end()) {
    return Violation{"Token not authorized for this project", "service.project"};
  }
  if (c.flags.require_service_exists &&
      (it == c.bound.end() || std::find(it->second.services.begin(), it->second.services.end(),
                                        service) == it->second.services.end())) {
    return Violation{"Token not authorized for this service", "service.name"};
  }
  return std::nullopt;
}

std::optional<Violation> TargetService(const RuleContext& c, const Json& action) {
  const Json& target = Target(action);
  if (target.empty()) return std::nullopt;
  const graph::Vertex* service = c.snapshot->FindByKey("service", Str(Service(action), "name"));
  if (service != nullptr && Provides(*c.snapshot, *service, Str(target, "name"))) {
    return std::nullopt;
  }
  return Violation{"Service not configured for target", "service.target.name"};
}

std::optional<Violation> AssistedDelivery(const RuleContext& c, const Json& action) {
  const graph::Vertex* project = c.snapshot->FindByKey("project", Str(Service(action), "project"));
  const graph::Vertex* service = c.snapshot->FindByKey("service", Str(Service(action), "name"));
  if (project == nullptr || service == nullptr) return std::nullopt;
  const graph::Edge* component = c.snapshot->FindEdge(project->id, service->id, "component");
  if (component == nullptr) return Violation{"Cannot find component edge", "service.name"};
  const std::string env_name = Str(Service(action), "environment");
  auto env = ResolveEnvironment(*c.snapshot, env_name);
  std::vector<std::string> roles = env ? env->change_roles : std::vector<std::string>{};
  const std::string prop_key = "changeroles-" + (env ? env->name : env_name);
  if (component->prop.contains(prop_key) && component->prop[prop_key].is_string()) {
    roles = SplitComma(component->prop[prop_key].get<std::string>());
  }
  if (c.user != nullptr) {
    for (const graph::Vertex* user : graph::UsersUpstream(*c.snapshot, service->id, roles)) {
      if (user->id == c.user->id) return std::nullopt;
    }
  }
  return Violation{"User is not authorized to access this environment", "user.id"};
}

std::optional<Violation> DatabaseAccess(const RuleContext& c, const Json& action) {
  if (Str(action, "action") != "database-access") return std::nullopt;
  if (c.user == nullptr) return Violation{kUnknownUser, "user.id"};
  return AssistedDelivery(c, action);
}

std::optional<Violation> SemverOf(const Json& action) {
  const std::string version = Str(Package(action), "version");
  if (ParseSemVer(version).valid) return std::nullopt;
  return Violation{version.empty() ? kNoVersion : kBadSemver, "package.version"};
}

std::optional<Violation> PackageBuild(const RuleContext& c, const Json& action) {
  if (Str(action, "action") != "package-build") return std::nullopt;
  if (auto bad = SemverOf(action)) return bad;
  const Json& package = Package(action);
  if (Str(package, "name").empty())
    return Violation{"Package actions must specify a name.", "package.name"};
  if (Str(package, "buildVersion").empty()) {
    return Violation{"Package actions must specify scm hash.", "package.buildVersion"};
  }
  if (ParseSemVer(Str(package, "version")).prerelease) return std::nullopt;
  const std::string service = Str(Service(action), "name");
  if (c.snapshot->FindByKey("service", service) == nullptr) {
    if (c.flags.require_service_exists)
      return Violation{"Package service not found.", "package.name"};
    return std::nullopt;
  }
  if (c.history == nullptr || !c.history->release_build_version) return std::nullopt;
  auto previous =
      c.history->release_build_version(service, Str(package, "name"), Str(package, "version"));
  if (previous && *previous != Str(package, "buildVersion")) {
    return Violation{"Release package build version (git commit hash) may not be altered.",
                     "package.version"};
  }
  return std::nullopt;
}

Violation UndeployedBuild(const std::string& build_version, const std::string& source,
                          const std::string& env_name) {
  return Violation{"Build with git hash " + build_version.substr(0, 8) + " must be deployed to " +
                       source + " environment before deploying to " + env_name + ". Deploy to " +
                       source + " first, then retry this installation.",
                   "service.environment"};
}

std::optional<Violation> EnvironmentPromotion(const RuleContext& c, const Json& action) {
  if (Str(action, "action") != "package-installation") return std::nullopt;
  const std::string build_version = Str(Package(action), "buildVersion");
  if (build_version.empty()) {
    if (c.flags.skip_install_build_validation) return std::nullopt;
    return Violation{"Package build version is required for environment promotion validation.",
                     "package.buildVersion"};
  }
  const std::string env_name = Str(Service(action), "environment");
  auto env = ResolveEnvironment(*c.snapshot, env_name);
  if (!env || env->vertex == nullptr) return std::nullopt;
  std::vector<std::string> sources;
  for (const graph::Edge* edge : c.snapshot->In(env->vertex->id)) {
    const graph::Vertex* from = c.snapshot->FindVertex(edge->source);
    if (edge->name == "promotes-to" && from != nullptr) sources.push_back(from->name);
  }
  if (sources.empty()) return std::nullopt;
  const std::string service = Str(Service(action), "name");
  if (c.snapshot->FindByKey("service", service) == nullptr) {
    return Violation{"Service ID is required for environment promotion validation.", "service.id"};
  }
  for (const std::string& source : sources) {
    std::vector<std::string> deployed;
    if (c.history != nullptr && c.history->deployed_build_versions) {
      deployed = c.history->deployed_build_versions(service, source);
    }
    if (std::find(deployed.begin(), deployed.end(), build_version) != deployed.end()) continue;
    return UndeployedBuild(build_version, source, env_name);
  }
  return std::nullopt;
}

std::optional<Violation> PackageInstallation(const RuleContext& c, const Json& action) {
  if (Str(action, "action") != "package-installation") return std::nullopt;
  auto env = ResolveEnvironment(*c.snapshot, Str(Service(action), "environment"));
  if (!env) {
    return Violation{"Package installation must specify a valid environment.",
                     "service.environment"};
  }
  if (InstanceName(action).empty()) {
    return Violation{"Service instance name could not be extracted from action.",
                     "service.environment,service.target.environment,service.instanceName,"
                     "service.target.instanceName"};
  }
  if (!c.flags.mask_semver_failures) {
    if (auto bad = SemverOf(action)) return bad;
    if (env->name == "production" && ParseSemVer(Str(Package(action), "version")).prerelease) {
      return Violation{
          "Only release versions may be installed in production. See: "
          "https://semver.org/#spec-item-9",
          "package.version"};
    }
  }
  if (c.account != nullptr && c.flags.skip_user_validation) return std::nullopt;
  return AssistedDelivery(c, action);
}

}  // namespace

AccountFlags FlagsOf(const graph::Vertex* account) {
  AccountFlags flags;
  if (account == nullptr) return flags;
  const Json& doc = account->doc;
  flags.require_role_id = Flag(doc, "requireRoleId", false);
  flags.require_project_exists = Flag(doc, "requireProjectExists", true);
  flags.require_service_exists = Flag(doc, "requireServiceExists", false);
  flags.skip_user_validation = Flag(doc, "skipUserValidation", false);
  flags.skip_install_build_validation = Flag(doc, "skipInstallBuildValidation", false);
  flags.mask_semver_failures = Flag(doc, "maskSemverFailures", false);
  return flags;
}

std::optional<Environment> ResolveEnvironment(const graph::Snapshot& snapshot,
                                              const std::string& name) {
  if (name.empty()) return std::nullopt;
  const auto& vertices = snapshot.InCollection("environment");
  for (const graph::Vertex* vertex : vertices) {
    const std::vector<std::string> aliases = Strings(vertex->doc.value("aliases", Json()));
    const std::string short_name = Str(vertex->doc, "short");
    if (vertex->name != name && short_name != name &&
        std::find(aliases.begin(), aliases.end(), name) == aliases.end()) {
      continue;
    }
    Environment env{vertex->name, short_name, Strings(vertex->doc.value("changeRoles", Json())),
                    vertex};
    if (env.change_roles.empty()) {
      if (auto built_in = BuiltInEnvironment(vertex->name))
        env.change_roles = built_in->change_roles;
    }
    return env;
  }
  if (!vertices.empty()) return std::nullopt;
  return BuiltInEnvironment(name);
}

std::string ServiceEnvironment(const Json& action) {
  std::string target_env = Str(Target(action), "environment");
  return target_env.empty() ? Str(Service(action), "environment") : target_env;
}

void ApplyVaultEnvironment(const graph::Snapshot& snapshot, Json& action) {
  if (action.contains("vaultEnvironment") && !action["vaultEnvironment"].is_null()) return;
  auto env = ResolveEnvironment(snapshot, ServiceEnvironment(action));
  if (!env) return;
  if (env->name == "production" || env->name == "test" || env->name == "development" ||
      env->name == "tools") {
    action["vaultEnvironment"] = env->name;
  }
}

std::string EffectiveVaultEnvironment(const Json& action) {
  const std::string vault_env = Str(action, "vaultEnvironment");
  return vault_env.empty() ? ServiceEnvironment(action) : vault_env;
}

bool IsProvisioned(const Json& action) {
  return std::ranges::any_of(
      Strings(action.value("provision", Json())), [](const auto& capability) {
        return capability == "token/self" || capability == "approle/secret-id" ||
               capability == "token/jwt";
      });
}

std::string InstanceName(const Json& action) {
  std::string name;
  for (const std::string& candidate :
       {Str(Service(action), "environment"), Str(Target(action), "environment"),
        Str(Service(action), "instanceName"), Str(Target(action), "instanceName")}) {
    if (!candidate.empty()) name = candidate;
  }
  return name;
}

SemVer ParseSemVer(const std::string& text) {
  static const std::regex kSemVer(
      R"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");
  std::smatch match;
  if (!std::regex_match(text, match, kSemVer)) return {};
  return {true, match[4].matched};
}

std::optional<Violation> CheckAction(const RuleContext& context, const Json& action) {
  if (auto v = UserSet(context)) return v;
  if (auto v = VaultEnv(action)) return v;
  if (auto v = AccountBoundProject(context, action)) return v;
  if (auto v = TargetService(context, action)) return v;
  if (auto v = DatabaseAccess(context, action)) return v;
  if (auto v = PackageBuild(context, action)) return v;
  if (auto v = EnvironmentPromotion(context, action)) return v;
  return PackageInstallation(context, action);
}

Json ValueAt(const Json& action, const std::string& key) {
  if (key.find(',') != std::string::npos) return nullptr;
  const Json* node = &action;
  std::stringstream stream(key);
  std::string part;
  while (std::getline(stream, part, '.')) {
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
  }
  return *node;
}

}  // namespace broker::intentions
