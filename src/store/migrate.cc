#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "store/database.h"

namespace broker::store {
namespace {

// Any fixed number; every Broker process takes the same advisory lock around migrations.
constexpr int64_t kMigrationLockKey = 0x42726f6b65724d;  // "BrokerM"

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "component TEXT NOT NULL, version BIGINT NOT NULL, description TEXT NOT NULL, "
    "applied_at BIGINT NOT NULL, PRIMARY KEY (component, version))";

// Serializes migrating processes: on PostgreSQL an advisory lock held until the transaction
// ends; on SQLite the write transaction already excludes every other writer. A PostgreSQL
// step may run longer than the pool's statement timeout (an index on a big table), and
// another node may wait that long for the lock, so both limits are relaxed for this
// transaction only.
Status LockMigrations(Session& session) {
  if (session.dialect() == Dialect::kSqlite) return OkStatus();
  BROKER_RETURN_IF_ERROR(
      session.ExecuteScript("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 600000"));
  BROKER_RETURN_IF_ERROR(session.Execute("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey}));
  return OkStatus();
}

Result<std::set<int64_t>> AppliedVersions(Database& db, std::string_view component) {
  std::set<int64_t> versions;
  Status status = db.Transact(TxMode::kWrite, [&](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(LockMigrations(session));
    BROKER_RETURN_IF_ERROR(session.Execute(kCreateTable));
    BROKER_ASSIGN_OR_RETURN(
        ResultSet rows,
        session.Execute("SELECT version FROM schema_migrations WHERE component = $1",
                        {std::string(component)}));
    for (const Row& row : rows.rows) versions.insert(row.Int(0));
    return OkStatus();
  });
  if (!status.ok()) return std::move(status).error();
  return versions;
}

int64_t NowMillis() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Applies one step unless another process applied it since AppliedVersions looked.
Status ApplyStep(Database& db, std::string_view component, const Migration& step) {
  return db.Transact(TxMode::kWrite, [&](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(LockMigrations(session));
    BROKER_ASSIGN_OR_RETURN(
        ResultSet done,
        session.Execute("SELECT 1 FROM schema_migrations WHERE component = $1 AND version = $2",
                        {std::string(component), int64_t{step.version}}));
    if (!done.empty()) return OkStatus();
    bool sqlite = session.dialect() == Dialect::kSqlite;
    BROKER_RETURN_IF_ERROR(
        session.ExecuteScript(sqlite && step.sqlite_sql ? *step.sqlite_sql : step.sql));
    BROKER_RETURN_IF_ERROR(session.Execute(
        "INSERT INTO schema_migrations (component, version, description, applied_at) "
        "VALUES ($1, $2, $3, $4)",
        {std::string(component), int64_t{step.version}, step.description, NowMillis()}));
    return OkStatus();
  });
}

}  // namespace

Status Migrate(Database& db, std::string_view component, const std::vector<Migration>& steps) {
  BROKER_ASSIGN_OR_RETURN(std::set<int64_t> applied, AppliedVersions(db, component));
  std::vector<const Migration*> ordered;
  ordered.reserve(steps.size());
  for (const Migration& step : steps) ordered.push_back(&step);
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration* a, const Migration* b) { return a->version < b->version; });
  for (const Migration* step : ordered) {
    if (applied.contains(step->version)) continue;
    Status status = ApplyStep(db, component, *step);
    if (!status.ok()) {
      return std::move(status).error().WithContext("migration " + std::string(component) + " " +
                                                   std::to_string(step->version));
    }
  }
  return OkStatus();
}

}  // namespace broker::store
