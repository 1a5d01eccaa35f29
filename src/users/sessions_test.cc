#include "users/sessions.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "users/test_db.h"

namespace broker::users {
namespace {

using ::broker::users::testing::DialectName;
using ::broker::users::testing::OpenMigrated;

constexpr UnixSeconds kStart = 1'800'000'000;

class SessionStoreTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    db_ = OpenMigrated(GetParam(), dir_);
    sessions_ = std::make_unique<SessionStore>(*db_, clock_, random_);
  }

  NewSession MustCreate(const SessionSubject& subject = {"u1", "alice", false}) {
    auto session = sessions_->Create(subject);
    if (!session.ok()) throw std::runtime_error(session.error().ToString());
    return std::move(session).value();
  }
  bool Live(const NewSession& session) { return sessions_->Resolve(session.id).ok(); }
  int64_t StoredLastSeen() {
    auto rows = db_->Execute("SELECT last_seen_at FROM user_sessions");
    return rows.ok() && !rows->empty() ? rows->rows[0].Int(0) : -1;
  }

  broker::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{kStart};
  OsRandom random_;
  std::unique_ptr<SessionStore> sessions_;
};

TEST_P(SessionStoreTest, IdIs256BitsAndStoredOnlyAsItsHash) {
  NewSession session = MustCreate();
  auto raw = Base64UrlDecode(session.id.RevealForUse());
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_EQ(session.csrf_token.size(), 64u);
  auto rows = db_->Execute("SELECT * FROM user_sessions");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0].Text(0), Sha256Hex(session.id.RevealForUse()));
  // Neither the id nor the CSRF token is in any column.
  for (size_t i = 0; i < rows->rows[0].size(); ++i) {
    if (rows->rows[0].IsNull(i)) continue;
    std::string cell = rows->rows[0].Text(i);
    EXPECT_EQ(cell.find(session.id.RevealForUse()), std::string::npos) << i;
    EXPECT_EQ(cell.find(session.csrf_token), std::string::npos) << i;
  }
  EXPECT_NE(MustCreate().csrf_token, session.csrf_token);
  auto record = sessions_->Resolve(session.id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->subject.username, "alice");
  EXPECT_EQ(record->subject.user_id, "u1");
  EXPECT_EQ(record->csrf_token, session.csrf_token);
}

TEST_P(SessionStoreTest, UnknownAndEmptyIdsAreUnauthenticated) {
  MustCreate();
  EXPECT_EQ(sessions_->Resolve(SecretString("nope")).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(sessions_->Resolve(SecretString()).error().code(), ErrorCode::kUnauthenticated);
}

TEST_P(SessionStoreTest, IdleExpiryToTheSecond) {
  NewSession session = MustCreate();
  clock_.AdvanceSeconds(899);
  EXPECT_TRUE(Live(session));  // touches last_seen at +899
  clock_.AdvanceSeconds(899);
  EXPECT_TRUE(Live(session));
  clock_.AdvanceSeconds(900);
  EXPECT_FALSE(Live(session));
  clock_.SetSeconds(kStart);  // the expired row was deleted, not just refused
  EXPECT_FALSE(Live(session));
}

TEST_P(SessionStoreTest, IdleExpiryAtExactlyFifteenMinutes) {
  NewSession session = MustCreate();
  clock_.AdvanceSeconds(900);
  EXPECT_FALSE(Live(session));
}

TEST_P(SessionStoreTest, LastSeenIsWrittenAtMostOncePerMinute) {
  NewSession session = MustCreate();
  clock_.AdvanceSeconds(59);
  EXPECT_TRUE(Live(session));
  EXPECT_EQ(StoredLastSeen(), kStart * 1000);
  clock_.AdvanceSeconds(1);
  EXPECT_TRUE(Live(session));
  EXPECT_EQ(StoredLastSeen(), (kStart + 60) * 1000);
  clock_.AdvanceSeconds(30);
  EXPECT_TRUE(Live(session));
  EXPECT_EQ(StoredLastSeen(), (kStart + 60) * 1000);
  // Idle time counts from the last write: +60 + 900.
  clock_.SetSeconds(kStart + 959);
  EXPECT_TRUE(Live(session));
  clock_.SetSeconds(kStart + 959 + 900);
  EXPECT_FALSE(Live(session));
}

TEST_P(SessionStoreTest, AbsoluteExpiryAfterEightHoursEvenWhenActive) {
  NewSession session = MustCreate();
  constexpr int64_t kEightHours = int64_t{8} * 3600;
  for (int64_t t = 600; t < kEightHours; t += 600) {
    clock_.SetSeconds(kStart + t);
    ASSERT_TRUE(Live(session)) << t;
  }
  clock_.SetSeconds(kStart + kEightHours - 1);
  EXPECT_TRUE(Live(session));
  clock_.SetSeconds(kStart + kEightHours);
  EXPECT_FALSE(Live(session));
}

TEST_P(SessionStoreTest, DeleteAndDeleteForUserEndSessions) {
  NewSession a = MustCreate({"u1", "alice", false});
  NewSession b = MustCreate({"u1", "alice", false});
  NewSession c = MustCreate({"u2", "bob", false});
  ASSERT_TRUE(sessions_->Delete(a.id).ok());
  EXPECT_FALSE(Live(a));
  EXPECT_TRUE(Live(b));
  ASSERT_TRUE(sessions_->DeleteForUser("alice").ok());
  EXPECT_FALSE(Live(b));
  EXPECT_TRUE(Live(c));
}

TEST_P(SessionStoreTest, PurgeExpiredRemovesOnlyExpiredRows) {
  NewSession old_session = MustCreate();
  clock_.AdvanceSeconds(600);
  NewSession fresh = MustCreate();
  clock_.AdvanceSeconds(300);
  auto purged = sessions_->PurgeExpired();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_TRUE(Live(fresh));
}

INSTANTIATE_TEST_SUITE_P(Engines, SessionStoreTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace broker::users
