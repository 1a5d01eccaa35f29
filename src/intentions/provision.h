#pragma once
// Provisioning (reference section 7): an action token buys a short-lived, response-wrapped
// Vault credential for the action's service.
//   SecretId   POST /v1/provision/approle/secret-id: a wrapped AppRole secret id.
//   TokenSelf  POST /v1/provision/token/self: a wrapped Vault token (AppRole login).
// Guards, in order: the action must belong to an open, unexpired intention whose opening
// account token is still accepted, and must not have ended; the action's `provision` list must
// hold the capability; the AppRole role of the action's (target) service must exist, and when
// the intention's account has `requireRoleId`, the `x-vault-role-id` header must equal its role
// id. Responses are Vault's wrapped response (wrap TTL 60 s) verbatim; the audit records hold
// only the SHA-256 of the wrapping token.
//
// Role names: "<project>_<service>_<env>" with env production->prod, development->dev, and
// EVERY underscore of the project and service names replaced by "-" (the reference replaces
// only the first one, which names a different role for names with two underscores; we fix
// that). Both endpoints use the target service when the action has one (the reference's
// secret-id endpoint ignores the target).
//
// Thread-safety: thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "intentions/service.h"
#include "secrets/vault_client.h"

namespace broker::intentions {

struct ProvisionOptions {
  std::string approle_mount = "vs_apps_approle";  // VAULT_APPROLE_PATH
  int wrap_ttl_seconds = 60;
};

// The AppRole role name for project/service in vault environment `env`.
std::string RoleName(const std::string& project, const std::string& service,
                     const std::string& env);

class Provisioner {
 public:
  // `intentions` and `vault` must outlive this object.
  Provisioner(IntentionService& intentions, secrets::VaultClient& vault,
              ProvisionOptions options = {});

  // Each returns a 201 Reply with Vault's wrapped response, or a Reply carrying the
  // reference's refusal bodies (400 with statusCode 403 "Broker forbidden access" or "Vault
  // forbidden access"; 404 "Not Found" when the role does not exist). Errors: NotFound
  // "Action not found"; FailedPrecondition (intention expired, action ended); PermissionDenied
  // "Forbidden resource" (capability not declared, or role id header missing when required)
  // or the opening token no longer accepted; Unavailable when Vault fails.
  Result<Reply> SecretId(std::string_view action_token,
                         std::optional<std::string_view> role_id_header);
  Result<Reply> TokenSelf(std::string_view action_token,
                          std::optional<std::string_view> role_id_header);

 private:
  struct Target {
    FoundAction found;
    std::string role;
    std::string role_id;
  };
  // Runs the guards. On a refusal with a rich body, `refusal` is set and the Result is ok.
  Result<Target> Guard(std::string_view token, std::optional<std::string_view> role_id_header,
                       const std::string& capability, std::optional<Reply>& refusal);
  Result<Reply> Issue(const Target& target, const std::string& event_action,
                      const std::function<Result<Json>()>& call);

  IntentionService& intentions_;
  secrets::VaultClient& vault_;
  ProvisionOptions options_;
};

}  // namespace broker::intentions
