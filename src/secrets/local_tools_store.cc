#include "secrets/local_tools_store.h"

#include <algorithm>
#include <set>

namespace broker::secrets {
namespace {

const std::vector<store::Migration>& Migrations() {
  static const std::vector<store::Migration> steps = {
      {1, "local tools store and delivery outbox",
       "CREATE TABLE secrets_tools_path ("
       "  path TEXT PRIMARY KEY,"
       "  version BIGINT NOT NULL,"
       "  updated_at BIGINT NOT NULL);"
       "CREATE TABLE secrets_tools_value ("
       "  path TEXT NOT NULL,"
       "  key TEXT NOT NULL,"
       "  sealed TEXT NOT NULL,"
       "  generation BIGINT,"
       "  updated_at BIGINT NOT NULL,"
       "  PRIMARY KEY (path, key));"
       "CREATE TABLE secrets_outbox ("
       "  id TEXT PRIMARY KEY,"
       "  kind TEXT NOT NULL,"
       "  target TEXT NOT NULL,"
       "  key TEXT NOT NULL,"
       "  sealed_value TEXT,"
       "  generation BIGINT NOT NULL,"
       "  account_id TEXT NOT NULL,"
       "  jti TEXT NOT NULL,"
       "  attempts BIGINT NOT NULL DEFAULT 0,"
       "  next_attempt_at BIGINT NOT NULL,"
       "  last_attempt_at BIGINT,"
       "  last_error TEXT,"
       "  state TEXT NOT NULL,"
       "  created_at BIGINT NOT NULL,"
       "  done_at BIGINT,"
       "  version BIGINT,"
       "  lease_until BIGINT);"
       "CREATE INDEX secrets_outbox_due ON secrets_outbox (state, next_attempt_at);"
       "CREATE INDEX secrets_outbox_target ON secrets_outbox (kind, target, key, generation);"
       "CREATE INDEX secrets_outbox_account ON secrets_outbox (account_id, created_at)",
       std::nullopt},
      {2, "GitHub follow-ups of deliveries, remembered distribution choices",
       "ALTER TABLE secrets_outbox ADD COLUMN then_github TEXT;"
       "CREATE TABLE secrets_distribution ("
       "  account_id TEXT PRIMARY KEY,"
       "  patch BIGINT NOT NULL,"
       "  sync_secrets BIGINT NOT NULL,"
       "  updated_at BIGINT NOT NULL)",
       std::nullopt},
  };
  return steps;
}

}  // namespace

Status MigrateSecrets(store::Database& db) { return store::Migrate(db, "secrets", Migrations()); }

std::string ToolsAssociatedData(const std::string& path, const std::string& key) {
  std::string ad = "broker-tools-v1";
  ad.push_back('\0');
  ad += path;
  ad.push_back('\0');
  ad += key;
  return ad;
}

Result<ToolsSecret> LocalToolsStore::Read(const std::string& path) {
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(path));
  ToolsSecret secret;
  Status tx = db_.Transact(store::TxMode::kRead, [&](store::Session& s) -> Status {
    BROKER_ASSIGN_OR_RETURN(
        auto head, s.Execute("SELECT version FROM secrets_tools_path WHERE path = $1", {path}));
    if (head.empty()) return NotFound("Tools path not found");
    secret.version = head.rows[0].Int(0);
    BROKER_ASSIGN_OR_RETURN(
        auto rows,
        s.Execute("SELECT key, sealed, generation FROM secrets_tools_value WHERE path = $1",
                  {path}));
    for (const auto& row : rows.rows) {
      std::string key = row.Text(0);
      BROKER_ASSIGN_OR_RETURN(SecretString value,
                              sealer_.Open(row.Text(1), ToolsAssociatedData(path, key)));
      if (auto generation = row.OptInt(2)) secret.generations[key] = *generation;
      secret.data.emplace(key, std::move(value));
    }
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(tx);
  return secret;
}

Result<WriteResult> LocalToolsStore::Write(const std::string& path, const std::string& key,
                                           const SecretString& value, const WriteOptions& options) {
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(path));
  BROKER_RETURN_IF_ERROR(ValidateToolsKey(key));
  WriteResult result;
  Status tx = db_.Transact(store::TxMode::kWrite, [&](store::Session& s) {
    return WriteIn(s, path, key, value, options, result);
  });
  BROKER_RETURN_IF_ERROR(tx);
  return result;
}

Status LocalToolsStore::WriteIn(store::Session& s, const std::string& path, const std::string& key,
                                const SecretString& value, const WriteOptions& options,
                                WriteResult& out) {
  int64_t now = clock_.NowMillis();
  // The upsert takes the path's row lock first, so concurrent writers of a path serialize here.
  BROKER_ASSIGN_OR_RETURN(auto head,
                          s.Execute("INSERT INTO secrets_tools_path (path, version, updated_at) "
                                    "VALUES ($1, 1, $2) ON CONFLICT (path) DO UPDATE SET "
                                    "version = secrets_tools_path.version + 1, updated_at = $2 "
                                    "RETURNING version",
                                    {path, now}));
  out.version = head.rows.at(0).Int(0);
  BROKER_ASSIGN_OR_RETURN(auto current, s.Execute("SELECT generation FROM secrets_tools_value "
                                                  "WHERE path = $1 AND key = $2",
                                                  {path, key}));
  std::optional<int64_t> stored = current.empty() ? std::nullopt : current.rows[0].OptInt(0);
  if (options.generation && stored && *stored > *options.generation) {
    return FailedPrecondition(kSupersededMessage,
                              "generation " + std::to_string(*options.generation) + " < stored " +
                                  std::to_string(*stored) + " at " + path);
  }
  std::optional<int64_t> generation = options.generation ? options.generation : stored;
  std::string sealed = sealer_.Seal(value, ToolsAssociatedData(path, key));
  BROKER_RETURN_IF_ERROR(
      s.Execute("INSERT INTO secrets_tools_value (path, key, sealed, generation, updated_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (path, key) DO UPDATE SET "
                "sealed = $3, generation = $4, updated_at = $5",
                {path, key, sealed, store::NullableInt(generation), now}));
  return OkStatus();
}

Result<std::vector<std::string>> LocalToolsStore::List(const std::string& prefix) {
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(prefix));
  std::string below = prefix + "/";
  BROKER_ASSIGN_OR_RETURN(auto rows, db_.Execute("SELECT path FROM secrets_tools_path "
                                                 "WHERE substr(path, 1, CAST($2 AS INTEGER)) = $1",
                                                 {below, static_cast<int64_t>(below.size())}));
  std::set<std::string> names;
  for (const auto& row : rows.rows) {
    std::string rest = row.Text(0).substr(below.size());
    auto slash = rest.find('/');
    names.insert(slash == std::string::npos ? rest : rest.substr(0, slash + 1));
  }
  if (names.empty()) return NotFound("Tools path not found");
  return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace broker::secrets
