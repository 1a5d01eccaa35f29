#include "jobs/leader.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <string>

namespace broker::jobs {

bool SoleLeader::TryLead() {
  leading_.store(true);
  return true;
}

void SoleLeader::Release() { leading_.store(false); }

struct PostgresLeader::Connection {
  explicit Connection(PGconn* raw) : conn(raw) {}
  ~Connection() { PQfinish(conn); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  PGconn* conn;
};

PostgresLeader::PostgresLeader(std::string url, int64_t lock_key)
    : url_(std::move(url)), lock_key_(lock_key) {}

PostgresLeader::~PostgresLeader() { Disconnect(); }

bool PostgresLeader::TryLead() {
  const bool was_leading = leading_.load();
  if (!connection_ && !Connect()) return false;
  // Holding the lock is a property of this session: as long as the session answers, it is
  // still ours. A failed query drops the connection, and the server frees the lock with it.
  const char* sql = was_leading ? "SELECT 't' WHERE $1::bigint IS NOT NULL"
                                : "SELECT pg_try_advisory_lock($1::bigint)";
  std::optional<std::string> answer = QueryKey(sql);
  const bool leads = answer.has_value() && *answer == "t";
  if (leads != was_leading) {
    spdlog::info("job leadership {} ({})", leads ? "taken" : "lost", Describe());
  }
  leading_.store(leads);
  return leads;
}

void PostgresLeader::Release() {
  if (!leading_.load()) return;
  if (connection_) (void)QueryKey("SELECT pg_advisory_unlock($1::bigint)");
  leading_.store(false);
  spdlog::info("job leadership released");
}

bool PostgresLeader::Connect() {
  // Defaults first; settings in the URL itself (expanded from "dbname") override them.
  // Keepalives make a silently dead server show up as an error within seconds.
  const char* keywords[] = {"connect_timeout",
                            "application_name",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "dbname",
                            nullptr};
  const char* values[] = {"3", "broker-leader", "5", "2", "2", url_.c_str(), nullptr};
  auto connection = std::make_unique<Connection>(PQconnectdbParams(keywords, values, 1));
  if (connection->conn == nullptr || PQstatus(connection->conn) != CONNECTION_OK) {
    // libpq's message may name the host but never the password; still keep it out of logs.
    spdlog::warn("job leadership: cannot connect to the database, will retry");
    return false;
  }
  connection_ = std::move(connection);
  PGresult* setup = PQexec(connection_->conn, "SET statement_timeout = 3000");
  PQclear(setup);
  return true;
}

void PostgresLeader::Disconnect() {
  connection_.reset();
  leading_.store(false);
}

std::optional<std::string> PostgresLeader::QueryKey(const char* sql) {
  const std::string key = std::to_string(lock_key_);
  const char* params[] = {key.c_str()};
  PGresult* result = PQexecParams(connection_->conn, sql, 1, nullptr, params, nullptr, nullptr, 0);
  std::optional<std::string> answer;
  if (result != nullptr && PQresultStatus(result) == PGRES_TUPLES_OK) {
    answer = PQntuples(result) > 0 ? std::string(PQgetvalue(result, 0, 0)) : std::string();
  }
  PQclear(result);
  if (!answer.has_value()) {
    spdlog::warn("job leadership: database connection failed, reconnecting");
    Disconnect();
  }
  return answer;
}

std::unique_ptr<Leader> LeaderFor(const std::string& database_url) {
  if (database_url.rfind("postgres", 0) == 0) return std::make_unique<PostgresLeader>(database_url);
  return std::make_unique<SoleLeader>();
}

}  // namespace broker::jobs
