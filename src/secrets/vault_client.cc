#include "secrets/vault_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace broker::secrets {
namespace {

constexpr char kCasMismatch[] = "check-and-set parameter did not match the current version";
constexpr size_t kMaxErrorText = 300;

// Vault's error strings, joined, truncated and with `token` removed: for internal messages.
std::string ErrorsText(const std::string& body, const SecretString& token) {
  auto parsed = ParseStrictJson(body);
  std::string text;
  if (parsed.ok() && parsed->is_object() && parsed->contains("errors") &&
      (*parsed)["errors"].is_array()) {
    for (const auto& e : (*parsed)["errors"]) {
      if (!e.is_string()) continue;
      if (!text.empty()) text += "; ";
      text += e.get<std::string>();
    }
  }
  const std::string& secret = token.RevealForUse();
  for (size_t pos; !secret.empty() && (pos = text.find(secret)) != std::string::npos;) {
    text.replace(pos, secret.size(), "[redacted]");
  }
  if (text.size() > kMaxErrorText) text = text.substr(0, kMaxErrorText) + "...";
  return text;
}

// The version a KV v2 read reports ("data.metadata.version"), also present on a 404 for a
// deleted latest version.
int64_t VersionFrom(const Json& body) {
  const Json* node = &body;
  for (const char* key : {"data", "metadata", "version"}) {
    if (!node->is_object() || !node->contains(key)) return 0;
    node = &(*node)[key];
  }
  return node->is_number_integer() ? node->get<int64_t>() : 0;
}

// The version a KV v2 write reports ("data.version").
int64_t WriteVersionFrom(const Json& body) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object()) return 0;
  const Json& data = body["data"];
  return data.contains("version") && data["version"].is_number_integer()
             ? data["version"].get<int64_t>()
             : 0;
}

int64_t IntField(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return 0;
  const Json& v = object[key];
  if (v.is_number()) return static_cast<int64_t>(std::llround(v.get<double>()));
  return 0;
}

}  // namespace

VaultClient::VaultClient(VaultConfig config, MonotonicNow now)
    : config_(std::move(config)), http_(config_.http, std::move(now)) {
  while (!config_.addr.empty() && config_.addr.back() == '/') config_.addr.pop_back();
}

Result<HttpResponse> VaultClient::Exchange(const std::string& method, const std::string& path,
                                           const Json& body,
                                           std::vector<std::pair<std::string, std::string>> headers,
                                           const SecretString* token_override) {
  HttpRequest request;
  request.method = method;
  request.url = config_.addr + "/v1/" + path;
  request.headers = std::move(headers);
  request.secret_headers.emplace_back("X-Vault-Token",
                                      token_override ? *token_override : config_.token);
  if (!body.is_null()) {
    request.body = SecretString(body.dump());
    bool has_type = false;
    for (const auto& [name, value] : request.headers) has_type |= name == "Content-Type";
    if (!has_type) request.headers.emplace_back("Content-Type", "application/json");
  }
  return http_.Send(request);
}

Result<Json> VaultClient::ParseBody(const std::string& method, const std::string& path,
                                    const HttpResponse& response) const {
  if (response.body.empty()) return Json::object();
  auto parsed = ParseStrictJson(response.body, JsonLimits{64});
  if (!parsed.ok()) {
    return Unavailable("Vault sent an unreadable response",
                       method + " /v1/" + path + ": response is not JSON");
  }
  return std::move(parsed).value();
}

Result<Json> VaultClient::Call(const std::string& method, const std::string& path, const Json& body,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const SecretString* token_override) {
  BROKER_ASSIGN_OR_RETURN(HttpResponse response,
                          Exchange(method, path, body, std::move(headers), token_override));
  if (response.status < 200 || response.status >= 300) return MapError(method, path, response);
  return ParseBody(method, path, response);
}

Error VaultClient::MapError(const std::string& method, const std::string& path,
                            const HttpResponse& response) const {
  std::string detail = method + " /v1/" + path + ": HTTP " + std::to_string(response.status) +
                       ": " + ErrorsText(response.body, config_.token);
  switch (response.status) {
    case 400:
      if (detail.find(kCasMismatch) != std::string::npos) {
        return Aborted("Vault check-and-set conflict", detail);
      }
      return InvalidArgument("Vault rejected the request", detail);
    case 403:
      return PermissionDenied("Vault denied access", detail);
    case 404:
      return NotFound("Vault path not found", detail);
    default:
      return Unavailable("vault is unavailable", detail);
  }
}

std::string VaultClient::KvUrlPath(const std::string& kind, const std::string& path) const {
  std::string out = config_.kv_mount + "/" + kind;
  size_t start = 0;
  while (start <= path.size() && !path.empty()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out += "/" + EncodePathSegment(std::string_view(path).substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<KvRecord> VaultClient::KvRead(const std::string& path, int64_t* deleted_version) {
  if (deleted_version) *deleted_version = 0;
  std::string url_path = KvUrlPath("data", path);
  BROKER_ASSIGN_OR_RETURN(HttpResponse response, Exchange("GET", url_path, Json(), {}, nullptr));
  if (response.status == 404) {
    // Vault answers 404 for a deleted latest version but still reports its metadata; a writer
    // needs that version to create over it with check-and-set.
    auto parsed = ParseBody("GET", url_path, response);
    if (parsed.ok() && deleted_version) *deleted_version = VersionFrom(*parsed);
    return NotFound("Vault path not found", "GET /v1/" + url_path + ": HTTP 404");
  }
  if (response.status != 200) return MapError("GET", url_path, response);
  BROKER_ASSIGN_OR_RETURN(Json root, ParseBody("GET", url_path, response));
  const Json* data = root.is_object() && root.contains("data") ? &root["data"] : nullptr;
  if (!data || !data->is_object() || !data->contains("data") || !(*data)["data"].is_object()) {
    return Unavailable("Vault sent an unreadable response", "GET /v1/" + url_path + ": no data");
  }
  KvRecord record;
  record.data = (*data)["data"];
  record.version = VersionFrom(root);
  return record;
}

Result<Json> VaultClient::KvSubkeys(const std::string& path) {
  BROKER_ASSIGN_OR_RETURN(Json root, Call("GET", KvUrlPath("subkeys", path), Json()));
  if (!root.contains("data") || !root["data"].is_object()) return Json::object();
  return root["data"].value("subkeys", Json::object());
}

Result<int64_t> VaultClient::KvCreate(const std::string& path, const Json& data, int64_t cas) {
  Json body = {{"options", {{"cas", cas}}}, {"data", data}};
  BROKER_ASSIGN_OR_RETURN(Json root, Call("POST", KvUrlPath("data", path), body));
  return WriteVersionFrom(root);
}

Result<int64_t> VaultClient::KvPatch(const std::string& path, const Json& data, int64_t cas) {
  Json body = {{"options", {{"cas", cas}}}, {"data", data}};
  BROKER_ASSIGN_OR_RETURN(Json root, Call("PATCH", KvUrlPath("data", path), body,
                                          {{"Content-Type", "application/merge-patch+json"}}));
  return WriteVersionFrom(root);
}

Result<std::vector<std::string>> VaultClient::KvList(const std::string& prefix) {
  BROKER_ASSIGN_OR_RETURN(Json root, Call("LIST", KvUrlPath("metadata", prefix), Json()));
  std::vector<std::string> names;
  if (root.contains("data") && root["data"].is_object() && root["data"].contains("keys")) {
    for (const auto& k : root["data"]["keys"]) {
      if (k.is_string()) names.push_back(k.get<std::string>());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<Json> VaultClient::LookupSelf() {
  BROKER_ASSIGN_OR_RETURN(Json root, Call("GET", "auth/token/lookup-self", Json()));
  return root.value("data", Json::object());
}

Result<Json> VaultClient::RenewSelf() {
  BROKER_ASSIGN_OR_RETURN(Json root, Call("POST", "auth/token/renew-self", Json::object()));
  return root.value("auth", Json::object());
}

Result<std::string> VaultClient::AppRoleRoleId(const std::string& mount, const std::string& role) {
  std::string path = "auth/" + mount + "/role/" + EncodePathSegment(role) + "/role-id";
  BROKER_ASSIGN_OR_RETURN(Json root, Call("GET", path, Json()));
  const Json data = root.value("data", Json::object());
  if (!data.contains("role_id") || !data["role_id"].is_string()) {
    return Unavailable("Vault sent an unreadable response", "GET /v1/" + path + ": no role_id");
  }
  return data["role_id"].get<std::string>();
}

Result<Json> VaultClient::AppRoleSecretId(const std::string& mount, const std::string& role,
                                          int wrap_ttl_seconds) {
  std::string path = "auth/" + mount + "/role/" + EncodePathSegment(role) + "/secret-id";
  std::vector<std::pair<std::string, std::string>> headers;
  if (wrap_ttl_seconds > 0)
    headers.emplace_back("X-Vault-Wrap-TTL", std::to_string(wrap_ttl_seconds));
  BROKER_ASSIGN_OR_RETURN(Json root, Call("POST", path, Json::object(), std::move(headers)));
  return root.value(wrap_ttl_seconds > 0 ? "wrap_info" : "data", Json::object());
}

Result<Json> VaultClient::Unwrap(const SecretString& wrapping_token) {
  BROKER_ASSIGN_OR_RETURN(Json root,
                          Call("POST", "sys/wrapping/unwrap", Json::object(), {}, &wrapping_token));
  return root.value("data", Json::object());
}

VaultTokenManager::VaultTokenManager(VaultClient& client, const Clock& clock)
    : client_(client), clock_(clock) {
  health_.reason = "token not looked up yet";
}

Status VaultTokenManager::Start() { return Lookup(); }

Status VaultTokenManager::Lookup() {
  auto data = client_.LookupSelf();
  if (!data.ok()) {
    SetDegraded(data.error(), "token lookup failed");
    std::lock_guard lock(mu_);
    looked_up_ = false;
    return std::move(data).error();
  }
  int64_t creation_ttl = IntField(*data, "creation_ttl");
  int64_t base = IntField(*data, "last_renewal_time");
  if (base == 0) base = IntField(*data, "creation_time");
  std::lock_guard lock(mu_);
  looked_up_ = true;
  renew_at_.reset();
  if (creation_ttl > 0) {
    renew_at_ = base + static_cast<int64_t>(std::llround(static_cast<double>(creation_ttl) * 0.75));
  }
  health_ = Health{HealthState::kOk, ""};
  return OkStatus();
}

Status VaultTokenManager::Tick() {
  bool looked_up = false;
  std::optional<UnixSeconds> renew_at;
  {
    std::lock_guard lock(mu_);
    looked_up = looked_up_;
    renew_at = renew_at_;
  }
  if (!looked_up) return Lookup();
  if (!renew_at.has_value() || clock_.NowSeconds() < *renew_at) return OkStatus();
  auto renewed = client_.RenewSelf();
  if (!renewed.ok()) {
    SetDegraded(renewed.error(), "token renewal failed");
    return std::move(renewed).error();
  }
  spdlog::info("vault: broker token renewed");
  return Lookup();
}

void VaultTokenManager::SetDegraded(const Error& error, const std::string& what) {
  spdlog::warn("vault: {}: {}", what, error.ToString());
  std::lock_guard lock(mu_);
  health_ = Health{HealthState::kDegraded, what + ": " + error.message()};
}

Health VaultTokenManager::health() const {
  std::lock_guard lock(mu_);
  return health_;
}

std::optional<UnixSeconds> VaultTokenManager::renew_at() const {
  std::lock_guard lock(mu_);
  return renew_at_;
}

}  // namespace broker::secrets
