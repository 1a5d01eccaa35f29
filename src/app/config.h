#pragma once

// Broker's configuration: every setting has a command-line flag and an environment variable
// (BROKER_* for our own settings; the reference product's names where they apply: JWT_SECRET,
// JWT_KEYS, VAULT_ADDR, BROKER_TOKEN, OAUTH2_CLIENT_*, NOTIFICATION_EMAIL_*, GITHUB_SYNC_*).
// Flags win over the environment; the environment wins over defaults.

#include <cstdint>
#include <optional>
#include <string>

#include "core/secret.h"
#include "core/status.h"

namespace broker::app {

struct VaultSettings {
  std::string address;                // VAULT_ADDR; empty = use Broker's own encrypted tools store
  std::optional<SecretString> token;  // BROKER_TOKEN
  std::string tools_path_template = "tools/<%= projectName %>/<%= serviceName %>";
  std::string approle_path = "vs_apps_approle";
};

struct OidcSettings {
  std::string issuer;  // OAUTH2_CLIENT_PROVIDER_OIDC_ISSUER; empty = OIDC off
  std::string client_id;
  std::optional<SecretString> client_secret;
  std::string redirect_uri;
  std::string scope = "openid profile email";
  std::string label = "OIDC";
};

struct SmtpSettings {
  std::string host;  // NOTIFICATION_EMAIL_HOST; empty = notices logged, not sent
  uint16_t port = 25;
  std::string from;
  bool secure = false;
};

struct Config {
  std::string listen = "127.0.0.1:3000";
  std::string data_dir = "./broker-data";
  std::string database;    // empty = sqlite:<data_dir>/broker.db
  std::string web_root;    // empty = look for web/dist near the binary and the source tree
  std::string public_url;  // e.g. https://broker.example.com; enables Origin checks
  bool secure_cookies = false;
  bool demo = false;
  int threads = 2;
  int64_t token_grace_period_seconds = 3600;
  int64_t job_interval_seconds = 60;
  int64_t max_body_bytes = int64_t{1024} * 1024;
  std::optional<SecretString> jwt_keys;    // JWT_KEYS
  std::optional<SecretString> jwt_secret;  // JWT_SECRET
  VaultSettings vault;
  OidcSettings oidc;
  SmtpSettings smtp;
  // Expiry notice templates (NOTIFICATION_TEMPLATE_DIR); empty = <data_dir>/templates.
  std::string notice_template_dir;
  int64_t notice_interval_seconds = 86400;  // BROKER_NOTICE_INTERVAL: the expiry notice job
  std::string github_client_id;
  std::optional<SecretString> github_private_key;         // PEM, or the path of a PEM file
  std::string github_api_url = "https://api.github.com";  // BROKER_GITHUB_API_URL
  std::string github_managed_url_regex =                  // GITHUB_MANAGED_URL_REGEX
      "^https://github.com/([a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+)$";
  // Delivery retries: first delay and cap (BROKER_OUTBOX_RETRY_MS, BROKER_OUTBOX_MAX_RETRY_MS).
  int64_t outbox_retry_ms = 5'000;
  int64_t outbox_max_retry_ms = 300'000;

  // The database URL to open: `database` or the SQLite file in `data_dir`.
  std::string DatabaseUrl() const;
  // Host and port of `listen`. InvalidArgument for anything but HOST:PORT.
  Result<std::pair<std::string, uint16_t>> ListenEndpoint() const;
  // The web UI directory to serve, or "" if none was found.
  std::string ResolveWebRoot(const std::string& executable_path) const;
  // Checks ranges and combinations. InvalidArgument naming the setting.
  Status Validate() const;
};

// Reads the environment variables into `config` (called before flags are parsed, so flags
// override). `env` is injected for tests. InvalidArgument naming the first variable that
// is not a whole number where one is required.
using GetEnv = const char* (*)(const char*);
Status ApplyEnvironment(Config& config, GetEnv env);

}  // namespace broker::app
