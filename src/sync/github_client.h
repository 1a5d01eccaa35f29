#pragma once

// GitHub Actions secrets through a GitHub App (GITHUB_SYNC_CLIENT_ID, GITHUB_SYNC_PRIVATE_KEY):
//
//   App JWT (RS256, iss = client id, iat = now - 60, exp = now + 540)
//   GET  /repos/{owner}/{repo}/installation                 -> installation id (cached)
//   POST /app/installations/{id}/access_tokens              -> installation token (cached until
//                                                              5 minutes before it expires)
//   GET  /repos/{owner}/{repo}/actions/secrets/public-key   -> {key_id, key} (cached; re-fetched
//                                                              once when a PUT answers 422)
//   PUT  /repos/{owner}/{repo}/actions/secrets/{name}       {encrypted_value, key_id}, the value
//                                                              sealed with crypto_box_seal
//
// Rate limits: a 403/429 with Retry-After (or x-ratelimit-remaining: 0 and x-ratelimit-reset)
// blocks further calls until then; calls in that window fail fast with ResourceExhausted.
// All calls go through secrets::HttpClient (timeouts, retries, circuit breaker). Tokens, keys
// and values never reach messages or logs. Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"
#include "core/status.h"
#include "secrets/http_client.h"
#include "secrets/outbox.h"

namespace broker::sync {

struct GithubConfig {
  std::string api_url = "https://api.github.com";
  std::string client_id;     // GITHUB_SYNC_CLIENT_ID (App JWT "iss")
  SecretString private_key;  // GITHUB_SYNC_PRIVATE_KEY (PEM, RSA)
  secrets::OutboundOptions http = [] {
    secrets::OutboundOptions o;
    o.name = "github";
    return o;
  }();
};

// The Actions secret name for a tools key: every character outside [A-Za-z0-9_] becomes '_'
// ("broker-jwt:33098695-4a5a" -> "broker_jwt_33098695_4a5a"; GitHub shows names upper-cased).
std::string SecretNameFor(const std::string& key);

// "owner/repo" from a repository URL if it matches `managed_url_regex` (its first capture group
// is the owner/repo; default GITHUB_MANAGED_URL_REGEX). nullopt for an unmanaged URL.
// InvalidArgument if the regex does not compile or has no capture group.
Result<std::optional<std::string>> ManagedRepo(
    const std::string& scm_url,
    const std::string& managed_url_regex = "^https://github.com/([a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+)$");

class GithubClient {
 public:
  // Errors at construction time are reported by Create: InvalidArgument for a missing client id
  // or a private key that is not an RSA PEM key.
  static Result<std::unique_ptr<GithubClient>> Create(
      GithubConfig config, const Clock& clock,
      secrets::MonotonicNow now = [] { return std::chrono::steady_clock::now(); });
  ~GithubClient();

  // Creates or updates secret `name` of `repo` ("owner/repo"). Errors: InvalidArgument (bad
  // repo or name), Unauthenticated (401), PermissionDenied (403 without rate limiting), NotFound
  // (app not installed, repo unknown), ResourceExhausted (rate limited; retry later),
  // Unavailable (GitHub down, breaker open).
  Status PutSecret(const std::string& repo, const std::string& name, const SecretString& value);

  // The App JWT for `now` (exposed for tests).
  Result<SecretString> AppJwt() const;

 private:
  struct PublicKey {
    std::string key_id;
    std::string key;  // 32 raw bytes
  };
  struct CachedToken {
    SecretString token;
    UnixSeconds expires_at = 0;
  };

  GithubClient(GithubConfig config, void* pkey, const Clock& clock, secrets::MonotonicNow now);
  Result<Json> Call(const std::string& method, const std::string& path, const Json& body,
                    const SecretString& bearer, long* status_out = nullptr);
  Result<SecretString> InstallationToken(const std::string& repo);
  Result<PublicKey> RepoPublicKey(const std::string& repo, const SecretString& token, bool refresh);
  Status CheckRateLimit();
  void NoteRateLimit(const secrets::HttpResponse& response);

  GithubConfig config_;
  void* pkey_;  // EVP_PKEY*
  const Clock& clock_;
  secrets::MonotonicNow now_;
  secrets::HttpClient http_;
  std::mutex mu_;
  std::map<std::string, int64_t> installations_;  // repo -> installation id
  std::map<int64_t, CachedToken> tokens_;         // installation id -> token
  std::map<std::string, PublicKey> public_keys_;  // repo -> key
  std::chrono::steady_clock::time_point blocked_until_{};
};

// Delivers outbox rows of kind github: target "owner/repo", key "broker-jwt:<client_id>".
class GithubDestination final : public secrets::DeliveryDestination {
 public:
  explicit GithubDestination(GithubClient& client) : client_(client) {}
  Result<std::optional<int64_t>> Deliver(const std::string& target, const std::string& key,
                                         const SecretString& value, int64_t generation) override;

 private:
  GithubClient& client_;
};

}  // namespace broker::sync
