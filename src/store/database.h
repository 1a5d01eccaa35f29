#pragma once

// The store: one interface over two SQL engines.
//
// SQLite (WAL mode) is the embedded default; PostgreSQL 15 (libpq) is the scaled-out store.
// Both run the same SQL, written in the subset they share:
//   - parameters are `$1`, `$2`, ... in both engines;
//   - integers are BIGINT, text is TEXT, booleans are BIGINT 0/1, times are BIGINT Unix
//     milliseconds (or seconds where a column says so), JSON documents are TEXT;
//   - `INSERT ... ON CONFLICT ... DO ...` and `... RETURNING ...` work in both;
//   - row locks: append `ForUpdate(dialect)` to a SELECT (" FOR UPDATE" on PostgreSQL, nothing
//     on SQLite, where a write transaction already holds the database's only writer lock).
//
// Thread-safety: a Database is safe to use from many threads at once; each call borrows a
// connection from an internal pool. A Session is bound to one borrowed connection and must only
// be used by the thread that received it, inside the callback that received it.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace broker::store {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a column value. std::monostate is SQL NULL.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

// Shorthand for a parameter that may be absent.
Value NullableText(const std::optional<std::string>& text);
Value NullableInt(const std::optional<int64_t>& n);

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  // Integer column. REQUIRES: not NULL. Text holding a decimal integer is converted (PostgreSQL
  // returns everything as text).
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  // Text column. NULL reads as "".
  std::string Text(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  const Value& at(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  int64_t affected_rows = 0;  // for INSERT/UPDATE/DELETE

  bool empty() const { return rows.empty(); }
};

// Runs statements on one connection.
class Session {
 public:
  virtual ~Session() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement. Errors:
  //   AlreadyExists   a unique or primary-key constraint was violated;
  //   Aborted         serialization failure or deadlock (the transaction should be retried);
  //   Unavailable     the database is unreachable, locked past the busy timeout, or full;
  //   Internal        anything else (bad SQL is a bug).
  // Public messages never contain SQL, parameters or engine text.
  virtual Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params) = 0;
  Result<ResultSet> Execute(std::string_view sql) { return Execute(sql, {}); }

  // Runs several statements separated by ';' (no parameters), e.g. a migration step. Trigger
  // bodies and PostgreSQL dollar quoting are handled by the engine. Errors as for Execute.
  // (Not pure so that test fakes written before it existed still compile; the default
  // returns Internal.)
  virtual Status ExecuteScript(std::string_view sql);
};

enum class TxMode {
  kRead,   // a read-only snapshot
  kWrite,  // a read-write transaction that takes the write lock up front (SQLite BEGIN
           // IMMEDIATE), so a read-then-write inside it never fails with SQLITE_BUSY half way
};

struct OpenOptions {
  int pool_size = 4;           // connections kept open (SQLite: readers; one writer is shared)
  int busy_timeout_ms = 5000;  // SQLite busy_timeout; PostgreSQL lock_timeout
  int statement_timeout_ms = 5000;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;

  // Runs `body` inside one transaction on one connection. Commits if `body` returns ok, rolls
  // back otherwise and returns its error. If the engine reports a serialization failure or a
  // deadlock, the whole transaction (including `body`) is retried a few times before Aborted is
  // returned, so `body` must not have side effects outside the database.
  // Both engines behave alike after a failed statement: the transaction is spoiled, later
  // statements in it fail, and it is rolled back even if `body` swallows the error and returns
  // ok (Transact then returns that first error). Use `ON CONFLICT` instead of catching
  // AlreadyExists inside a transaction.
  // A kWrite transaction must not be opened from inside another Transact body on the same
  // thread (SQLite returns Internal instead of deadlocking).
  virtual Status Transact(TxMode mode, const std::function<Status(Session&)>& body) = 0;

  // Runs one statement in its own transaction.
  virtual Result<ResultSet> Execute(std::string_view sql, const std::vector<Value>& params) = 0;
  Result<ResultSet> Execute(std::string_view sql) { return Execute(sql, {}); }

  // Unavailable if the database cannot answer a trivial query now.
  virtual Status Ping() = 0;

  // A description for logs with any password removed, e.g. "sqlite:/data/broker.db" or
  // "postgresql://broker@127.0.0.1:5432/broker".
  virtual std::string Describe() const = 0;

  // Cross-node events (PostgreSQL LISTEN/NOTIFY; SQLite: within this process only).
  // `channel` is 1-63 characters of [a-z0-9_]; `payload` is at most 7999 bytes; otherwise
  // InvalidArgument. Notify is sent in its own transaction (call it after your change commits);
  // Unavailable if the database is down.
  virtual Status Notify(std::string_view channel, std::string_view payload);
  // Registers `callback` for `channel` for the lifetime of this Database. Once Listen returns
  // ok, every later Notify on the channel (from any node sharing the database) is delivered.
  // Callbacks run on one background thread, in order; they must be quick and must not call
  // Listen. PostgreSQL: if the listening connection is lost, it reconnects with backoff and
  // then calls every callback with an empty payload, meaning "events may have been missed:
  // reload". Unavailable if the listening connection cannot be set up.
  // (Notify and Listen are not pure so that test fakes need not implement them; the defaults
  // return Internal.)
  virtual Status Listen(std::string channel, std::function<void(std::string payload)> callback);

  // A number that is the same on two calls only if no transaction committed to this database
  // between them, from this process or any other (SQLite: `PRAGMA data_version` on a
  // connection of its own, about a microsecond). It lets a process cache rows exactly: take the
  // version, then read; while later calls return the same version the rows are current.
  // nullopt when the engine cannot tell cheaply (PostgreSQL, whose other nodes write without
  // telling us) or the check failed: then read the database instead of a cache. Thread-safe.
  virtual std::optional<uint64_t> ChangeVersion();
};

// Opens `url`: "sqlite:PATH" (the file is created if missing) or "postgresql://..." /
// "postgres://..." (a libpq connection URI). InvalidArgument for any other scheme,
// Unavailable if the database cannot be reached.
Result<std::unique_ptr<Database>> Open(std::string_view url, const OpenOptions& options = {});

// " FOR UPDATE" on PostgreSQL, "" on SQLite.
std::string_view ForUpdate(Dialect dialect);

// One versioned schema step of one component. Steps of a component are applied in ascending
// `version` order, each in its own transaction, and recorded in `schema_migrations(component,
// version)` so each runs once. `sql` may hold several statements separated by ';'.
// `sqlite_sql`, when set, replaces `sql` on SQLite (for the rare statement that differs).
struct Migration {
  int version;
  std::string description;
  std::string sql;
  std::optional<std::string> sqlite_sql;
};

// Applies the steps of `component` that have not run yet. Safe to call from several processes
// at once (PostgreSQL: advisory lock; SQLite: write transaction).
Status Migrate(Database& db, std::string_view component, const std::vector<Migration>& steps);

}  // namespace broker::store
