#pragma once

// Test support for accounts/ and api/token/: a fake AccountDirectory and a complete token
// environment (database on SQLite or PostgreSQL, HS256 keys, FakeClock, registry, rules,
// bearer authenticator, audit). Test-only; linked as broker::accounts_testing.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "accounts/access_rules.h"
#include "accounts/bearer.h"
#include "accounts/directory.h"
#include "accounts/last_use.h"
#include "accounts/lookup.h"
#include "accounts/registry.h"
#include "audit/audit_log.h"
#include "audit/batch_writer.h"
#include "core/clock.h"
#include "core/random.h"
#include "jwt/jwt.h"
#include "store/database.h"
#include "support/temp_dir.h"

namespace broker::accounts::testing {

class FakeDirectory : public AccountDirectory {
 public:
  void Put(const AccountRecord& account);
  void Remove(const std::string& id);
  void AllowManager(const std::string& account_id, const std::string& user_id);

  Result<AccountRecord> FindById(std::string_view id) override;
  Result<AccountRecord> FindByClientId(std::string_view client_id) override;
  Status CheckMayManage(const api::UserPrincipal& user, const AccountRecord& account) override;
  Result<std::vector<AccountRecord>> ListManageable(const api::UserPrincipal& user) override;

 private:
  std::mutex mutex_;
  std::map<std::string, AccountRecord> accounts_;
  std::map<std::string, std::set<std::string>> managers_;
};

enum class Engine { kSqlite, kPostgres };
std::string EngineName(Engine engine);
// For INSTANTIATE_TEST_SUITE_P: names the cases "Sqlite" and "Postgres".
struct EngineParamName {
  std::string operator()(const ::testing::TestParamInfo<Engine>& param) const {
    return EngineName(param.param);
  }
};

inline constexpr UnixSeconds kStart = 1'800'000'000;

struct Env {
  explicit Env(Engine engine, int64_t grace_seconds = kDefaultGraceSeconds);
  ~Env();

  // "Bearer <token>" through the authenticator.
  Result<api::AccountPrincipal> Authenticate(const std::string& token);
  // Generates as `manager` for `account`, 90 days; fails the test on error.
  std::string Generate(const AccountRecord& account);
  // Rows with state 'active' in the database for the account.
  int64_t ActiveRowCount(const std::string& account_id);

  ::broker::testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  FakeClock clock{kStart};
  FakeDirectory directory;
  std::shared_ptr<const jwt::KeySet> keys;
  std::unique_ptr<audit::AuditLog> audit_log;
  std::unique_ptr<TokenRegistry> registry;
  std::unique_ptr<AccessRules> rules;
  std::unique_ptr<LastUseTracker> last_use;
  std::unique_ptr<audit::BatchWriter> auth_audit;
  std::unique_ptr<BearerAuthenticator> bearer;
  std::unique_ptr<TokenLookup> lookup;

  api::UserPrincipal manager;
  api::UserPrincipal outsider;
  api::UserPrincipal admin;
  AccountRecord account_a;
  AccountRecord account_b;
};

}  // namespace broker::accounts::testing
