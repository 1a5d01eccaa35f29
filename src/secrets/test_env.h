#pragma once

// Shared fixtures of the secrets tests: a migrated database (SQLite in a temp dir, or a fresh
// PostgreSQL database), a sealer, and a fake Vault with a client.

#include <memory>
#include <stdexcept>
#include <string>

#include "core/clock.h"
#include "secrets/fake_vault_fixture.h"
#include "secrets/local_tools_store.h"
#include "secrets/sealer.h"
#include "secrets/vault_client.h"
#include "secrets/vault_tools_store.h"
#include "store/database.h"
#include "support/pg_cluster.h"
#include "support/temp_dir.h"

namespace broker::secrets::testing {

inline std::string FakeVaultScript() { return BROKER_SOURCE_DIR "/tests/fakes/fake_vault.py"; }

inline std::unique_ptr<store::Database> MustOpen(const std::string& url) {
  auto db = store::Open(url);
  if (!db.ok()) throw std::runtime_error("open failed: " + db.error().ToString());
  auto migrated = MigrateSecrets(**db);
  if (!migrated.ok()) throw std::runtime_error("migrate failed: " + migrated.error().ToString());
  return std::move(db).value();
}

inline SecretString TestKey() { return SecretString(std::string(32, '\x5a')); }

// A VaultClient on a fake Vault, with short timeouts so fault tests run fast.
inline VaultConfig FastConfig(const std::string& addr, const std::string& token = "root") {
  VaultConfig config;
  config.addr = addr;
  config.token = SecretString(token);
  config.http.connect_timeout_ms = 500;
  config.http.total_timeout_ms = 1500;
  config.http.backoff_base_ms = 20;
  return config;
}

}  // namespace broker::secrets::testing
