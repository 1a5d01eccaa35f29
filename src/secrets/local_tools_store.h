#pragma once

// ToolsStore in Broker's own database (the embedded default when no Vault is configured).
// Values are encrypted with a Sealer, bound to their path and key. Generation checks and the
// version bump happen in one write transaction, so the semantics match VaultToolsStore.
//
// Thread-safety: safe for concurrent use (the database serializes writers).

#include <string>
#include <vector>

#include "core/clock.h"
#include "secrets/sealer.h"
#include "secrets/tools_store.h"
#include "store/database.h"

namespace broker::secrets {

// Creates the tables of the local tools store and the delivery outbox (component "secrets").
Status MigrateSecrets(store::Database& db);

class LocalToolsStore final : public ToolsStore {
 public:
  // REQUIRES: MigrateSecrets(db) has run. `db`, `sealer` and `clock` outlive the store.
  LocalToolsStore(store::Database& db, const Sealer& sealer, const Clock& clock)
      : db_(db), sealer_(sealer), clock_(clock) {}

  Result<ToolsSecret> Read(const std::string& path) override;
  Result<WriteResult> Write(const std::string& path, const std::string& key,
                            const SecretString& value, const WriteOptions& options) override;
  Result<std::vector<std::string>> List(const std::string& prefix) override;

 private:
  Status WriteIn(store::Session& session, const std::string& path, const std::string& key,
                 const SecretString& value, const WriteOptions& options, WriteResult& out);

  store::Database& db_;
  const Sealer& sealer_;
  const Clock& clock_;
};

// The associated data that binds a stored value to its place.
std::string ToolsAssociatedData(const std::string& path, const std::string& key);

}  // namespace broker::secrets
