#include "users/credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "users/sessions.h"
#include "users/test_db.h"

namespace broker::users {
namespace {

using ::broker::users::testing::DialectName;
using ::broker::users::testing::FastPolicy;
using ::broker::users::testing::OpenMigrated;

constexpr UnixSeconds kStart = 1'800'000'000;

SecretString Pw(std::string text) { return SecretString(std::move(text)); }

TEST(PasswordHasherTest, DefaultPolicyIsArgon2idWithAtLeast19MiBAndTwoPasses) {
  PasswordHasher hasher;
  auto hash = hasher.Hash(Pw("correct horse battery"));
  ASSERT_TRUE(hash.ok()) << hash.error().ToString();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(hasher.Verify(*hash, Pw("correct horse battery")));
  EXPECT_FALSE(hasher.Verify(*hash, Pw("correct horse batterY")));
  EXPECT_FALSE(hasher.Verify("not a hash", Pw("correct horse battery")));
}

TEST(PasswordHasherTest, SaltsDifferAndShortPasswordsAreRefused) {
  PasswordHasher hasher(FastPolicy());
  auto first = hasher.Hash(Pw("password-one"));
  auto second = hasher.Hash(Pw("password-one"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  auto shortie = hasher.Hash(Pw("short"));
  ASSERT_FALSE(shortie.ok());
  EXPECT_EQ(shortie.error().code(), ErrorCode::kInvalidArgument);
}

class CredentialStoreTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    db_ = OpenMigrated(GetParam(), dir_);
    credentials_ = std::make_unique<CredentialStore>(*db_, clock_, hasher_);
  }

  VerifyOutcome MustVerify(std::string_view user, std::string_view password) {
    auto outcome = credentials_->Verify(user, Pw(std::string(password)));
    EXPECT_TRUE(outcome.ok()) << outcome.error().ToString();
    return outcome.ok() ? *outcome : VerifyOutcome{};
  }
  int64_t Failures(std::string_view user) { return credentials_->FailureCount(user).value_or(-1); }

  broker::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{kStart};
  PasswordHasher hasher_{FastPolicy()};
  std::unique_ptr<CredentialStore> credentials_;
};

TEST_P(CredentialStoreTest, CorrectPasswordSucceedsWithAdminFlag) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  ASSERT_TRUE(credentials_->SetAdmin("alice", true).ok());
  VerifyOutcome outcome = MustVerify("alice", "alice-password");
  EXPECT_EQ(outcome.verdict, LoginVerdict::kOk);
  EXPECT_TRUE(outcome.admin);
  EXPECT_TRUE(credentials_->IsAdmin("alice").value_or(false));
  EXPECT_FALSE(credentials_->IsAdmin("nobody").value_or(true));
}

TEST_P(CredentialStoreTest, UnknownUserAndWrongPasswordGiveTheSameOutcome) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  ASSERT_TRUE(credentials_->SetAdmin("mallory", true).ok());  // row without a password
  for (const char* user : {"alice", "nobody", "mallory"}) {
    VerifyOutcome outcome = MustVerify(user, "wrong-password");
    EXPECT_EQ(outcome.verdict, LoginVerdict::kInvalid) << user;
    EXPECT_FALSE(outcome.admin) << user;
    EXPECT_EQ(outcome.retry_after_seconds, 0) << user;
  }
  EXPECT_EQ(Failures("nobody"), 0);
}

TEST_P(CredentialStoreTest, LocksAfterExactlyFiveFailuresAndRefusesTheCorrectPassword) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(MustVerify("alice", "wrong").verdict, LoginVerdict::kInvalid);
    EXPECT_EQ(Failures("alice"), i);
  }
  // A success before the fifth failure resets the counter.
  EXPECT_EQ(MustVerify("alice", "alice-password").verdict, LoginVerdict::kOk);
  EXPECT_EQ(Failures("alice"), 0);
  for (int i = 1; i <= 5; ++i)
    EXPECT_EQ(MustVerify("alice", "wrong").verdict, LoginVerdict::kInvalid);
  EXPECT_EQ(Failures("alice"), 5);
  // Locked now: even the right password is refused, and the refusal counts (6 -> 2 minutes).
  VerifyOutcome locked = MustVerify("alice", "alice-password");
  EXPECT_EQ(locked.verdict, LoginVerdict::kLocked);
  EXPECT_EQ(locked.retry_after_seconds, 120);
  EXPECT_EQ(Failures("alice"), 6);
  clock_.AdvanceSeconds(119);
  EXPECT_EQ(MustVerify("alice", "alice-password").verdict, LoginVerdict::kLocked);
  EXPECT_EQ(Failures("alice"), 7);  // 4 minutes from now
  clock_.AdvanceSeconds(239);
  EXPECT_EQ(MustVerify("alice", "alice-password").verdict, LoginVerdict::kLocked);
  clock_.AdvanceSeconds(480);  // the eighth failure locked for 8 minutes
  EXPECT_EQ(MustVerify("alice", "alice-password").verdict, LoginVerdict::kOk);
  EXPECT_EQ(Failures("alice"), 0);
}

TEST_P(CredentialStoreTest, LockDoublesFromOneMinuteAndStopsAtFifteen) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  for (int i = 0; i < 5; ++i) MustVerify("alice", "wrong");
  std::vector<int64_t> waits;
  waits.reserve(6);
  for (int i = 0; i < 6; ++i) waits.push_back(MustVerify("alice", "wrong").retry_after_seconds);
  EXPECT_EQ(waits, (std::vector<int64_t>{120, 240, 480, 900, 900, 900}));
  clock_.AdvanceSeconds(60);
  EXPECT_EQ(MustVerify("alice", "alice-password").retry_after_seconds, 900);
}

TEST_P(CredentialStoreTest, FirstLockLastsExactlyOneMinute) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  for (int i = 0; i < 5; ++i) MustVerify("alice", "wrong");
  clock_.AdvanceSeconds(60);
  EXPECT_EQ(MustVerify("alice", "alice-password").verdict, LoginVerdict::kOk);
}

TEST_P(CredentialStoreTest, CounterRestartsAfterAQuietWindow) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  for (int i = 0; i < 4; ++i) MustVerify("alice", "wrong");
  clock_.AdvanceSeconds(15 * 60 + 1);
  MustVerify("alice", "wrong");
  EXPECT_EQ(Failures("alice"), 1);
}

TEST_P(CredentialStoreTest, FiftyConcurrentWrongAttemptsAreCountedExactly) {
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  std::atomic<int> errors = 0;
  std::atomic<int> ok = 0;
  constexpr int kAttempts = 50;
  std::vector<std::thread> threads;
  threads.reserve(kAttempts);
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&] {
      auto outcome = credentials_->Verify("alice", Pw("wrong-password"));
      if (!outcome.ok()) ++errors;
      if (outcome.ok() && outcome->verdict == LoginVerdict::kOk) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(ok.load(), 0);
  EXPECT_EQ(Failures("alice"), 50);
  EXPECT_EQ(MustVerify("alice", "alice-password").verdict, LoginVerdict::kLocked);
}

TEST_P(CredentialStoreTest, PrivilegeAndPasswordChangesEndSessions) {
  OsRandom& random = OsRandom::Instance();
  SessionStore sessions(*db_, clock_, random);
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("alice-password")).ok());
  auto first = sessions.Create({"u1", "alice", false});
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(credentials_->SetAdmin("alice", true).ok());
  EXPECT_EQ(sessions.Resolve(first->id).error().code(), ErrorCode::kUnauthenticated);
  auto second = sessions.Create({"u1", "alice", true});
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(credentials_->SetPassword("alice", Pw("new-password!")).ok());
  EXPECT_EQ(sessions.Resolve(second->id).error().code(), ErrorCode::kUnauthenticated);
}

TEST_P(CredentialStoreTest, AddLocalUserCreatesProfileAndCredentials) {
  InMemoryUserDirectory directory;
  NewLocalUser user{"bob", "bob@example.com", "Bob Li", true, Pw("bob-password")};
  auto profile = AddLocalUser(directory, *credentials_, user);
  ASSERT_TRUE(profile.ok()) << profile.error().ToString();
  EXPECT_FALSE(profile->user_id.empty());
  EXPECT_EQ(directory.FindByUsername("bob")->email, "bob@example.com");
  VerifyOutcome outcome = MustVerify("bob", "bob-password");
  EXPECT_EQ(outcome.verdict, LoginVerdict::kOk);
  EXPECT_TRUE(outcome.admin);
  NewLocalUser nameless{"", "", "", false, std::nullopt};
  EXPECT_EQ(AddLocalUser(directory, *credentials_, nameless).error().code(),
            ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, CredentialStoreTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace broker::users
