#include "intentions/provision.h"

#include <algorithm>

#include "core/secret.h"
#include "intentions/audit_events.h"
#include "intentions/rules.h"

namespace broker::intentions {
namespace {

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Dashed(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

Reply Body(int status, int status_code, const std::string& message, const std::string& error) {
  return Reply{status, Json{{"statusCode", status_code}, {"message", message}, {"error", error}}};
}

bool Declares(const Json& action, const std::string& capability) {
  const Json& provision = action.value("provision", Json::array());
  return std::find(provision.begin(), provision.end(), Json(capability)) != provision.end();
}

}  // namespace

std::string RoleName(const std::string& project, const std::string& service,
                     const std::string& env) {
  std::string short_env = env;
  if (env == "production") short_env = "prod";
  if (env == "development") short_env = "dev";
  return Dashed(project) + "_" + Dashed(service) + "_" + short_env;
}

Provisioner::Provisioner(IntentionService& intentions, secrets::VaultClient& vault,
                         ProvisionOptions options)
    : intentions_(intentions), vault_(vault), options_(std::move(options)) {}

Result<Provisioner::Target> Provisioner::Guard(std::string_view token,
                                               std::optional<std::string_view> role_id_header,
                                               const std::string& capability,
                                               std::optional<Reply>& refusal) {
  BROKER_ASSIGN_OR_RETURN(FoundAction found, intentions_.FindActionForProvision(token));
  const Json& action = found.action();
  if (!Declares(action, capability)) {
    return PermissionDenied("Forbidden resource").WithLabel("Forbidden");
  }
  const Json& service = action["service"];
  const Json& target = service.value("target", Json::object());
  const std::string project = Str(target.empty() ? service : target, "project");
  const std::string app = Str(target.empty() ? service : target, "name");
  const std::string env = EffectiveVaultEnvironment(action);
  const bool require_role_id = found.intention.doc.value("requireRoleId", false);
  if (require_role_id && !role_id_header) {
    return PermissionDenied("Forbidden resource").WithLabel("Forbidden");
  }
  const std::string role = RoleName(project, app, env);
  auto role_id = vault_.AppRoleRoleId(options_.approle_mount, role);
  if (!role_id.ok()) {
    const ErrorCode code = role_id.error().code();
    if (code == ErrorCode::kPermissionDenied) {
      refusal = Body(400, 403, "Vault forbidden access",
                     "Check broker access to " + project + " : " + app);
    } else if (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument) {
      refusal = Body(404, 404, "Not Found",
                     "Check approle exists for " + project + " : " + app + " : " + env);
    } else {
      return std::move(role_id).error();
    }
    return Target{std::move(found), role, ""};
  }
  if (require_role_id && !SecretEquals(*role_id_header, *role_id)) {
    (void)intentions_.Audit(RoleIdDeniedRecord(found.intention.doc, found.index, role));
    refusal = Body(400, 403, "Broker forbidden access",
                   "Request (header: x-vault-role-id) must match role id in Vault for " + project +
                       " : " + app + " : " + env);
  }
  return Target{std::move(found), role, *role_id};
}

Result<Reply> Provisioner::Issue(const Target& target, const std::string& event_action,
                                 const std::function<Result<Json>()>& call) {
  const Json& doc = target.found.intention.doc;
  const size_t index = target.found.index;
  BROKER_RETURN_IF_ERROR(
      intentions_.Audit(ProvisionRecord(doc, index, event_action, "start", "", std::nullopt)));
  auto wrapped = call();
  if (!wrapped.ok() || Str(wrapped->value("wrap_info", Json::object()), "token").empty()) {
    const Error error =
        wrapped.ok() ? Unavailable("Vault did not wrap the response") : std::move(wrapped).error();
    (void)intentions_.Audit(
        ProvisionRecord(doc, index, event_action, "creation", "", error.message()));
    return error;
  }
  const std::string hash = Sha256Hex(Str((*wrapped)["wrap_info"], "token"));
  BROKER_RETURN_IF_ERROR(
      intentions_.Audit(ProvisionRecord(doc, index, event_action, "creation", hash, std::nullopt)));
  return Reply{201, std::move(wrapped).value()};
}

Result<Reply> Provisioner::SecretId(std::string_view action_token,
                                    std::optional<std::string_view> role_id_header) {
  std::optional<Reply> refusal;
  BROKER_ASSIGN_OR_RETURN(Target target,
                          Guard(action_token, role_id_header, "approle/secret-id", refusal));
  if (refusal) return std::move(*refusal);
  const std::string path = "auth/" + options_.approle_mount + "/role/" + target.role + "/secret-id";
  return Issue(target, "generate-secret-id", [&]() {
    return vault_.Call("POST", path, nullptr,
                       {{"X-Vault-Wrap-TTL", std::to_string(options_.wrap_ttl_seconds)}});
  });
}

Result<Reply> Provisioner::TokenSelf(std::string_view action_token,
                                     std::optional<std::string_view> role_id_header) {
  std::optional<Reply> refusal;
  BROKER_ASSIGN_OR_RETURN(Target target,
                          Guard(action_token, role_id_header, "token/self", refusal));
  if (refusal) return std::move(*refusal);
  return Issue(target, "generate-token", [&]() -> Result<Json> {
    BROKER_ASSIGN_OR_RETURN(Json secret,
                            vault_.AppRoleSecretId(options_.approle_mount, target.role, 0));
    SecretString secret_id(Str(secret, "secret_id"));
    return vault_.Call("POST", "auth/" + options_.approle_mount + "/login",
                       Json{{"role_id", target.role_id}, {"secret_id", secret_id.RevealForUse()}},
                       {{"X-Vault-Wrap-TTL", std::to_string(options_.wrap_ttl_seconds)}});
  });
}

}  // namespace broker::intentions
