#pragma once

// A small HashiCorp Vault HTTP client: KV v2 on one mount ("apps"), token self-management, and
// AppRole/wrapping calls for intentions. Every call sends `X-Vault-Token: <BROKER_TOKEN>` and
// goes through HttpClient (timeouts, bounded retries, circuit breaker).
//
// Vault's `{"errors":[...]}` envelope maps to:
//   400  InvalidArgument (Aborted when it is a check-and-set mismatch)
//   403  PermissionDenied          404  NotFound
//   412, 429, 5xx, transport  Unavailable
// Messages never contain the token or a secret value; Vault's own error text goes to the
// internal message only, with the token scrubbed.
//
// Thread-safety: all methods may be called concurrently.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"
#include "core/status.h"
#include "secrets/http_client.h"

namespace broker::secrets {

struct VaultConfig {
  std::string addr;    // VAULT_ADDR, e.g. "https://vault.example:8200"
  SecretString token;  // BROKER_TOKEN
  std::string kv_mount = "apps";
  OutboundOptions http = [] {
    OutboundOptions o;
    o.name = "vault";
    return o;
  }();
};

// One KV v2 secret version as read from `GET /v1/<mount>/data/<path>`.
struct KvRecord {
  Json data;  // the "data.data" object (holds secret values: never log it)
  int64_t version = 0;
};

class VaultClient {
 public:
  explicit VaultClient(
      VaultConfig config, MonotonicNow now = [] { return std::chrono::steady_clock::now(); });

  // GET /v1/<mount>/data/<path>. NotFound if missing or the latest version is deleted; then
  // `deleted_version` (if given) receives the deleted version number (0 if none).
  Result<KvRecord> KvRead(const std::string& path, int64_t* deleted_version = nullptr);
  // GET /v1/<mount>/subkeys/<path>: the key structure, values null. NotFound if missing.
  Result<Json> KvSubkeys(const std::string& path);
  // POST /v1/<mount>/data/<path> {"options":{"cas":cas},"data":data}: returns the new version.
  // Aborted on a check-and-set mismatch.
  Result<int64_t> KvCreate(const std::string& path, const Json& data, int64_t cas);
  // PATCH (JSON merge patch) of data.data with "cas". Aborted on a mismatch, NotFound if the
  // path does not exist. Returns the new version.
  Result<int64_t> KvPatch(const std::string& path, const Json& data, int64_t cas);
  // LIST /v1/<mount>/metadata/<prefix>: the names below it. NotFound if none.
  Result<std::vector<std::string>> KvList(const std::string& prefix);

  // GET /v1/auth/token/lookup-self: the "data" object.
  Result<Json> LookupSelf();
  // POST /v1/auth/token/renew-self: the "auth" object.
  Result<Json> RenewSelf();

  // AppRole (mount e.g. "vs_apps_approle"): role id, and a secret id wrapped with
  // `wrap_ttl_seconds` (> 0: returns the "wrap_info" object; 0: the "data" object).
  Result<std::string> AppRoleRoleId(const std::string& mount, const std::string& role);
  Result<Json> AppRoleSecretId(const std::string& mount, const std::string& role,
                               int wrap_ttl_seconds);
  // POST /v1/sys/wrapping/unwrap with the wrapping token: the unwrapped "data" object.
  Result<Json> Unwrap(const SecretString& wrapping_token);

  const HttpClient& http() const { return http_; }

  // Sends one Vault call and maps the status. `path` starts after "/v1/". An empty body JSON
  // (null) sends no body. Exposed for tests and rarely used calls.
  Result<Json> Call(const std::string& method, const std::string& path, const Json& body,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    const SecretString* token_override = nullptr);

 private:
  Result<HttpResponse> Exchange(const std::string& method, const std::string& path,
                                const Json& body,
                                std::vector<std::pair<std::string, std::string>> headers,
                                const SecretString* token_override);
  Result<Json> ParseBody(const std::string& method, const std::string& path,
                         const HttpResponse& response) const;
  std::string KvUrlPath(const std::string& kind, const std::string& path) const;
  Error MapError(const std::string& method, const std::string& path,
                 const HttpResponse& response) const;

  VaultConfig config_;
  HttpClient http_;
};

enum class HealthState { kOk, kDegraded };

struct Health {
  HealthState state = HealthState::kDegraded;
  std::string reason;  // empty when ok; never contains the token
};

// Keeps BROKER_TOKEN alive: looks it up at start, renews it at 75 % of its TTL (counted from
// its last renewal or creation), and reports health. `Tick()` is cheap when nothing is due;
// schedule it every few seconds. Thread-safe.
class VaultTokenManager {
 public:
  VaultTokenManager(VaultClient& client, const Clock& clock);

  // Looks the token up. On failure health becomes degraded with the reason and the error is
  // returned (Unavailable, PermissionDenied).
  Status Start();
  // Renews when due (then looks up again); retries a failed lookup. Returns the last error.
  Status Tick();
  Health health() const;
  // Unix seconds when the next renewal is due; nullopt for a non-expiring token or before a
  // successful lookup.
  std::optional<UnixSeconds> renew_at() const;

 private:
  Status Lookup();
  void SetDegraded(const Error& error, const std::string& what);

  VaultClient& client_;
  const Clock& clock_;
  mutable std::mutex mu_;
  bool looked_up_ = false;
  std::optional<UnixSeconds> renew_at_;
  Health health_;
};

}  // namespace broker::secrets
