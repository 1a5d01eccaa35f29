#include "accounts/test_env.h"

#include <gtest/gtest.h>

#include "support/pg_cluster.h"

namespace broker::accounts::testing {

void FakeDirectory::Put(const AccountRecord& account) {
  std::lock_guard lock(mutex_);
  accounts_[account.id] = account;
}

void FakeDirectory::Remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  accounts_.erase(id);
}

void FakeDirectory::AllowManager(const std::string& account_id, const std::string& user_id) {
  std::lock_guard lock(mutex_);
  managers_[account_id].insert(user_id);
}

Result<AccountRecord> FakeDirectory::FindById(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(std::string(id));
  if (it == accounts_.end()) return NotFound("Broker account not found");
  return it->second;
}

Result<AccountRecord> FakeDirectory::FindByClientId(std::string_view client_id) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, account] : accounts_) {
    if (account.client_id == client_id) return account;
  }
  return NotFound("No broker account has this client_id");
}

Status FakeDirectory::CheckMayManage(const api::UserPrincipal& user, const AccountRecord& account) {
  std::lock_guard lock(mutex_);
  if (user.admin || managers_[account.id].contains(user.user_id)) return OkStatus();
  return PermissionDenied("Requires lead-developer or full-access on team team-" + account.name);
}

Result<std::vector<AccountRecord>> FakeDirectory::ListManageable(const api::UserPrincipal& user) {
  std::lock_guard lock(mutex_);
  std::vector<AccountRecord> out;
  for (const auto& [id, account] : accounts_) {
    if (user.admin || managers_[id].contains(user.user_id)) out.push_back(account);
  }
  return out;
}

std::string EngineName(Engine engine) { return engine == Engine::kSqlite ? "Sqlite" : "Postgres"; }

namespace {

std::string OpenUrl(Engine engine, const ::broker::testing::TempDir& dir) {
  if (engine == Engine::kSqlite) return "sqlite:" + dir.File("broker.db");
  return ::broker::testing::PgCluster::Shared().CreateDatabase();
}

api::UserPrincipal User(const std::string& id, std::string name, bool admin) {
  api::UserPrincipal user;
  user.user_id = id;
  user.vertex_id = "v-" + id;
  user.username = id;
  user.name = std::move(name);
  user.email = id + "@example.com";
  user.admin = admin;
  return user;
}

}  // namespace

Env::Env(Engine engine, int64_t grace_seconds) {
  store::OpenOptions open_options;
  open_options.pool_size = 8;
  auto opened = store::Open(OpenUrl(engine, dir), open_options);
  if (!opened.ok()) throw std::runtime_error(opened.error().ToString());
  db = std::move(opened).value();
  if (!audit::AuditLog::Migrate(*db).ok() || !TokenRegistry::Migrate(*db).ok()) {
    throw std::runtime_error("migration failed");
  }
  auto key_set = jwt::KeySet::FromConfig(
      std::nullopt, SecretString("test-secret-9f3b2c71d4e85a60b1c2d3e4f5a6b7c8"));
  if (!key_set.ok()) throw std::runtime_error(key_set.error().ToString());
  keys = std::move(key_set).value();
  audit_log = std::make_unique<audit::AuditLog>(audit::ServiceInfo{}, clock);
  RegistryOptions options;
  options.grace_seconds = grace_seconds;
  registry = std::make_unique<TokenRegistry>(*db, directory, *keys, *audit_log, clock,
                                             OsRandom::Instance(), options);
  rules = std::make_unique<AccessRules>(*db, *audit_log, clock, OsRandom::Instance());
  last_use = std::make_unique<LastUseTracker>(*db);
  auth_audit = std::make_unique<audit::BatchWriter>(*db, *audit_log);
  bearer = std::make_unique<BearerAuthenticator>(*keys, *registry, directory, last_use.get(),
                                                 auth_audit.get(), clock);
  lookup = std::make_unique<TokenLookup>(*registry, directory, *keys, clock);
  manager = User("u-manager", "Mia Manager", false);
  outsider = User("u-outsider", "Otto Outsider", false);
  admin = User("u-admin", "Ada Admin", true);
  account_a = {"aaaaaaaaaaaaaaaaaaaaaaaa", "va", "alpha", "alpha@example.com",
               "11111111-1111-4111-8111-111111111111"};
  account_b = {"bbbbbbbbbbbbbbbbbbbbbbbb", "vb", "beta", "beta@example.com",
               "22222222-2222-4222-8222-222222222222"};
  directory.Put(account_a);
  directory.Put(account_b);
  directory.AllowManager(account_a.id, manager.user_id);
  directory.AllowManager(account_b.id, manager.user_id);
}

Env::~Env() {
  auth_audit->Stop();
  last_use->Stop();
}

Result<api::AccountPrincipal> Env::Authenticate(const std::string& token) {
  BearerCredentials credentials;
  credentials.authorization_count = 1;
  credentials.authorization = "Bearer " + token;
  credentials.source_ip = "192.0.2.7";
  credentials.user_agent = "test-agent/1.0";
  return bearer->Authenticate(credentials);
}

std::string Env::Generate(const AccountRecord& account) {
  auto issued = registry->Generate(manager, account.id, 7776000, {}, {});
  EXPECT_TRUE(issued.ok()) << (issued.ok() ? "" : issued.error().ToString());
  return issued.ok() ? issued->token.RevealForUse() : std::string();
}

int64_t Env::ActiveRowCount(const std::string& account_id) {
  auto rs =
      db->Execute("SELECT COUNT(*) FROM token_registry WHERE account_id = $1 AND state = 'active'",
                  {account_id});
  return rs.ok() ? rs->rows[0].Int(0) : -1;
}

}  // namespace broker::accounts::testing
