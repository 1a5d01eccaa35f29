#pragma once

// Test helper: a migrated database of either engine for the users tests.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/database.h"
#include "support/pg_cluster.h"
#include "support/temp_dir.h"
#include "users/password.h"
#include "users/schema.h"

namespace broker::users::testing {

inline std::unique_ptr<store::Database> OpenMigrated(store::Dialect dialect,
                                                     const broker::testing::TempDir& dir) {
  std::string url = dialect == store::Dialect::kSqlite
                        ? "sqlite:" + dir.File("users.db")
                        : broker::testing::PgCluster::Shared().CreateDatabase();
  store::OpenOptions options;
  options.pool_size = 8;
  auto db = store::Open(url, options);
  if (!db.ok()) throw std::runtime_error("open failed: " + db.error().ToString());
  auto migrated = MigrateUsers(**db);
  if (!migrated.ok()) throw std::runtime_error("migrate failed: " + migrated.error().ToString());
  return std::move(db).value();
}

inline std::string DialectName(const ::testing::TestParamInfo<store::Dialect>& info) {
  return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres";
}

// Cheap Argon2id parameters for tests that are not about the hash cost.
inline PasswordPolicy FastPolicy() {
  PasswordPolicy policy;
  policy.opslimit = 1;
  policy.memlimit_bytes = size_t{64} * 1024;
  return policy;
}

}  // namespace broker::users::testing
