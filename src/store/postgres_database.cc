#include "store/postgres_database.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "store/internal.h"
#include "store/pool.h"

namespace broker::store {
namespace {

// Type OIDs from PostgreSQL's pg_type catalog (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

constexpr std::string_view kUnavailable = "Database unavailable";
constexpr size_t kPreparedCacheLimit = 256;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// The URL's components, parsed once: the password is kept only to scrub it from messages.
struct ConnectTarget {
  std::string url;
  std::string description;
  std::string password;
};

// Server notices ("relation already exists, skipping", farewells on shutdown) go to the debug
// log instead of stderr.
void LogNotice(void*, const char* message) { spdlog::debug("postgres notice: {}", message); }

std::string Redact(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at)) {
    text.replace(at, password.size(), "***");
  }
  return text;
}

Error ErrorFromSqlState(std::string_view state, std::string internal) {
  if (state == "23505") return AlreadyExists("Already exists", std::move(internal));
  if (state == "40001" || state == "40P01") {
    return Aborted("Concurrent update, please retry", std::move(internal));
  }
  bool unavailable = state.starts_with("08") || state.starts_with("57P") ||
                     state.starts_with("53") || state == "55P03" || state == "57014";
  if (unavailable) return Unavailable(std::string(kUnavailable), std::move(internal));
  return Internal(std::move(internal));
}

// One libpq connection. Used by one thread at a time.
class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() { PQfinish(conn_); }

  static Result<std::unique_ptr<PgConnection>> Connect(const ConnectTarget& target,
                                                       const OpenOptions& options);

  // Runs one statement through a per-connection cache of prepared statements.
  Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params);
  // Runs `sql` (one or more statements, no parameters) with the simple query protocol.
  Status ExecuteScript(std::string_view sql);

  bool IsBad() const { return PQstatus(conn_) != CONNECTION_OK; }
  bool InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  // False if the connection is broken, mid-transaction, or the server hung up on it while
  // it sat idle (for example because the server restarted).
  bool IsReusable();
  PGconn* raw() const { return conn_; }

 private:
  // The name of the statement prepared for `sql` with these parameter types.
  Result<std::string> Prepare(const std::string& sql, const std::vector<Oid>& types);
  Error ResultError(const PGresult* result, std::string_view sql) const;
  static ResultSet Convert(const PGresult* result);
  static Value ConvertValue(const PGresult* result, int row, int column);

  PGconn* conn_;
  // Keyed by SQL plus parameter types: the server fixes the types when it prepares.
  std::unordered_map<std::string, std::string> prepared_;
  uint64_t next_statement_ = 0;
};

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const ConnectTarget& target,
                                                            const OpenOptions& options) {
  // Defaults first: settings in the URL itself (expanded from "dbname") override them.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"5", "broker", target.url.c_str(), nullptr};
  auto conn = std::make_unique<PgConnection>(PQconnectdbParams(keywords, values, 1));
  if (conn->raw() == nullptr || conn->IsBad()) {
    std::string reason = conn->raw() != nullptr ? PQerrorMessage(conn->raw()) : "out of memory";
    return Unavailable(std::string(kUnavailable), "connecting to " + target.description + ": " +
                                                      Redact(std::move(reason), target.password));
  }
  PQsetNoticeProcessor(conn->raw(), LogNotice, nullptr);
  std::string setup = "SET statement_timeout = " + std::to_string(options.statement_timeout_ms) +
                      "; SET lock_timeout = " + std::to_string(options.busy_timeout_ms);
  BROKER_RETURN_IF_ERROR(conn->ExecuteScript(setup));
  return conn;
}

// Parameters in libpq's text format. Integers and doubles are typed so that `SELECT $1` and
// arithmetic see numbers; text and NULL are left for the server to infer from context.
struct TextParams {
  explicit TextParams(const std::vector<Value>& params);
  int count() const { return static_cast<int>(values.size()); }

  std::vector<std::string> texts;
  std::vector<const char*> values;  // nullptr is NULL
  std::vector<Oid> types;           // 0: inferred by the server
};

TextParams::TextParams(const std::vector<Value>& params)
    : texts(params.size()), values(params.size(), nullptr), types(params.size(), 0) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      texts[i] = std::to_string(*n);
      types[i] = kInt8Oid;
    } else if (const auto* d = std::get_if<double>(&params[i])) {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *d);
      texts[i].assign(buffer, ec == std::errc() ? end : buffer);
      types[i] = kFloat8Oid;
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      texts[i] = *s;
    } else {
      continue;
    }
    values[i] = texts[i].c_str();
  }
}

Result<ResultSet> PgConnection::Execute(std::string_view sql, const std::vector<Value>& params) {
  TextParams bound(params);
  BROKER_ASSIGN_OR_RETURN(std::string name, Prepare(std::string(sql), bound.types));
  PgResult result(
      PQexecPrepared(conn_, name.c_str(), bound.count(), bound.values.data(), nullptr, nullptr, 0));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return Convert(result.get());
  Error error = ResultError(result.get(), sql);
  // After a schema change the server may refuse a cached plan ("cached plan must not change
  // result type"); prepare afresh next time.
  const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  if (state != nullptr && std::string_view(state) == "0A000") prepared_.clear();
  return error;
}

Result<std::string> PgConnection::Prepare(const std::string& sql, const std::vector<Oid>& types) {
  std::string key = sql;
  key.push_back('\0');
  for (Oid type : types) key += std::to_string(type) + ",";
  if (auto it = prepared_.find(key); it != prepared_.end()) return it->second;
  if (prepared_.size() >= kPreparedCacheLimit && PQtransactionStatus(conn_) != PQTRANS_INERROR) {
    PgResult dropped(PQexec(conn_, "DEALLOCATE ALL"));
    prepared_.clear();
  }
  std::string name = "broker_" + std::to_string(++next_statement_);
  PgResult result(
      PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data()));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return ResultError(result.get(), sql);
  }
  prepared_.emplace(std::move(key), name);
  return name;
}

Status PgConnection::ExecuteScript(std::string_view sql) {
  std::string script(sql);
  PgResult result(PQexec(conn_, script.c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
    return ResultError(result.get(), sql);
  }
  return OkStatus();
}

Error PgConnection::ResultError(const PGresult* result, std::string_view sql) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string internal = "postgres " + std::string(state ? state : "(no sqlstate)") + " (" +
                         (primary ? primary : PQerrorMessage(conn_)) +
                         ") in: " + internal::SqlSnippet(sql);
  if (state != nullptr) return ErrorFromSqlState(state, std::move(internal));
  // No SQLSTATE: libpq itself failed, usually because the connection is gone.
  if (IsBad()) return Unavailable(std::string(kUnavailable), std::move(internal));
  return Internal(std::move(internal));
}

ResultSet PgConnection::Convert(const PGresult* result) {
  ResultSet out;
  int rows = PQntuples(result);
  int columns = PQnfields(result);
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(result, c));
  out.rows.reserve(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) values.push_back(ConvertValue(result, r, c));
    out.rows.emplace_back(std::move(values));
  }
  std::string_view affected = PQcmdTuples(const_cast<PGresult*>(result));
  std::from_chars(affected.data(), affected.data() + affected.size(), out.affected_rows);
  return out;
}

Value PgConnection::ConvertValue(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::monostate{};
  const char* text = PQgetvalue(result, row, column);
  auto size = static_cast<size_t>(PQgetlength(result, row, column));
  switch (PQftype(result, column)) {
    case kBoolOid:
      return int64_t{text[0] == 't' ? 1 : 0};
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t n = 0;
      std::from_chars(text, text + size, n);
      return n;
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double d = 0;
      std::from_chars(text, text + size, d);
      return d;
    }
    default:
      return std::string(text, size);
  }
}

bool PgConnection::IsReusable() {
  for (int round = 0; round < 4; ++round) {
    if (IsBad() || InTransaction()) return false;
    pollfd waiting{PQsocket(conn_), POLLIN, 0};
    int ready = poll(&waiting, 1, 0);
    if (ready == 0) return true;  // nothing arrived while idle: the usual case
    if (ready < 0 || (waiting.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) return false;
    // Data while idle is a notice or a farewell before the server closed the connection;
    // reading it (and then the end of the stream) tells which.
    if (PQconsumeInput(conn_) == 0) return false;
    while (PGnotify* notify = PQnotifies(conn_)) PQfreemem(notify);
  }
  return !IsBad();
}

// A session inside a transaction; remembers the first failed statement.
class PgSession final : public Session {
 public:
  explicit PgSession(PgConnection& conn) : conn_(conn) {}
  using Session::Execute;
  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params) override {
    Result<ResultSet> result = conn_.Execute(sql, params);
    if (!result.ok() && !first_error_) first_error_ = result.error();
    return result;
  }

  Status ExecuteScript(std::string_view sql) override {
    Status status = conn_.ExecuteScript(sql);
    if (!status.ok() && !first_error_) first_error_ = status.error();
    return status;
  }

  const std::optional<Error>& first_error() const { return first_error_; }

 private:
  PgConnection& conn_;
  std::optional<Error> first_error_;
};

// LISTEN on one dedicated connection, watched by a background thread that hands
// notifications to the dispatcher and reconnects after a connection loss.
class PgListener {
 public:
  PgListener(ConnectTarget target, OpenOptions options, internal::CallbackDispatcher& dispatcher)
      : target_(std::move(target)), options_(options), dispatcher_(dispatcher) {}
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;
  ~PgListener();

  Status Listen(std::string channel, internal::CallbackDispatcher::Callback callback);

 private:
  Status ListenOn(PgConnection& conn, const std::string& channel);
  void Run();
  // Returns the socket to wait on, or -1 if the connection is gone.
  int DrainNotifications();
  void Reconnect();
  void Wake();
  // Sleeps up to `millis` on the socket (if any) and the wake pipe.
  void Wait(int socket, int millis);

  const ConnectTarget target_;
  const OpenOptions options_;
  internal::CallbackDispatcher& dispatcher_;
  std::mutex mu_;
  std::unique_ptr<PgConnection> conn_;
  std::set<std::string> channels_;
  std::atomic<bool> stopping_{false};
  int wake_fds_[2] = {-1, -1};
  std::thread thread_;
};

PgListener::~PgListener() {
  stopping_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
  for (int fd : wake_fds_) {
    if (fd >= 0) close(fd);
  }
}

Status PgListener::Listen(std::string channel, internal::CallbackDispatcher::Callback callback) {
  std::lock_guard lock(mu_);
  if (!conn_) {
    BROKER_ASSIGN_OR_RETURN(conn_, PgConnection::Connect(target_, options_));
  }
  if (!channels_.contains(channel)) {
    Status listened = ListenOn(*conn_, channel);
    if (!listened.ok()) {
      if (conn_->IsBad()) conn_.reset();
      return listened;
    }
    channels_.insert(channel);
  }
  dispatcher_.Subscribe(std::move(channel), std::move(callback));
  if (!thread_.joinable()) {
    if (pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) return Internal("pipe2 failed");
    thread_ = std::thread([this] { Run(); });
  }
  Wake();  // LISTEN may have buffered notifications the thread has not seen
  return OkStatus();
}

Status PgListener::ListenOn(PgConnection& conn, const std::string& channel) {
  // Channel names are validated to [a-z0-9_], so quoting is enough.
  return conn.ExecuteScript("LISTEN \"" + channel + "\"");
}

void PgListener::Run() {
  int backoff_ms = 100;
  while (!stopping_) {
    int socket = DrainNotifications();
    if (socket >= 0) {
      backoff_ms = 100;
      Wait(socket, 1000);
      continue;
    }
    Wait(-1, backoff_ms);
    backoff_ms = std::min(backoff_ms * 2, 2000);
    if (!stopping_) Reconnect();
  }
}

int PgListener::DrainNotifications() {
  std::lock_guard lock(mu_);
  if (!conn_) return -1;
  if (PQconsumeInput(conn_->raw()) == 0 || conn_->IsBad()) {
    spdlog::warn("store: lost the LISTEN connection to {}; reconnecting", target_.description);
    conn_.reset();
    return -1;
  }
  while (PGnotify* notify = PQnotifies(conn_->raw())) {
    dispatcher_.Publish(notify->relname, notify->extra != nullptr ? notify->extra : "");
    PQfreemem(notify);
  }
  return PQsocket(conn_->raw());
}

void PgListener::Reconnect() {
  auto conn = PgConnection::Connect(target_, options_);
  if (!conn.ok()) return;
  std::lock_guard lock(mu_);
  for (const std::string& channel : channels_) {
    if (!ListenOn(**conn, channel).ok()) return;
  }
  conn_ = std::move(conn).value();
  spdlog::info("store: LISTEN connection to {} restored", target_.description);
  // Notifications sent while the connection was down are lost; tell listeners to resync.
  dispatcher_.PublishToAll("");
}

void PgListener::Wake() {
  if (wake_fds_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t written = write(wake_fds_[1], &byte, 1);
  }
}

void PgListener::Wait(int socket, int millis) {
  pollfd fds[2] = {{wake_fds_[0], POLLIN, 0}, {socket, POLLIN, 0}};
  poll(fds, socket >= 0 ? 2 : 1, millis);
  char buffer[64];
  while (read(wake_fds_[0], buffer, sizeof buffer) > 0) {
  }
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(ConnectTarget target, const OpenOptions& options)
      : target_(std::move(target)),
        pool_(
            static_cast<size_t>(options.pool_size),
            std::chrono::milliseconds(options.busy_timeout_ms + options.statement_timeout_ms),
            [this, options] { return PgConnection::Connect(target_, options); },
            [](PgConnection& conn) { return conn.IsReusable(); }),
        listener_(target_, options, dispatcher_) {}

  using Database::Execute;
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return target_.description; }

  Status Transact(TxMode mode, const std::function<Status(Session&)>& body) override;

  Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params) override {
    BROKER_ASSIGN_OR_RETURN(auto conn, pool_.Borrow());
    Result<ResultSet> result = conn->Execute(sql, params);
    if (conn->IsBad()) conn.Discard();
    return result;
  }

  Status Ping() override {
    Result<ResultSet> result = Execute("SELECT 1");
    if (!result.ok()) return Unavailable(std::string(kUnavailable), result.error().ToString());
    return OkStatus();
  }

  Status Notify(std::string_view channel, std::string_view payload) override {
    BROKER_RETURN_IF_ERROR(internal::ValidateNotification(channel, payload));
    BROKER_RETURN_IF_ERROR(
        Execute("SELECT pg_notify($1, $2)", {std::string(channel), std::string(payload)}));
    return OkStatus();
  }

  Status Listen(std::string channel, std::function<void(std::string)> callback) override {
    BROKER_RETURN_IF_ERROR(internal::ValidateNotification(channel, ""));
    return listener_.Listen(std::move(channel), std::move(callback));
  }

 private:
  struct Attempt {
    Status status;
    bool retry = false;  // nothing was committed and running again may succeed
  };
  Attempt RunOnce(PgConnection& conn, TxMode mode, const std::function<Status(Session&)>& body);

  const ConnectTarget target_;
  internal::Pool<PgConnection> pool_;
  internal::CallbackDispatcher dispatcher_;
  PgListener listener_;  // declared after dispatcher_, which it uses
};

Status PostgresDatabase::Transact(TxMode mode, const std::function<Status(Session&)>& body) {
  for (int attempt = 1;; ++attempt) {
    Attempt outcome;
    {
      BROKER_ASSIGN_OR_RETURN(auto conn, pool_.Borrow());
      outcome = RunOnce(*conn, mode, body);
      if (conn->IsBad() || conn->InTransaction()) conn.Discard();
    }
    if (!outcome.retry || attempt >= internal::kMaxTransactAttempts) return outcome.status;
    internal::BackoffBeforeRetry(attempt);
  }
}

PostgresDatabase::Attempt PostgresDatabase::RunOnce(PgConnection& conn, TxMode mode,
                                                    const std::function<Status(Session&)>& body) {
  const char* begin =
      mode == TxMode::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
  Status begun = conn.ExecuteScript(begin);
  // A connection that broke before BEGIN did nothing, so another one may simply be tried.
  if (!begun.ok()) return {std::move(begun).error(), conn.IsBad()};
  PgSession session(conn);
  Status status = body(session);
  if (status.ok() && session.first_error()) status = *session.first_error();
  if (status.ok()) {
    Status commit = conn.ExecuteScript("COMMIT");
    if (commit.ok()) return {OkStatus(), false};
    status = std::move(commit).error();
    return {status, status.error().code() == ErrorCode::kAborted};
  }
  if (!conn.IsBad()) (void)conn.ExecuteScript("ROLLBACK");
  bool lost_race = session.first_error() && session.first_error()->code() == ErrorCode::kAborted;
  return {std::move(status), lost_race};
}

ConnectTarget MakeTarget(const std::string& url) {
  ConnectTarget target{url, DescribePostgresUrl(url), ""};
  PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr);
  if (options == nullptr) return target;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && std::string_view(o->keyword) == "password") target.password = o->val;
  }
  PQconninfoFree(options);
  return target;
}

}  // namespace

std::string DescribePostgresUrl(const std::string& url) {
  PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr);
  if (options == nullptr) return "postgresql://(unparseable URL)";
  std::string user;
  std::string host;
  std::string port;
  std::string dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key = o->keyword;
    if (key == "user") user = o->val;
    if (key == "host") host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  if (host.empty()) host = "localhost";
  if (port.empty()) port = "5432";
  if (dbname.empty()) dbname = user;
  return "postgresql://" + (user.empty() ? "" : user + "@") + host + ":" + port + "/" + dbname;
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions& options) {
  auto db = std::make_unique<PostgresDatabase>(MakeTarget(url), options);
  // Connect now so that a wrong URL or a down server shows at start-up.
  Result<ResultSet> probe = db->Execute("SELECT 1");
  if (!probe.ok()) return std::move(probe).error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace broker::store
