#include "app/config.h"

#include <charconv>
#include <filesystem>

namespace broker::app {
namespace {

void ReadString(GetEnv env, const char* name, std::string& out) {
  if (const char* v = env(name); v != nullptr && *v != '\0') out = v;
}

void ReadSecret(GetEnv env, const char* name, std::optional<SecretString>& out) {
  if (const char* v = env(name); v != nullptr && *v != '\0') out = SecretString(v);
}

// Records the first malformed variable in `status`: a typo must stop start-up rather than
// silently leave a default in place.
template <typename Int>
void ReadInt(GetEnv env, const char* name, Int& out, Status& status) {
  const char* v = env(name);
  if (v == nullptr || *v == '\0') return;
  Int parsed{};
  const std::string_view text(v);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size()) {
    if (status.ok()) status = InvalidArgument(std::string(name) + " must be a whole number");
    return;
  }
  out = parsed;
}

void ReadBool(GetEnv env, const char* name, bool& out) {
  if (const char* v = env(name); v != nullptr && *v != '\0') {
    const std::string_view text(v);
    out = text == "1" || text == "true" || text == "yes" || text == "on";
  }
}

}  // namespace

std::string Config::DatabaseUrl() const {
  if (!database.empty()) return database;
  return "sqlite:" + (std::filesystem::path(data_dir) / "broker.db").string();
}

Result<std::pair<std::string, uint16_t>> Config::ListenEndpoint() const {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("--listen must be HOST:PORT, e.g. 127.0.0.1:3000");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = std::string_view(listen).substr(colon + 1);
  uint16_t port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size()) {
    return InvalidArgument("--listen port must be a number from 0 to 65535");
  }
  return std::make_pair(host, port);
}

std::string Config::ResolveWebRoot(const std::string& executable_path) const {
  namespace fs = std::filesystem;
  if (!web_root.empty()) return web_root;
  std::error_code ec;
  const fs::path exe_dir = fs::path(executable_path).parent_path();
  for (const fs::path& candidate :
       {fs::path("web/dist"), exe_dir / "../../../web/dist", exe_dir / "../share/broker/web",
        fs::path(BROKER_SOURCE_DIR) / "web/dist"}) {
    if (fs::exists(candidate / "index.html", ec))
      return fs::weakly_canonical(candidate, ec).string();
  }
  return {};
}

Status Config::Validate() const {
  BROKER_RETURN_IF_ERROR(ListenEndpoint());
  if (token_grace_period_seconds < 0 || token_grace_period_seconds > 86400) {
    return InvalidArgument("--token-grace-period must be between 0 and 86400 seconds");
  }
  if (job_interval_seconds < 1 || job_interval_seconds > 86400) {
    return InvalidArgument("--job-interval must be between 1 and 86400 seconds");
  }
  if (max_body_bytes < 1024 || max_body_bytes > int64_t{64} * 1024 * 1024) {
    return InvalidArgument("--max-body-bytes must be between 1 KiB and 64 MiB");
  }
  if (threads < 1 || threads > 64) return InvalidArgument("--threads must be between 1 and 64");
  if (notice_interval_seconds < 60 || notice_interval_seconds > int64_t{7} * 86400) {
    return InvalidArgument("BROKER_NOTICE_INTERVAL must be between 60 and 604800 seconds");
  }
  if (outbox_retry_ms < 100 || outbox_max_retry_ms < outbox_retry_ms) {
    return InvalidArgument(
        "BROKER_OUTBOX_RETRY_MS must be at least 100 and at most BROKER_OUTBOX_MAX_RETRY_MS");
  }
  if (!vault.address.empty() && !vault.token) {
    return InvalidArgument("VAULT_ADDR is set but BROKER_TOKEN (the Vault token) is not");
  }
  return OkStatus();
}

Status ApplyEnvironment(Config& config, GetEnv env) {
  Status status;
  ReadString(env, "BROKER_LISTEN", config.listen);
  ReadString(env, "BROKER_DATA_DIR", config.data_dir);
  ReadString(env, "BROKER_DATABASE", config.database);
  ReadString(env, "BROKER_WEB_ROOT", config.web_root);
  ReadString(env, "BROKER_URL", config.public_url);
  ReadBool(env, "BROKER_SECURE_COOKIES", config.secure_cookies);
  ReadInt(env, "BROKER_THREADS", config.threads, status);
  ReadInt(env, "BROKER_TOKEN_GRACE_PERIOD", config.token_grace_period_seconds, status);
  ReadInt(env, "BROKER_JOB_INTERVAL", config.job_interval_seconds, status);
  ReadInt(env, "BROKER_MAX_BODY_BYTES", config.max_body_bytes, status);
  ReadSecret(env, "JWT_KEYS", config.jwt_keys);
  ReadSecret(env, "JWT_SECRET", config.jwt_secret);
  ReadString(env, "VAULT_ADDR", config.vault.address);
  ReadSecret(env, "BROKER_TOKEN", config.vault.token);
  ReadString(env, "VAULT_KV_APPS_TOOLS_PATH_TPL", config.vault.tools_path_template);
  ReadString(env, "VAULT_APPROLE_PATH", config.vault.approle_path);
  ReadString(env, "OAUTH2_CLIENT_PROVIDER_OIDC_ISSUER", config.oidc.issuer);
  ReadString(env, "OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_ID", config.oidc.client_id);
  ReadSecret(env, "OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_SECRET", config.oidc.client_secret);
  ReadString(env, "OAUTH2_CLIENT_REGISTRATION_LOGIN_REDIRECT_URI", config.oidc.redirect_uri);
  ReadString(env, "OAUTH2_CLIENT_REGISTRATION_LOGIN_SCOPE", config.oidc.scope);
  ReadString(env, "BROKER_OIDC_LABEL", config.oidc.label);
  ReadString(env, "NOTIFICATION_EMAIL_HOST", config.smtp.host);
  ReadInt(env, "NOTIFICATION_EMAIL_PORT", config.smtp.port, status);
  ReadString(env, "NOTIFICATION_EMAIL_FROM", config.smtp.from);
  ReadBool(env, "NOTIFICATION_EMAIL_SECURE", config.smtp.secure);
  ReadString(env, "NOTIFICATION_TEMPLATE_DIR", config.notice_template_dir);
  ReadInt(env, "BROKER_NOTICE_INTERVAL", config.notice_interval_seconds, status);
  ReadString(env, "GITHUB_SYNC_CLIENT_ID", config.github_client_id);
  ReadSecret(env, "GITHUB_SYNC_PRIVATE_KEY", config.github_private_key);
  ReadString(env, "BROKER_GITHUB_API_URL", config.github_api_url);
  ReadString(env, "GITHUB_MANAGED_URL_REGEX", config.github_managed_url_regex);
  ReadInt(env, "BROKER_OUTBOX_RETRY_MS", config.outbox_retry_ms, status);
  ReadInt(env, "BROKER_OUTBOX_MAX_RETRY_MS", config.outbox_max_retry_ms, status);
  return status;
}

}  // namespace broker::app
