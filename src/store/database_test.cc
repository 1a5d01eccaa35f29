#include "store/database.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres_database.h"
#include "support/pg_cluster.h"
#include "support/ports.h"
#include "support/temp_dir.h"

namespace broker::store {
namespace {

using ::broker::testing::PgCluster;
using ::broker::testing::TempDir;

int UnusedPort() { return ::broker::testing::UnusedLoopbackPort(); }

std::unique_ptr<Database> MustOpen(const std::string& url, const OpenOptions& options = {}) {
  auto db = Open(url, options);
  if (!db.ok()) throw std::runtime_error("open failed: " + db.error().ToString());
  return std::move(db).value();
}

int64_t CountRows(Database& db, std::string_view table) {
  auto result = db.Execute("SELECT COUNT(*) FROM " + std::string(table));
  EXPECT_TRUE(result.ok()) << result.error().ToString();
  return result.ok() ? result->rows.at(0).Int(0) : -1;
}

// Collects notification payloads and waits for them.
class Inbox {
 public:
  std::function<void(std::string)> Callback() {
    return [this](std::string payload) {
      std::lock_guard lock(mu_);
      payloads_.push_back(std::move(payload));
      arrived_.notify_all();
    };
  }
  // Waits up to 10 seconds for `payload`; true if it arrived.
  bool WaitFor(const std::string& payload) {
    std::unique_lock lock(mu_);
    return arrived_.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::find(payloads_.begin(), payloads_.end(), payload) != payloads_.end();
    });
  }
  std::vector<std::string> payloads() {
    std::lock_guard lock(mu_);
    return payloads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<std::string> payloads_;
};

class DatabaseTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    url_ = GetParam() == Dialect::kSqlite ? "sqlite:" + dir_.File("broker.db")
                                          : PgCluster::Shared().CreateDatabase();
    db_ = MustOpen(url_);
    ASSERT_TRUE(db_->Execute("CREATE TABLE item (id BIGINT PRIMARY KEY, name TEXT UNIQUE, "
                             "score DOUBLE PRECISION, note TEXT)")
                    .ok());
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_P(DatabaseTest, ReportsDialect) {
  EXPECT_EQ(db_->dialect(), GetParam());
  EXPECT_EQ(ForUpdate(GetParam()), GetParam() == Dialect::kPostgres ? " FOR UPDATE" : "");
  EXPECT_TRUE(db_->Ping().ok());
}

TEST_P(DatabaseTest, RoundTripsEveryValueTypeAndNull) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  const int64_t small = std::numeric_limits<int64_t>::min();
  const std::string text = "h\xc3\xa9llo 'quoted' \"double\" ; $1";
  ASSERT_TRUE(
      db_->Execute("INSERT INTO item VALUES ($1, $2, $3, $4)", {big, text, 2.5, Value{}}).ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO item VALUES ($1, $2, $3, $4)",
                           {small, std::string(), -0.125, NullableText("x")})
                  .ok());

  auto result = db_->Execute("SELECT id, name, score, note FROM item ORDER BY id DESC");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  ASSERT_EQ(result->rows.size(), 2u);
  ASSERT_EQ(result->columns, (std::vector<std::string>{"id", "name", "score", "note"}));
  const Row& first = result->rows[0];
  EXPECT_EQ(first.Int(0), big);
  EXPECT_TRUE(std::holds_alternative<int64_t>(first.at(0)));
  EXPECT_EQ(first.Text(1), text);
  EXPECT_DOUBLE_EQ(first.Real(2), 2.5);
  EXPECT_TRUE(std::holds_alternative<double>(first.at(2)));
  EXPECT_TRUE(first.IsNull(3));
  EXPECT_EQ(first.OptText(3), std::nullopt);
  EXPECT_EQ(first.Text(3), "");
  const Row& second = result->rows[1];
  EXPECT_EQ(second.OptInt(0), small);
  EXPECT_FALSE(second.IsNull(1));  // empty text is not NULL
  EXPECT_EQ(second.OptText(1), "");
  EXPECT_DOUBLE_EQ(second.Real(2), -0.125);
  EXPECT_EQ(second.OptText(3), "x");
}

TEST_P(DatabaseTest, NullableHelpers) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(NullableInt(std::nullopt)));
  EXPECT_EQ(std::get<int64_t>(NullableInt(7)), 7);
  ASSERT_TRUE(db_->Execute("INSERT INTO item (id, note, score) VALUES ($1, $2, $3)",
                           {int64_t{1}, NullableText(std::nullopt), NullableInt(std::nullopt)})
                  .ok());
  auto result = db_->Execute("SELECT note, score FROM item WHERE id = $1", {int64_t{1}});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->rows.at(0).IsNull(0));
  EXPECT_EQ(result->rows.at(0).OptInt(1), std::nullopt);
}

TEST_P(DatabaseTest, ParametersBindByNumberNotPosition) {
  auto inserted = db_->Execute("INSERT INTO item (name, note, id) VALUES ($2, $2, $1)",
                               {int64_t{5}, std::string("five")});
  ASSERT_TRUE(inserted.ok()) << inserted.error().ToString();
  EXPECT_EQ(inserted->affected_rows, 1);
  auto result = db_->Execute("SELECT id, name, note FROM item WHERE name = $2 AND id = $1",
                             {int64_t{5}, std::string("five")});
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0].Text(1), "five");
  EXPECT_EQ(result->rows[0].Text(2), "five");
}

TEST_P(DatabaseTest, ReportsAffectedRows) {
  for (int64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(db_->Execute("INSERT INTO item (id) VALUES ($1)", {id}).ok());
  }
  auto updated = db_->Execute("UPDATE item SET note = 'n' WHERE id >= $1", {int64_t{2}});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->affected_rows, 2);
  auto returning = db_->Execute("DELETE FROM item WHERE id = $1 RETURNING id", {int64_t{1}});
  ASSERT_TRUE(returning.ok()) << returning.error().ToString();
  EXPECT_EQ(returning->rows.at(0).Int(0), 1);
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExistsWithoutEngineText) {
  ASSERT_TRUE(db_->Execute("INSERT INTO item (id, name) VALUES (1, 'a')").ok());
  auto same_key = db_->Execute("INSERT INTO item (id, name) VALUES (1, 'b')");
  ASSERT_FALSE(same_key.ok());
  EXPECT_EQ(same_key.error().code(), ErrorCode::kAlreadyExists);
  auto same_name =
      db_->Execute("INSERT INTO item (id, name) VALUES ($1, $2)", {int64_t{2}, std::string("a")});
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().code(), ErrorCode::kAlreadyExists);
  for (const auto& word : {"INSERT", "item", "constraint", "UNIQUE", "duplicate"}) {
    EXPECT_EQ(same_name.error().message().find(word), std::string::npos) << word;
  }
}

TEST_P(DatabaseTest, BadSqlIsInternalWithGenericPublicMessage) {
  auto result = db_->Execute("SELEKT nonsense FROM nowhere");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(result.error().message().find("SELEKT"), std::string::npos);
  EXPECT_NE(result.error().internal_message().find("SELEKT"), std::string::npos);
}

TEST_P(DatabaseTest, OnConflictAndReturningWork) {
  const std::string upsert =
      "INSERT INTO item (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = "
      "excluded.name RETURNING name";
  ASSERT_TRUE(db_->Execute(upsert, {int64_t{1}, std::string("a")}).ok());
  auto result = db_->Execute(upsert, {int64_t{1}, std::string("b")});
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->rows.at(0).Text(0), "b");
  EXPECT_EQ(CountRows(*db_, "item"), 1);
}

TEST_P(DatabaseTest, TransactCommitsOnOk) {
  Status status = db_->Transact(TxMode::kWrite, [](Session& session) -> Status {
    EXPECT_EQ(session.dialect(), GetParam());
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO item (id) VALUES (1)"));
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO item (id) VALUES (2)"));
    return OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(CountRows(*db_, "item"), 2);
}

TEST_P(DatabaseTest, TransactRollsBackWhenBodyFails) {
  Status status = db_->Transact(TxMode::kWrite, [](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO item (id) VALUES (1)"));
    return NotFound("no such thing");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(status.error().message(), "no such thing");
  EXPECT_EQ(CountRows(*db_, "item"), 0);
}

TEST_P(DatabaseTest, SwallowedStatementErrorStillRollsBack) {
  ASSERT_TRUE(db_->Execute("INSERT INTO item (id) VALUES (1)").ok());
  Status status = db_->Transact(TxMode::kWrite, [](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO item (id) VALUES (2)"));
    EXPECT_FALSE(session.Execute("INSERT INTO item (id) VALUES (1)").ok());
    auto after = session.Execute("INSERT INTO item (id) VALUES (3)");
    EXPECT_FALSE(after.ok());  // the transaction is spoiled on both engines
    return OkStatus();
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(CountRows(*db_, "item"), 1);
}

TEST_P(DatabaseTest, UncommittedWritesAreInvisibleToOthers) {
  Status status = db_->Transact(TxMode::kWrite, [&](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO item (id) VALUES (1)"));
    BROKER_ASSIGN_OR_RETURN(ResultSet inside, session.Execute("SELECT COUNT(*) FROM item"));
    EXPECT_EQ(inside.rows.at(0).Int(0), 1);
    EXPECT_EQ(CountRows(*db_, "item"), 0);  // another connection
    return OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(CountRows(*db_, "item"), 1);
}

TEST_P(DatabaseTest, ReadTransactionSeesOneSnapshot) {
  ASSERT_TRUE(db_->Execute("INSERT INTO item (id) VALUES (1)").ok());
  Status status = db_->Transact(TxMode::kRead, [&](Session& session) -> Status {
    BROKER_ASSIGN_OR_RETURN(ResultSet before, session.Execute("SELECT COUNT(*) FROM item"));
    std::thread writer([&] { EXPECT_TRUE(db_->Execute("INSERT INTO item (id) VALUES (2)").ok()); });
    writer.join();
    BROKER_ASSIGN_OR_RETURN(ResultSet after, session.Execute("SELECT COUNT(*) FROM item"));
    EXPECT_EQ(before.rows.at(0).Int(0), 1);
    EXPECT_EQ(after.rows.at(0).Int(0), 1);
    return OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(CountRows(*db_, "item"), 2);
}

TEST_P(DatabaseTest, WriteInsideReadTransactionFails) {
  Status status = db_->Transact(TxMode::kRead, [](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO item (id) VALUES (1)"));
    return OkStatus();
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(CountRows(*db_, "item"), 0);
}

// Read-then-write counters: every increment must survive, on SQLite through the single
// writer, on PostgreSQL through the row lock that ForUpdate() adds.
TEST_P(DatabaseTest, ConcurrentWriteTransactionsSerialize) {
  ASSERT_TRUE(db_->Execute("INSERT INTO item (id, score) VALUES (1, 0)").ok());
  constexpr int kThreads = 8;
  constexpr int kIncrements = 200;
  const std::string select =
      "SELECT score FROM item WHERE id = 1" + std::string(ForUpdate(db_->dialect()));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Status status = db_->Transact(TxMode::kWrite, [&](Session& session) -> Status {
          BROKER_ASSIGN_OR_RETURN(ResultSet current, session.Execute(select));
          double next = current.rows.at(0).Real(0) + 1;
          BROKER_RETURN_IF_ERROR(
              session.Execute("UPDATE item SET score = $1 WHERE id = 1", {next}));
          return OkStatus();
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto result = db_->Execute("SELECT score FROM item WHERE id = 1");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->rows.at(0).Real(0), kThreads * kIncrements);
}

std::vector<Migration> FirstSteps() {
  return {
      {2, "seed",
       "INSERT INTO widget (name) VALUES ('semi;colon'); INSERT INTO widget VALUES ('b')",
       std::nullopt},
      {1, "create widget", "CREATE TABLE widget (name TEXT PRIMARY KEY)", std::nullopt},
  };
}

TEST_P(DatabaseTest, MigrationsApplyInOrderOnce) {
  ASSERT_TRUE(Migrate(*db_, "widgets", FirstSteps()).ok());
  ASSERT_TRUE(Migrate(*db_, "widgets", FirstSteps()).ok());
  EXPECT_EQ(CountRows(*db_, "widget"), 2);
  auto names = db_->Execute("SELECT name FROM widget ORDER BY name DESC");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->rows.at(0).Text(0), "semi;colon");

  auto recorded = db_->Execute(
      "SELECT version, description, applied_at FROM schema_migrations WHERE component = $1 "
      "ORDER BY version",
      {std::string("widgets")});
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->rows.size(), 2u);
  EXPECT_EQ(recorded->rows[0].Int(0), 1);
  EXPECT_EQ(recorded->rows[1].Text(1), "seed");
  EXPECT_GT(recorded->rows[1].Int(2), 1'700'000'000'000);

  std::vector<Migration> more = FirstSteps();
  more.push_back({3, "add c", "INSERT INTO widget VALUES ('c')", std::nullopt});
  ASSERT_TRUE(Migrate(*db_, "widgets", more).ok());
  EXPECT_EQ(CountRows(*db_, "widget"), 3);
  // Another component has its own version numbers.
  ASSERT_TRUE(Migrate(*db_, "other", {{1, "o", "CREATE TABLE other (x BIGINT)", {}}}).ok());
  EXPECT_EQ(CountRows(*db_, "schema_migrations"), 4);
}

TEST_P(DatabaseTest, MigrationUsesSqliteVariantOnSqlite) {
  Migration step{1, "variant",
                 "CREATE TABLE variant (engine TEXT); "
                 "INSERT INTO variant VALUES ('postgres')",
                 "CREATE TABLE variant (engine TEXT); INSERT INTO variant VALUES ('sqlite')"};
  ASSERT_TRUE(Migrate(*db_, "variant", {step}).ok());
  auto result = db_->Execute("SELECT engine FROM variant");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->rows.at(0).Text(0), GetParam() == Dialect::kSqlite ? "sqlite" : "postgres");
}

TEST_P(DatabaseTest, FailedMigrationStepRollsBackAndStops) {
  std::vector<Migration> steps = FirstSteps();
  steps.push_back({3, "broken", "CREATE TABLE half (x BIGINT); SELEKT 1", std::nullopt});
  steps.push_back({4, "never", "CREATE TABLE never (x BIGINT)", std::nullopt});
  Status status = Migrate(*db_, "widgets", steps);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(CountRows(*db_, "schema_migrations"), 2);
  EXPECT_FALSE(db_->Execute("SELECT * FROM half").ok());
  EXPECT_FALSE(db_->Execute("SELECT * FROM never").ok());
}

TEST_P(DatabaseTest, ConcurrentMigrateAppliesOnce) {
  // Separate Database objects stand in for separate Broker processes.
  std::vector<Migration> steps = {
      {1, "create", "CREATE TABLE runs (n BIGINT)", std::nullopt},
      {2, "count", "INSERT INTO runs VALUES (1)", std::nullopt},
  };
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto db = MustOpen(url_);
      for (int i = 0; i < 3; ++i) {
        if (!Migrate(*db, "runs", steps).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountRows(*db_, "runs"), 1);
}

TEST_P(DatabaseTest, NotifyReachesListeners) {
  Inbox inbox;
  Inbox other;
  ASSERT_TRUE(db_->Listen("graph_changed", inbox.Callback()).ok());
  ASSERT_TRUE(db_->Listen("other_channel", other.Callback()).ok());
  ASSERT_TRUE(db_->Notify("graph_changed", "v1").ok());
  EXPECT_TRUE(inbox.WaitFor("v1"));
  if (GetParam() == Dialect::kPostgres) {
    // Another node sharing the database.
    auto node2 = MustOpen(url_);
    ASSERT_TRUE(node2->Notify("graph_changed", "from node 2").ok());
    EXPECT_TRUE(inbox.WaitFor("from node 2"));
  }
  EXPECT_TRUE(other.payloads().empty());
}

TEST_P(DatabaseTest, NotifyRejectsBadChannelAndPayload) {
  EXPECT_EQ(db_->Notify("Bad-Channel", "x").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(db_->Notify("ok", std::string(8000, 'x')).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(db_->Listen("", [](const std::string&) {}).error().code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, DatabaseTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const ::testing::TestParamInfo<Dialect>& param_info) {
                           return param_info.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
                         });

TEST(OpenTest, RejectsUnknownSchemeWithoutEchoingUrl) {
  auto db = Open("mysql://user:hunter2@host/db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(db.error().ToString().find("hunter2"), std::string::npos);
}

TEST(SqliteTest, DescribeIsThePath) {
  TempDir dir;
  auto db = MustOpen("sqlite:" + dir.File("x.db"));
  EXPECT_EQ(db->Describe(), "sqlite:" + dir.File("x.db"));
}

TEST(SqliteTest, MissingDirectoryIsUnavailable) {
  TempDir dir;
  auto db = Open("sqlite:" + dir.File("no/such/dir/x.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), ErrorCode::kUnavailable);
}

TEST(SqliteTest, UsesWalAndForeignKeys) {
  TempDir dir;
  auto db = MustOpen("sqlite:" + dir.File("x.db"));
  auto mode = db->Execute("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->rows.at(0).Text(0), "wal");
  ASSERT_TRUE(db->Execute("CREATE TABLE parent (id BIGINT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Execute("CREATE TABLE child (parent_id BIGINT REFERENCES parent (id))").ok());
  auto orphan = db->Execute("INSERT INTO child VALUES (1)");
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code(), ErrorCode::kInternal);
}

TEST(SqliteTest, NestedWriteOnSameThreadIsAnErrorNotADeadlock) {
  TempDir dir;
  auto db = MustOpen("sqlite:" + dir.File("x.db"));
  ASSERT_TRUE(db->Execute("CREATE TABLE t (x BIGINT)").ok());
  Status status = db->Transact(TxMode::kWrite, [&](Session&) -> Status {
    Status inner = db->Transact(TxMode::kWrite, [](Session&) { return OkStatus(); });
    EXPECT_EQ(inner.error().code(), ErrorCode::kInternal);
    EXPECT_EQ(db->Execute("INSERT INTO t VALUES (1)").error().code(), ErrorCode::kInternal);
    return OkStatus();
  });
  EXPECT_TRUE(status.ok());
}

TEST(SqliteTest, SeveralStatementsInExecuteAreRejected) {
  TempDir dir;
  auto db = MustOpen("sqlite:" + dir.File("x.db"));
  auto result = db->Execute("CREATE TABLE a (x BIGINT); CREATE TABLE b (x BIGINT)");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kInternal);
}

TEST(PostgresTest, DescribeStripsPassword) {
  EXPECT_EQ(DescribePostgresUrl("postgresql://broker:s3cret@db.example:5433/app?sslmode=require"),
            "postgresql://broker@db.example:5433/app");
  EXPECT_EQ(DescribePostgresUrl("postgres://broker@db.example/app"),
            "postgresql://broker@db.example:5432/app");
}

TEST(PostgresTest, UnreachableServerIsUnavailableWithoutPassword) {
  std::string url = "postgresql://broker:s3cretpw@127.0.0.1:" + std::to_string(UnusedPort()) +
                    "/broker?connect_timeout=2";
  auto db = Open(url);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(db.error().ToString().find("s3cretpw"), std::string::npos) << db.error().ToString();
}

TEST(PostgresTest, DescribeOfOpenDatabaseHasNoPassword) {
  std::string url = PgCluster::Shared().CreateDatabase();
  // The test server trusts loopback logins, so the password is accepted and ignored.
  std::string with_password = "postgresql://postgres:pw123@" + url.substr(url.find('@') + 1);
  auto db = MustOpen(with_password);
  EXPECT_EQ(db->Describe().find("pw123"), std::string::npos);
  EXPECT_NE(db->Describe().find("postgres@127.0.0.1"), std::string::npos) << db->Describe();
}

TEST(PostgresTest, StatementTimeoutIsUnavailable) {
  OpenOptions options;
  options.statement_timeout_ms = 100;
  auto db = MustOpen(PgCluster::Shared().CreateDatabase(), options);
  auto result = db->Execute("SELECT pg_sleep(2)");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(db->Ping().ok());
}

TEST(PostgresTest, LockTimeoutIsUnavailable) {
  OpenOptions options;
  options.busy_timeout_ms = 100;
  auto db = MustOpen(PgCluster::Shared().CreateDatabase(), options);
  ASSERT_TRUE(db->Execute("CREATE TABLE t (id BIGINT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Execute("INSERT INTO t VALUES (1)").ok());
  Status status = db->Transact(TxMode::kWrite, [&](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute("SELECT id FROM t WHERE id = 1 FOR UPDATE"));
    auto blocked = db->Execute("UPDATE t SET id = 2 WHERE id = 1");
    EXPECT_FALSE(blocked.ok());
    EXPECT_EQ(blocked.error().code(), ErrorCode::kUnavailable);
    return OkStatus();
  });
  EXPECT_TRUE(status.ok());
}

TEST(PostgresTest, MigrationStepMayOutlastStatementTimeout) {
  OpenOptions options;
  options.statement_timeout_ms = 100;
  auto db = MustOpen(PgCluster::Shared().CreateDatabase(), options);
  Status status = Migrate(*db, "slow", {{1, "slow step", "SELECT pg_sleep(0.3)", std::nullopt}});
  EXPECT_TRUE(status.ok()) << status.error().ToString();
  // The relaxed limit was local to the migration's transaction.
  auto after = db->Execute("SELECT pg_sleep(0.3)");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code(), ErrorCode::kUnavailable);
}

TEST(PostgresTest, BooleanColumnsReadAsIntegers) {
  auto db = MustOpen(PgCluster::Shared().CreateDatabase());
  auto result = db->Execute("SELECT true, false, 1.5::numeric, $1::bigint", {std::string("42")});
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->rows.at(0).Int(0), 1);
  EXPECT_EQ(result->rows.at(0).Int(1), 0);
  EXPECT_DOUBLE_EQ(result->rows.at(0).Real(2), 1.5);
  EXPECT_EQ(result->rows.at(0).Int(3), 42);
}

TEST(PostgresTest, DeadlockIsRetried) {
  auto db = MustOpen(PgCluster::Shared().CreateDatabase());
  ASSERT_TRUE(db->Execute("CREATE TABLE t (id BIGINT PRIMARY KEY, n BIGINT)").ok());
  ASSERT_TRUE(db->Execute("INSERT INTO t VALUES (1, 0), (2, 0)").ok());
  // Two transactions lock the rows in opposite orders; PostgreSQL kills one with 40P01 and
  // Transact runs it again, so both increments land. On the first attempt each waits until
  // both hold their first row, so the deadlock happens whatever the scheduling.
  std::atomic<int> attempts{0};
  std::atomic<int> holding_first{0};
  auto lock_both = [&](int64_t first, int64_t second) {
    bool first_attempt = true;
    return db->Transact(TxMode::kWrite, [&, first, second](Session& session) -> Status {
      ++attempts;
      BROKER_RETURN_IF_ERROR(session.Execute("UPDATE t SET n = n + 1 WHERE id = $1", {first}));
      if (first_attempt) {
        first_attempt = false;
        ++holding_first;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (holding_first < 2 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
      BROKER_RETURN_IF_ERROR(session.Execute("UPDATE t SET n = n + 1 WHERE id = $1", {second}));
      return OkStatus();
    });
  };
  Status a;
  Status b;
  std::thread ta([&] { a = lock_both(1, 2); });
  std::thread tb([&] { b = lock_both(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok() && b.ok());
  EXPECT_GE(attempts.load(), 3);
  auto sum = db->Execute("SELECT SUM(n) FROM t");
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->rows.at(0).Int(0), 4);
}

TEST(PostgresTest, PoolSurvivesServerRestart) {
  PgCluster& cluster = PgCluster::Shared();
  if (!cluster.owns_server()) GTEST_SKIP() << "external server: cannot restart it";
  std::string url = cluster.CreateDatabase();
  auto db = MustOpen(url);
  Inbox inbox;
  ASSERT_TRUE(db->Listen("restart_test", inbox.Callback()).ok());
  ASSERT_TRUE(db->Execute("CREATE TABLE t (x BIGINT)").ok());
  // Fill the pool with idle connections that the restart will break.
  std::vector<std::thread> warm;
  warm.reserve(4);
  for (int i = 0; i < 4; ++i) warm.emplace_back([&] { EXPECT_TRUE(db->Ping().ok()); });
  for (auto& thread : warm) thread.join();

  cluster.Restart();

  auto inserted = db->Execute("INSERT INTO t VALUES (1)");
  EXPECT_TRUE(inserted.ok()) << inserted.error().ToString();
  Status tx = db->Transact(TxMode::kWrite, [](Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute("INSERT INTO t VALUES (2)"));
    return OkStatus();
  });
  EXPECT_TRUE(tx.ok()) << tx.error().ToString();
  EXPECT_EQ(CountRows(*db, "t"), 2);
  // The listener reconnects, reports the gap with an empty payload, and hears new events.
  EXPECT_TRUE(inbox.WaitFor(""));
  ASSERT_TRUE(db->Notify("restart_test", "after").ok());
  EXPECT_TRUE(inbox.WaitFor("after"));
}

TEST(PostgresTest, DownServerIsUnavailableThenRecovers) {
  PgCluster& cluster = PgCluster::Shared();
  if (!cluster.owns_server()) GTEST_SKIP() << "external server: cannot stop it";
  auto db = MustOpen(cluster.CreateDatabase());
  ASSERT_TRUE(db->Ping().ok());
  cluster.Stop();
  Status down = db->Ping();
  auto query = db->Execute("SELECT 1");
  cluster.Start();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code(), ErrorCode::kUnavailable);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(db->Ping().ok());
}

}  // namespace
}  // namespace broker::store
