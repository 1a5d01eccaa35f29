#include "sync/github_client.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <regex>
#include <vector>

#include "core/encoding.h"
#include "core/time_format.h"

namespace broker::sync {
namespace {

constexpr int64_t kTokenRefreshMarginSeconds = 300;
constexpr int64_t kDefaultRetryAfterSeconds = 60;

EVP_PKEY* AsKey(void* p) { return static_cast<EVP_PKEY*>(p); }

EVP_PKEY* LoadRsaKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key != nullptr && EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return key;
}

Result<std::string> SignRs256(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t size = 0;
  bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  std::string signature(size, '\0');
  ok =
      ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Internal("RS256 signing of the GitHub App JWT failed");
  signature.resize(size);
  return signature;
}

bool ValidRepo(const std::string& repo) {
  static const std::regex kRepo("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$");
  return std::regex_match(repo, kRepo);
}

std::string SealForGithub(const SecretString& value, const std::string& public_key) {
  const std::string& plain = value.RevealForUse();
  std::vector<unsigned char> sealed(crypto_box_SEALBYTES + plain.size());
  crypto_box_seal(sealed.data(), reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                  reinterpret_cast<const unsigned char*>(public_key.data()));
  return Base64Encode(
      std::string_view(reinterpret_cast<const char*>(sealed.data()), sealed.size()));
}

}  // namespace

std::string SecretNameFor(const std::string& key) {
  std::string name = key;
  for (char& c : name) {
    bool keep =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!keep) c = '_';
  }
  return name;
}

Result<std::optional<std::string>> ManagedRepo(const std::string& scm_url,
                                               const std::string& managed_url_regex) {
  std::regex re;
  try {
    re = std::regex(managed_url_regex);
  } catch (const std::regex_error&) {
    return InvalidArgument("GITHUB_MANAGED_URL_REGEX does not compile");
  }
  if (re.mark_count() < 1) return InvalidArgument("GITHUB_MANAGED_URL_REGEX needs a capture group");
  std::smatch match;
  if (!std::regex_match(scm_url, match, re)) return std::optional<std::string>();
  return std::optional<std::string>(match[1].str());
}

Result<std::unique_ptr<GithubClient>> GithubClient::Create(GithubConfig config, const Clock& clock,
                                                           secrets::MonotonicNow now) {
  if (config.client_id.empty()) return InvalidArgument("GITHUB_SYNC_CLIENT_ID is not set");
  if (sodium_init() < 0) return Internal("libsodium initialisation failed");
  EVP_PKEY* key = LoadRsaKey(config.private_key.RevealForUse());
  if (key == nullptr) return InvalidArgument("GITHUB_SYNC_PRIVATE_KEY is not an RSA PEM key");
  while (!config.api_url.empty() && config.api_url.back() == '/') config.api_url.pop_back();
  return std::unique_ptr<GithubClient>(
      new GithubClient(std::move(config), key, clock, std::move(now)));
}

GithubClient::GithubClient(GithubConfig config, void* pkey, const Clock& clock,
                           secrets::MonotonicNow now)
    : config_(std::move(config)),
      pkey_(pkey),
      clock_(clock),
      now_(now),
      http_(config_.http, std::move(now)) {}

GithubClient::~GithubClient() { EVP_PKEY_free(AsKey(pkey_)); }

Result<SecretString> GithubClient::AppJwt() const {
  UnixSeconds now = clock_.NowSeconds();
  Json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  Json payload = {{"iat", now - 60}, {"exp", now + 540}, {"iss", config_.client_id}};
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  BROKER_ASSIGN_OR_RETURN(std::string signature, SignRs256(AsKey(pkey_), input));
  return SecretString(input + "." + Base64UrlEncode(signature));
}

Status GithubClient::CheckRateLimit() {
  std::lock_guard lock(mu_);
  if (now_() < blocked_until_) {
    return Error(ErrorCode::kResourceExhausted, "GitHub rate limit: retry later",
                 "blocked by an earlier Retry-After");
  }
  return OkStatus();
}

void GithubClient::NoteRateLimit(const secrets::HttpResponse& response) {
  int64_t wait = kDefaultRetryAfterSeconds;
  std::string retry_after = response.Header("retry-after");
  std::string reset = response.Header("x-ratelimit-reset");
  if (!retry_after.empty() && retry_after.find_first_not_of("0123456789") == std::string::npos) {
    wait = std::stoll(retry_after);
  } else if (response.Header("x-ratelimit-remaining") == "0" && !reset.empty() &&
             reset.find_first_not_of("0123456789") == std::string::npos) {
    wait = std::max<int64_t>(1, std::stoll(reset) - clock_.NowSeconds());
  }
  spdlog::warn("github: rate limited for {} s", wait);
  std::lock_guard lock(mu_);
  blocked_until_ = now_() + std::chrono::seconds(wait);
}

Result<Json> GithubClient::Call(const std::string& method, const std::string& path,
                                const Json& body, const SecretString& bearer, long* status_out) {
  BROKER_RETURN_IF_ERROR(CheckRateLimit());
  secrets::HttpRequest request;
  request.method = method;
  request.url = config_.api_url + path;
  request.headers = {{"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", "2022-11-28"},
                     {"User-Agent", "broker"}};
  request.secret_headers.emplace_back("Authorization",
                                      SecretString("Bearer " + bearer.RevealForUse()));
  if (!body.is_null()) {
    request.body = SecretString(body.dump());
    request.headers.emplace_back("Content-Type", "application/json");
  }
  BROKER_ASSIGN_OR_RETURN(secrets::HttpResponse response, http_.Send(request));
  if (status_out) *status_out = response.status;
  std::string detail = method + " " + path + ": HTTP " + std::to_string(response.status);
  bool limited = response.status == 429 ||
                 (response.status == 403 && (!response.Header("retry-after").empty() ||
                                             response.Header("x-ratelimit-remaining") == "0"));
  if (limited) {
    NoteRateLimit(response);
    return Error(ErrorCode::kResourceExhausted, "GitHub rate limit: retry later", detail);
  }
  switch (response.status / 100 == 2 ? 200 : response.status) {
    case 200:
      break;
    case 401:
      return Unauthenticated("GitHub rejected the app credentials", detail);
    case 403:
      return PermissionDenied("GitHub denied access", detail);
    case 404:
      return NotFound("GitHub repository or app installation not found", detail);
    case 422:
      return InvalidArgument("GitHub rejected the request", detail);
    default:
      return Unavailable("github is unavailable", detail);
  }
  if (response.body.empty()) return Json::object();
  auto parsed = ParseStrictJson(response.body, JsonLimits{64});
  if (!parsed.ok()) return Unavailable("GitHub sent an unreadable response", detail);
  return std::move(parsed).value();
}

Result<SecretString> GithubClient::InstallationToken(const std::string& repo) {
  std::optional<int64_t> installation;
  {
    std::lock_guard lock(mu_);
    if (auto it = installations_.find(repo); it != installations_.end()) installation = it->second;
  }
  if (!installation) {
    BROKER_ASSIGN_OR_RETURN(SecretString jwt, AppJwt());
    BROKER_ASSIGN_OR_RETURN(Json body,
                            Call("GET", "/repos/" + repo + "/installation", Json(), jwt));
    if (!body.contains("id") || !body["id"].is_number_integer()) {
      return Unavailable("GitHub sent an unreadable response", "installation without id");
    }
    installation = body["id"].get<int64_t>();
    std::lock_guard lock(mu_);
    installations_[repo] = *installation;
  }
  {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(*installation);
    if (it != tokens_.end() &&
        clock_.NowSeconds() < it->second.expires_at - kTokenRefreshMarginSeconds) {
      return it->second.token;
    }
  }
  BROKER_ASSIGN_OR_RETURN(SecretString jwt, AppJwt());
  BROKER_ASSIGN_OR_RETURN(
      Json body,
      Call("POST", "/app/installations/" + std::to_string(*installation) + "/access_tokens",
           Json::object(), jwt));
  if (!body.contains("token") || !body["token"].is_string()) {
    return Unavailable("GitHub sent an unreadable response", "access token without token");
  }
  CachedToken cached{SecretString(body["token"].get<std::string>()), clock_.NowSeconds() + 3600};
  if (body.contains("expires_at") && body["expires_at"].is_string()) {
    std::string text = body["expires_at"].get<std::string>();
    if (auto millis = ParseIso8601(text)) cached.expires_at = *millis / 1000;
  }
  std::lock_guard lock(mu_);
  tokens_[*installation] = cached;
  return cached.token;
}

Result<GithubClient::PublicKey> GithubClient::RepoPublicKey(const std::string& repo,
                                                            const SecretString& token,
                                                            bool refresh) {
  {
    std::lock_guard lock(mu_);
    auto it = public_keys_.find(repo);
    if (!refresh && it != public_keys_.end()) return it->second;
  }
  BROKER_ASSIGN_OR_RETURN(
      Json body, Call("GET", "/repos/" + repo + "/actions/secrets/public-key", Json(), token));
  PublicKey key;
  if (body.contains("key_id") && body["key_id"].is_string() && body.contains("key") &&
      body["key"].is_string()) {
    key.key_id = body["key_id"].get<std::string>();
    key.key = Base64Decode(body["key"].get<std::string>()).value_or("");
  }
  if (key.key.size() != crypto_box_PUBLICKEYBYTES) {
    return Unavailable("GitHub sent an unreadable response", "bad repository public key");
  }
  std::lock_guard lock(mu_);
  public_keys_[repo] = key;
  return key;
}

Status GithubClient::PutSecret(const std::string& repo, const std::string& name,
                               const SecretString& value) {
  if (!ValidRepo(repo)) return InvalidArgument("Invalid repository name");
  if (name.empty() || name != SecretNameFor(name)) return InvalidArgument("Invalid secret name");
  BROKER_ASSIGN_OR_RETURN(SecretString token, InstallationToken(repo));
  const std::string path = "/repos/" + repo + "/actions/secrets/" + name;
  for (int attempt = 0;; ++attempt) {
    BROKER_ASSIGN_OR_RETURN(PublicKey key, RepoPublicKey(repo, token, attempt > 0));
    Json body = {{"encrypted_value", SealForGithub(value, key.key)}, {"key_id", key.key_id}};
    long status = 0;
    auto put = Call("PUT", path, body, token, &status);
    // 422 usually means the repository key was rotated since we cached it: fetch it again once.
    if (!put.ok() && status == 422 && attempt == 0) continue;
    if (!put.ok()) return std::move(put).error();
    return OkStatus();
  }
}

Result<std::optional<int64_t>> GithubDestination::Deliver(const std::string& target,
                                                          const std::string& key,
                                                          const SecretString& value,
                                                          int64_t generation) {
  (void)generation;  // GitHub secrets are write-only; the outbox keeps deliveries in order
  BROKER_RETURN_IF_ERROR(client_.PutSecret(target, SecretNameFor(key), value));
  return std::optional<int64_t>();
}

}  // namespace broker::sync
