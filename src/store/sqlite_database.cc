#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <unordered_map>

#include "store/internal.h"
#include "store/pool.h"

namespace broker::store {
namespace {

constexpr size_t kStatementCacheLimit = 256;

Error MapSqliteError(int rc, sqlite3* db, std::string_view sql) {
  std::string internal = "sqlite error " + std::to_string(rc) + " (" +
                         (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
                         ") in: " + internal::SqlSnippet(sql);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExists("Already exists", std::move(internal));
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Unavailable("Database unavailable", std::move(internal));
    default:
      return Internal(std::move(internal));
  }
}

// True for statements that can run on a read-only connection (they start with SELECT).
bool IsPlainSelect(std::string_view sql) {
  size_t start = 0;
  while (start < sql.size() && std::isspace(static_cast<unsigned char>(sql[start]))) ++start;
  std::string_view word = sql.substr(start, 6);
  if (word.size() < 6) return false;
  constexpr std::string_view kSelect = "select";
  for (size_t i = 0; i < kSelect.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(word[i])) != kSelect[i]) return false;
  }
  return true;
}

bool IsBlank(const char* text) {
  for (; *text != '\0'; ++text) {
    if (!std::isspace(static_cast<unsigned char>(*text))) return false;
  }
  return true;
}

// One sqlite3 handle with its prepared-statement cache. Used by one thread at a time.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const OpenOptions& options, bool reader);

  Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params);

  Status ExecuteScript(std::string_view sql) {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return MapSqliteError(sqlite3_extended_errcode(db_), db_, sql);
    return OkStatus();
  }

  // Rolls back whatever transaction is open; false if one is still open afterwards.
  bool RollBack() {
    if (sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return sqlite3_get_autocommit(db_) != 0;
  }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Status Bind(sqlite3_stmt* stmt, const std::vector<Value>& params, std::string_view sql);
  Result<ResultSet> Run(sqlite3_stmt* stmt, std::string_view sql);
  Value ColumnValue(sqlite3_stmt* stmt, int column);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const OpenOptions& options, bool reader) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // The handle is owned (and closed) even when opening failed.
  auto conn = std::make_unique<Connection>(db);
  if (rc != SQLITE_OK) return MapSqliteError(rc, db, "open " + path);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  const char* pragmas = reader ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                               : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                 "PRAGMA foreign_keys=ON;";
  BROKER_RETURN_IF_ERROR(conn->ExecuteScript(pragmas));
  return conn;
}

Result<ResultSet> Connection::Execute(std::string_view sql, const std::vector<Value>& params) {
  BROKER_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  if (stmt == nullptr) return ResultSet{};  // only whitespace or comments
  Status bound = Bind(stmt, params, sql);
  Result<ResultSet> result = bound.ok() ? Run(stmt, sql) : Result<ResultSet>(bound.error());
  sqlite3_reset(stmt);
  // Text parameters are bound without copying; drop the pointers before the caller's vector
  // goes away.
  sqlite3_clear_bindings(stmt);
  return result;
}

Result<sqlite3_stmt*> Connection::Prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, key.c_str(), static_cast<int>(key.size() + 1), &stmt, &tail);
  if (rc != SQLITE_OK) return MapSqliteError(rc, db_, sql);
  if (tail != nullptr && !IsBlank(tail)) {
    sqlite3_finalize(stmt);
    return Internal("several statements given to Execute (use ExecuteScript): " +
                    internal::SqlSnippet(sql));
  }
  if (stmt == nullptr) return stmt;
  if (cache_.size() >= kStatementCacheLimit) {
    for (auto& [cached_sql, cached] : cache_) sqlite3_finalize(cached);
    cache_.clear();
  }
  cache_.emplace(std::move(key), stmt);
  return stmt;
}

// Parameters are named "$n" in the SQL; SQLite numbers them by first appearance, so each is
// bound by its name rather than its position.
Status Connection::Bind(sqlite3_stmt* stmt, const std::vector<Value>& params,
                        std::string_view sql) {
  int count = sqlite3_bind_parameter_count(stmt);
  for (int index = 1; index <= count; ++index) {
    const char* name = sqlite3_bind_parameter_name(stmt, index);
    auto number = static_cast<size_t>(index);
    if (name != nullptr) {
      std::string_view text(name);
      auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), number);
      if (text[0] != '$' || ec != std::errc() || end != text.data() + text.size()) {
        return Internal("unsupported parameter " + std::string(text) +
                        " in: " + internal::SqlSnippet(sql));
      }
    }
    if (number < 1 || number > params.size()) {
      return Internal("parameter $" + std::to_string(number) +
                      " not supplied in: " + internal::SqlSnippet(sql));
    }
    const Value& value = params[number - 1];
    int rc = SQLITE_OK;
    if (const auto* n = std::get_if<int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* d = std::get_if<double>(&value)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(stmt, index);
    }
    if (rc != SQLITE_OK) return MapSqliteError(rc, db_, sql);
  }
  return OkStatus();
}

Result<ResultSet> Connection::Run(sqlite3_stmt* stmt, std::string_view sql) {
  ResultSet result;
  int columns = sqlite3_column_count(stmt);
  for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));
  while (true) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return MapSqliteError(rc, db_, sql);
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) values.push_back(ColumnValue(stmt, c));
    result.rows.emplace_back(std::move(values));
  }
  if (!sqlite3_stmt_readonly(stmt)) result.affected_rows = sqlite3_changes64(db_);
  return result;
}

Value Connection::ColumnValue(sqlite3_stmt* stmt, int column) {
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, column));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, column);
    case SQLITE_NULL:
      return std::monostate{};
    default: {
      const void* bytes = sqlite3_column_blob(stmt, column);
      auto size = static_cast<size_t>(sqlite3_column_bytes(stmt, column));
      if (bytes == nullptr) return std::string();
      return std::string(static_cast<const char*>(bytes), size);
    }
  }
}

// A session over a connection inside a transaction. After a failed statement it refuses
// further work, matching PostgreSQL's aborted-transaction behaviour.
class SqliteSession final : public Session {
 public:
  explicit SqliteSession(Connection& conn) : conn_(conn) {}
  using Session::Execute;
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params) override {
    if (first_error_) return SpoiledError(sql);
    Result<ResultSet> result = conn_.Execute(sql, params);
    if (!result.ok()) first_error_ = result.error();
    return result;
  }

  Status ExecuteScript(std::string_view sql) override {
    if (first_error_) return SpoiledError(sql);
    Status status = conn_.ExecuteScript(sql);
    if (!status.ok()) first_error_ = status.error();
    return status;
  }

  const std::optional<Error>& first_error() const { return first_error_; }

 private:
  static Error SpoiledError(std::string_view sql) {
    return Internal("statement after a failed statement in the same transaction: " +
                    internal::SqlSnippet(sql));
  }

  Connection& conn_;
  std::optional<Error> first_error_;
};

// The SQLite database whose writer connection the current thread holds, if any; used to turn
// a self-deadlock into an error.
thread_local const void* tls_writer_holder = nullptr;

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, const OpenOptions& options, std::unique_ptr<Connection> writer)
      : path_(std::move(path)),
        options_(options),
        writer_(std::move(writer)),
        readers_(static_cast<size_t>(std::max(1, options.pool_size)),
                 std::chrono::milliseconds(options.busy_timeout_ms),
                 [path = path_, options] { return Connection::Open(path, options, true); }) {}

  using Database::Execute;
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return "sqlite:" + path_; }

  Status Transact(TxMode mode, const std::function<Status(Session&)>& body) override {
    if (mode == TxMode::kRead) {
      BROKER_ASSIGN_OR_RETURN(auto reader, readers_.Borrow());
      return RunTransaction(*reader, "BEGIN", body);
    }
    if (tls_writer_holder == this) return NestedWriteError();
    std::lock_guard lock(writer_mu_);
    WriterScope scope(this);
    return RunTransaction(*writer_, "BEGIN IMMEDIATE", body);
  }

  Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params) override {
    if (IsPlainSelect(sql)) {
      BROKER_ASSIGN_OR_RETURN(auto reader, readers_.Borrow());
      return reader->Execute(sql, params);
    }
    if (tls_writer_holder == this) return NestedWriteError();
    std::lock_guard lock(writer_mu_);
    return writer_->Execute(sql, params);
  }

  Status Ping() override {
    Result<ResultSet> result = Execute("SELECT 1");
    if (!result.ok()) return Unavailable("Database unavailable", result.error().ToString());
    return OkStatus();
  }

  Status Notify(std::string_view channel, std::string_view payload) override {
    BROKER_RETURN_IF_ERROR(internal::ValidateNotification(channel, payload));
    dispatcher_.Publish(channel, std::string(payload));
    return OkStatus();
  }

  Status Listen(std::string channel, std::function<void(std::string)> callback) override {
    BROKER_RETURN_IF_ERROR(internal::ValidateNotification(channel, ""));
    dispatcher_.Subscribe(std::move(channel), std::move(callback));
    return OkStatus();
  }

  // data_version changes whenever another connection (the writer, or another process) commits;
  // the watcher connection never writes, so every commit is seen by the next call.
  std::optional<uint64_t> ChangeVersion() override {
    std::lock_guard lock(version_mu_);
    if (!watcher_) {
      auto opened = Connection::Open(path_, options_, true);
      if (!opened.ok()) return std::nullopt;
      watcher_ = std::move(opened).value();
    }
    Result<ResultSet> rs = watcher_->Execute("PRAGMA data_version", {});
    if (!rs.ok() || rs->empty()) return std::nullopt;
    const int64_t data_version = rs->rows[0].Int(0);
    if (data_version != last_data_version_) {
      last_data_version_ = data_version;
      ++version_;
    }
    return version_;
  }

 private:
  class WriterScope {
   public:
    explicit WriterScope(const void* db) : previous_(tls_writer_holder) { tls_writer_holder = db; }
    ~WriterScope() { tls_writer_holder = previous_; }

   private:
    const void* previous_;
  };

  static Error NestedWriteError() {
    return Internal("write on the SQLite writer connection from inside a write transaction");
  }

  static Status RunTransaction(Connection& conn, std::string_view begin,
                               const std::function<Status(Session&)>& body) {
    BROKER_RETURN_IF_ERROR(conn.Execute(begin, {}));
    SqliteSession session(conn);
    Status status = body(session);
    if (status.ok() && session.first_error()) status = *session.first_error();
    if (status.ok()) {
      Result<ResultSet> commit = conn.Execute("COMMIT", {});
      if (!commit.ok()) status = std::move(commit).error();
    }
    if (!status.ok()) conn.RollBack();
    return status;
  }

  const std::string path_;
  const OpenOptions options_;
  std::mutex version_mu_;
  std::unique_ptr<Connection> watcher_;  // guarded by version_mu_
  int64_t last_data_version_ = -1;       // guarded by version_mu_
  uint64_t version_ = 0;                 // guarded by version_mu_
  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;
  internal::Pool<Connection> readers_;
  internal::CallbackDispatcher dispatcher_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options) {
  BROKER_ASSIGN_OR_RETURN(auto writer, Connection::Open(path, options, false));
  return std::unique_ptr<Database>(new SqliteDatabase(path, options, std::move(writer)));
}

}  // namespace broker::store
