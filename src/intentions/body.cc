#include "intentions/body.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <string_view>

namespace broker::intentions {
namespace {

using Names = std::initializer_list<std::string_view>;

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Walks a body and remembers the first failure, in document order.
class Checker {
 public:
  bool failed() const { return failure_.has_value(); }

  Status Result(const std::string& what) const {
    if (!failure_) return OkStatus();
    return InvalidArgument(what + " validation error").WithLabel(*failure_);
  }

  void Fail(const std::string& path, std::string_view constraints) {
    if (failure_) return;
    failure_ =
        "Property " + path + " has failed the following constraints: " + std::string(constraints);
  }

  // True if `value` is an object whose members are all in `allowed`.
  bool Object(const Json& value, const std::string& path, Names allowed) {
    if (!value.is_object()) {
      Fail(path, "isObject");
      return false;
    }
    const auto items = value.items();
    const auto unknown = std::find_if(items.begin(), items.end(), [allowed](const auto& item) {
      return std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end();
    });
    if (unknown == items.end()) return true;
    Fail(path + "." + unknown.key(), "whitelistValidation");
    return false;
  }

  // The member `key` when present and not null; reports `isDefined` if required and absent.
  const Json* Member(const Json& object, const std::string& path, const std::string& key,
                     bool required) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) Fail(path + "." + key, "isDefined");
      return nullptr;
    }
    return &*it;
  }

  void String(const Json& object, const std::string& path, const std::string& key, bool required,
              size_t min_length = 0, size_t max_length = 0) {
    const Json* value = Member(object, path, key, required);
    if (value == nullptr) return;
    if (!value->is_string()) return Fail(path + "." + key, "isString");
    const size_t length = value->get_ref<const std::string&>().size();
    if (length < min_length || (max_length > 0 && length > max_length)) {
      Fail(path + "." + key, min_length == 1 && max_length == 0 ? "isNotEmpty" : "length");
    }
  }

  void Number(const Json& object, const std::string& path, const std::string& key) {
    const Json* value = Member(object, path, key, false);
    if (value != nullptr && !value->is_number()) Fail(path + "." + key, "isNumber");
  }

  void Boolean(const Json& object, const std::string& path, const std::string& key) {
    const Json* value = Member(object, path, key, false);
    if (value != nullptr && !value->is_boolean()) Fail(path + "." + key, "isBoolean");
  }

  void OneOf(const Json& object, const std::string& path, const std::string& key, bool required,
             const std::vector<std::string>& options) {
    const Json* value = Member(object, path, key, required);
    if (value == nullptr) return;
    if (!value->is_string() || !Contains(options, value->get<std::string>())) {
      Fail(path + "." + key, "isIn");
    }
  }

  void Url(const Json& object, const std::string& path, const std::string& key) {
    const Json* value = Member(object, path, key, false);
    if (value == nullptr) return;
    static const std::regex kUrl(R"(^https?://[^\s/$.?#][^\s]*$)", std::regex::icase);
    if (!value->is_string() || !std::regex_match(value->get<std::string>(), kUrl)) {
      Fail(path + "." + key, "isUrl");
    }
  }

  void StringMap(const Json& object, const std::string& path, const std::string& key) {
    const Json* value = Member(object, path, key, false);
    if (value == nullptr) return;
    if (!value->is_object()) return Fail(path + "." + key, "isObject");
    const std::string prefix = path + "." + key + ".";
    for (const auto& [name, member] : value->items()) {
      if (!member.is_string()) return Fail(prefix + name, "isString");
    }
  }

 private:
  std::optional<std::string> failure_;
};

const std::vector<std::string> kVaultEnvironments = {"production", "test", "development", "tools"};

void CheckUser(Checker& c, const Json& user, const std::string& path) {
  if (!c.Object(user, path, {"id", "name", "domain"})) return;
  c.String(user, path, "id", false);
  c.String(user, path, "name", false);
  c.String(user, path, "domain", false);
  const bool has_id = user.contains("id") && !user["id"].is_null();
  const bool has_name = user.contains("name") && !user["name"].is_null();
  const bool has_domain = user.contains("domain") && !user["domain"].is_null();
  if (!has_id && !has_name && !has_domain) c.Fail(path + ".id", "isDefined");
  if (!has_id && !has_name) c.Fail(path + ".name", "isDefined");
}

void CheckEvent(Checker& c, const Json& event) {
  const std::string path = ".event";
  if (!c.Object(event, path, {"provider", "reason", "url", "transient", "trigger"})) return;
  c.String(event, path, "provider", true, 1);
  c.String(event, path, "reason", true, 1);
  c.String(event, path, "url", false);
  c.Boolean(event, path, "transient");
  const Json* trigger = c.Member(event, path, "trigger", false);
  if (trigger == nullptr || !c.Object(*trigger, path + ".trigger", {"id", "name", "url"})) return;
  c.String(*trigger, path + ".trigger", "id", true);
  c.String(*trigger, path + ".trigger", "name", false, 2, 25);
  c.Url(*trigger, path + ".trigger", "url");
}

void CheckTarget(Checker& c, const Json& target, const std::string& path) {
  if (!c.Object(target, path, {"environment", "name", "project", "instanceName"})) return;
  c.String(target, path, "environment", true);
  c.String(target, path, "name", true, 1);
  c.String(target, path, "project", true, 1);
  c.String(target, path, "instanceName", false);
}

void CheckService(Checker& c, const Json& service, const std::string& path) {
  if (!c.Object(service, path, {"environment", "name", "project", "id", "instanceName", "target"}))
    return;
  c.String(service, path, "environment", true);
  c.String(service, path, "name", true, 1);
  c.String(service, path, "project", true, 1);
  c.String(service, path, "id", false);
  c.String(service, path, "instanceName", false);
  if (const Json* target = c.Member(service, path, "target", false)) {
    CheckTarget(c, *target, path + ".target");
  }
}

void CheckPackage(Checker& c, const Json& package, const std::string& path) {
  if (!c.Object(package, path,
                {"id", "architecture", "buildGuid", "buildNumber", "buildVersion", "category",
                 "checksum", "description", "installScope", "license", "name", "path", "reference",
                 "size", "source", "tag", "type", "version"})) {
    return;
  }
  for (const char* key : {"id", "architecture", "buildGuid", "buildVersion", "checksum",
                          "description", "installScope", "license", "name", "path", "reference",
                          "source", "tag", "type", "version"}) {
    c.String(package, path, key, false);
  }
  c.Number(package, path, "buildNumber");
  c.Number(package, path, "size");
  c.OneOf(package, path, "category", false,
          {"database", "infrastructure", "library", "software", "unknown"});
}

void CheckIdName(Checker& c, const Json& object, const std::string& path, const char* key) {
  const Json* value = c.Member(object, path, key, false);
  if (value == nullptr || !c.Object(*value, path + "." + key, {"id", "name"})) return;
  c.String(*value, path + "." + key, "id", false);
  c.String(*value, path + "." + key, "name", false);
}

void CheckCloudObject(Checker& c, const Json& cloud, const std::string& path) {
  if (!c.Object(cloud, path,
                {"account", "availability_zone", "instance", "machine", "project", "prop",
                 "propStrategy", "provider", "region", "service"})) {
    return;
  }
  CheckIdName(c, cloud, path, "account");
  CheckIdName(c, cloud, path, "instance");
  CheckIdName(c, cloud, path, "project");
  for (const char* key : {"availability_zone", "provider", "region"}) {
    c.String(cloud, path, key, false);
  }
  c.StringMap(cloud, path, "prop");
  c.OneOf(cloud, path, "propStrategy", false, {"merge", "replace"});
  if (const Json* machine = c.Member(cloud, path, "machine", false)) {
    if (c.Object(*machine, path + ".machine", {"type"})) {
      c.String(*machine, path + ".machine", "type", true);
    }
  }
  if (const Json* service = c.Member(cloud, path, "service", false)) {
    if (c.Object(*service, path + ".service", {"name"})) {
      c.String(*service, path + ".service", "name", true);
    }
  }
}

void CheckCloud(Checker& c, const Json& cloud, const std::string& path, bool target_required) {
  if (!c.Object(cloud, path, {"source", "target"})) return;
  if (const Json* source = c.Member(cloud, path, "source", false)) {
    CheckCloudObject(c, *source, path + ".source");
  }
  if (const Json* target = c.Member(cloud, path, "target", target_required)) {
    CheckCloudObject(c, *target, path + ".target");
  }
}

void CheckReference(Checker& c, const Json& reference, const std::string& path) {
  if (!c.Object(reference, path, {"action", "intention"})) return;
  c.String(reference, path, "action", false);
  c.String(reference, path, "intention", true);
}

void CheckProvision(Checker& c, const Json& action, const std::string& path) {
  const Json* provision = c.Member(action, path, "provision", true);
  if (provision == nullptr) return;
  if (!provision->is_array()) return c.Fail(path + ".provision", "isArray");
  const std::string name = action.value("action", "");
  const auto& allowed = AllowedProvisions(name);
  for (const Json& item : *provision) {
    if (!item.is_string() || !Contains(allowed, item.get<std::string>())) {
      return c.Fail(path + ".provision", "isIn");
    }
  }
}

void CheckAction(Checker& c, const Json& action, const std::string& path) {
  if (!c.Object(action, path,
                {"action", "id", "provision", "service", "package", "cloud", "references", "source",
                 "user", "vaultEnvironment", "vaultInstance", "artifacts", "lifecycle", "trace",
                 "ruleViolation"})) {
    return;
  }
  c.OneOf(action, path, "action", true, ActionNames());
  c.String(action, path, "id", true);
  CheckProvision(c, action, path);
  if (const Json* service = c.Member(action, path, "service", true)) {
    CheckService(c, *service, path + ".service");
  }
  if (const Json* package = c.Member(action, path, "package", false)) {
    CheckPackage(c, *package, path + ".package");
  }
  if (const Json* cloud = c.Member(action, path, "cloud", false)) {
    CheckCloud(c, *cloud, path + ".cloud", true);
  }
  if (const Json* references = c.Member(action, path, "references", false)) {
    if (!references->is_array()) return c.Fail(path + ".references", "isArray");
    for (size_t i = 0; i < references->size(); ++i) {
      CheckReference(c, (*references)[i], path + ".references." + std::to_string(i));
    }
  }
  if (const Json* source = c.Member(action, path, "source", false)) {
    CheckReference(c, *source, path + ".source");
  }
  if (const Json* user = c.Member(action, path, "user", false)) CheckUser(c, *user, path + ".user");
  c.OneOf(action, path, "vaultEnvironment", false, kVaultEnvironments);
  c.OneOf(action, path, "vaultInstance", false, kVaultEnvironments);
}

}  // namespace

const std::vector<std::string>& ActionNames() {
  static const std::vector<std::string> kNames = {"backup",
                                                  "database-access",
                                                  "server-access",
                                                  "package-build",
                                                  "package-configure",
                                                  "package-installation",
                                                  "package-provision",
                                                  "process-end",
                                                  "process-start"};
  return kNames;
}

const std::vector<std::string>& AllowedProvisions(const std::string& action) {
  static const std::map<std::string, std::vector<std::string>> kAllowed = {
      {"backup", {"token/self"}},
      {"database-access", {"token/self"}},
      {"server-access", {"token/self"}},
      {"package-build", {"approle/secret-id"}},
      {"package-configure", {"token/self", "token/jwt"}},
      {"package-provision", {"approle/secret-id", "token/jwt"}},
  };
  static const std::vector<std::string> kNone;
  auto it = kAllowed.find(action);
  return it == kAllowed.end() ? kNone : it->second;
}

Status ValidateIntentionBody(const Json& body) {
  Checker c;
  if (c.Object(body, "", {"event", "actions", "user"})) {
    if (const Json* event = c.Member(body, "", "event", true)) CheckEvent(c, *event);
    if (const Json* actions = c.Member(body, "", "actions", true)) {
      if (!actions->is_array()) {
        c.Fail(".actions", "isArray");
      } else {
        for (size_t i = 0; i < actions->size() && !c.failed(); ++i) {
          CheckAction(c, (*actions)[i], ".actions." + std::to_string(i));
        }
      }
    }
    if (const Json* user = c.Member(body, "", "user", true)) CheckUser(c, *user, ".user");
  }
  return c.Result("Intention");
}

Status ValidatePatchBody(const Json& body) {
  Checker c;
  if (c.Object(body, "", {"package", "cloud"})) {
    if (const Json* package = c.Member(body, "", "package", false)) {
      CheckPackage(c, *package, ".package");
    }
    if (const Json* cloud = c.Member(body, "", "cloud", false))
      CheckCloud(c, *cloud, ".cloud", true);
  }
  return c.Result("Patch");
}

Status ValidateArtifactBody(const Json& body) {
  Checker c;
  if (c.Object(body, "", {"checksum", "name", "size", "type"})) {
    c.String(body, "", "checksum", false);
    c.String(body, "", "name", true, 1);
    c.Number(body, "", "size");
    c.String(body, "", "type", false);
    static const std::regex kChecksum("^[a-z0-9-]+:[0-9a-fA-F]+$");
    if (!c.failed() && body.contains("checksum") && body["checksum"].is_string() &&
        !std::regex_match(body["checksum"].get<std::string>(), kChecksum)) {
      c.Fail(".checksum", "matches");
    }
  }
  return c.Result("Artifact");
}

}  // namespace broker::intentions
