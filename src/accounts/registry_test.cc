// Token registry rules (PRODUCT "Account tokens: the rules", SECURITY T-STATE), to the second,
// on SQLite and PostgreSQL.

#include "accounts/registry.h"

#include <gtest/gtest.h>

#include "accounts/test_env.h"
#include "core/encoding.h"
#include "core/ids.h"

namespace broker::accounts {
namespace {

using testing::Engine;
using testing::Env;
using testing::kStart;

class RegistryTest : public ::testing::TestWithParam<Engine> {
 protected:
  Env env{GetParam()};

  ErrorCode CodeOf(const std::string& token) {
    auto result = env.Authenticate(token);
    return result.ok() ? static_cast<ErrorCode>(-1) : result.error().code();
  }
  bool Accepted(const std::string& token) { return env.Authenticate(token).ok(); }
  std::string JtiOf(const std::string& token) {
    return jwt::DecodeUnverified(token)->payload["jti"].get<std::string>();
  }
};

TEST_P(RegistryTest, GenerateIssuesExactlyTheSixClaims) {
  std::string token = env.Generate(env.account_a);
  auto decoded = jwt::DecodeUnverified(token);
  ASSERT_TRUE(decoded.has_value());
  const Json& p = decoded->payload;
  EXPECT_EQ(p.size(), 6u);
  EXPECT_EQ(p["client_id"], env.account_a.client_id);
  EXPECT_EQ(p["sub"], env.account_a.email);
  EXPECT_EQ(p["iat"], kStart);
  EXPECT_EQ(p["nbf"], kStart);
  EXPECT_EQ(p["exp"], kStart + 7776000);
  const std::string jti = p["jti"];
  EXPECT_TRUE(IsUuid(jti));
  EXPECT_EQ(jti[14], '4');
  EXPECT_EQ(decoded->header["typ"], "JWT");
  auto row = env.registry->Find(jti);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->account_id, env.account_a.id);
  EXPECT_EQ((*row)->created_by_user_id, env.manager.user_id);
  EXPECT_EQ(StateAt(**row, kStart), TokenState::kActive);
  EXPECT_TRUE(Accepted(token));
}

TEST_P(RegistryTest, LifetimeMustBeOneHourToOneYear) {
  for (int64_t bad : {int64_t{0}, int64_t{3599}, int64_t{31536001}, int64_t{-3600}}) {
    auto issued = env.registry->Generate(env.manager, env.account_a.id, bad, {}, {});
    ASSERT_FALSE(issued.ok()) << bad;
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(issued.error().message().find("31536000"), std::string::npos);
  }
  EXPECT_TRUE(env.registry->Generate(env.manager, env.account_a.id, 3600, {}, {}).ok());
  EXPECT_TRUE(env.registry->Generate(env.manager, env.account_a.id, 31536000, {}, {}).ok());
}

TEST_P(RegistryTest, OnlyManagersGenerate) {
  auto denied = env.registry->Generate(env.outsider, env.account_a.id, 3600, {}, {});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message().find("lead-developer or full-access"), std::string::npos);
  auto missing = env.registry->Generate(env.manager, "cccccccccccccccccccccccc", 3600, {}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(env.registry->Generate(env.admin, env.account_a.id, 3600, {}, {}).ok());
  EXPECT_EQ(env.ActiveRowCount(env.account_a.id), 1);
}

TEST_P(RegistryTest, ExpiredExactlyAtExp) {
  auto issued = env.registry->Generate(env.manager, env.account_a.id, 3600, {}, {});
  ASSERT_TRUE(issued.ok());
  const std::string token = issued->token.RevealForUse();
  env.clock.SetSeconds(kStart + 3599);
  EXPECT_TRUE(Accepted(token));
  env.clock.SetSeconds(kStart + 3600);
  EXPECT_EQ(CodeOf(token), ErrorCode::kUnauthenticated);
}

TEST_P(RegistryTest, GraceEndsExactlyOneHourAfterTheNewToken) {
  const std::string first = env.Generate(env.account_a);
  env.clock.AdvanceSeconds(100);
  const std::string second = env.Generate(env.account_a);
  auto row = env.registry->Find(JtiOf(first));
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->grace_until, kStart + 100 + 3600);
  env.clock.SetSeconds(kStart + 100 + 3599);
  EXPECT_EQ(StateAt(**row, env.clock.NowSeconds()), TokenState::kGrace);
  EXPECT_TRUE(Accepted(first));
  env.clock.SetSeconds(kStart + 100 + 3600);
  auto refused = env.Authenticate(first);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().label(), "Block list has match");
  EXPECT_TRUE(Accepted(second));
}

TEST_P(RegistryTest, ConfigurableGrace) {
  Env short_grace(GetParam(), 60);
  const std::string first = short_grace.Generate(short_grace.account_a);
  short_grace.Generate(short_grace.account_a);
  short_grace.clock.AdvanceSeconds(59);
  EXPECT_TRUE(short_grace.Authenticate(first).ok());
  short_grace.clock.AdvanceSeconds(1);
  EXPECT_FALSE(short_grace.Authenticate(first).ok());
}

TEST_P(RegistryTest, ThirdNewestIsBlockedAtOnce) {
  const std::string first = env.Generate(env.account_a);
  env.clock.AdvanceSeconds(10);
  const std::string second = env.Generate(env.account_a);
  env.clock.AdvanceSeconds(10);
  const std::string third = env.Generate(env.account_a);
  EXPECT_EQ(CodeOf(first), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(Accepted(second));
  EXPECT_TRUE(Accepted(third));
  EXPECT_EQ(env.ActiveRowCount(env.account_a.id), 2);
  auto rows = env.registry->List(env.account_a.id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].jti, JtiOf(third));
  EXPECT_EQ((*rows)[2].blocked_reason, "superseded");
}

TEST_P(RegistryTest, DatabaseRefusesAThirdActiveRow) {
  env.Generate(env.account_a);
  env.Generate(env.account_a);
  auto forced = env.db->Execute(
      "INSERT INTO token_registry (jti, account_id, client_id, sub, exp, iat, created_at, "
      "created_by_user_id, created_by_name, state, slot, generation) VALUES ('x', $1, 'c', 's', "
      "1, 1, 1, 'u', 'n', 'active', 0, 99)",
      {env.account_a.id});
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.error().code(), ErrorCode::kAlreadyExists);
}

TEST_P(RegistryTest, RevokeAllBlocksGraceTokensToo) {
  const std::string first = env.Generate(env.account_a);
  const std::string second = env.Generate(env.account_a);
  const std::string other = env.Generate(env.account_b);
  ASSERT_TRUE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
  EXPECT_EQ(CodeOf(first), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(second), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(Accepted(other));
  EXPECT_EQ(env.ActiveRowCount(env.account_a.id), 0);
  const std::string fresh = env.Generate(env.account_a);
  EXPECT_TRUE(Accepted(fresh));
  EXPECT_EQ(env.registry->RevokeAll(env.outsider, env.account_a.id, {}).error().code(),
            ErrorCode::kPermissionDenied);
}

TEST_P(RegistryTest, RevokeOneByJti) {
  const std::string first = env.Generate(env.account_a);
  const std::string second = env.Generate(env.account_a);
  ASSERT_TRUE(env.registry->RevokeOne(env.manager, env.account_a.id, JtiOf(first), {}).ok());
  EXPECT_EQ(CodeOf(first), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(Accepted(second));
  // Idempotent, and scoped to the account.
  EXPECT_TRUE(env.registry->RevokeOne(env.manager, env.account_a.id, JtiOf(first), {}).ok());
  EXPECT_EQ(
      env.registry->RevokeOne(env.manager, env.account_b.id, JtiOf(second), {}).error().code(),
      ErrorCode::kNotFound);
  EXPECT_TRUE(Accepted(second));
}

TEST_P(RegistryTest, RenewalIsACompareAndSwap) {
  const std::string first = env.Generate(env.account_a);
  auto caller = env.Authenticate(first);
  ASSERT_TRUE(caller.ok());
  auto renewed = env.registry->Renew(*caller, kDefaultRenewalSeconds, {});
  ASSERT_TRUE(renewed.ok()) << renewed.error().ToString();
  EXPECT_EQ(renewed->claims.exp - renewed->claims.iat, 864000);
  // The old token is in grace: it still authenticates, but may not renew again.
  auto again = env.Authenticate(first);
  ASSERT_TRUE(again.ok());
  auto refused = env.registry->Renew(*again, kDefaultRenewalSeconds, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kAborted);
  auto newest = env.Authenticate(renewed->token.RevealForUse());
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(env.registry->Renew(*newest, 3599, {}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(env.registry->Renew(*newest, 3600, {}).ok());
  EXPECT_EQ(CodeOf(first), ErrorCode::kPermissionDenied);
}

TEST_P(RegistryTest, RenewalWithARevokedTokenIsRefused) {
  const std::string first = env.Generate(env.account_a);
  auto caller = env.Authenticate(first);
  ASSERT_TRUE(caller.ok());
  ASSERT_TRUE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
  auto refused = env.registry->Renew(*caller, kDefaultRenewalSeconds, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
}

TEST_P(RegistryTest, CleanupDeletesRowsExpiredForADay) {
  auto issued = env.registry->Generate(env.manager, env.account_a.id, 3600, {}, {});
  ASSERT_TRUE(issued.ok());
  auto none = env.registry->CleanupExpired(kStart + 3600 + 86400);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto one = env.registry->CleanupExpired(kStart + 3600 + 86401);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1);
  EXPECT_FALSE(env.registry->Find(issued->claims.jti)->has_value());
}

TEST_P(RegistryTest, ChangeListenerHearsEveryChangeAfterCommit) {
  std::vector<std::string> heard;
  env.registry->SetChangeListener(
      [&](const std::string& client_id) { heard.push_back(client_id); });
  env.Generate(env.account_a);
  ASSERT_TRUE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
  EXPECT_EQ(heard, (std::vector<std::string>{env.account_a.client_id, env.account_a.client_id}));
}

TEST_P(RegistryTest, PreCommitHookFailureRollsBackTheGeneration) {
  env.registry->SetPreCommitHook(
      [](store::Session&, const IssuedToken&) -> Status { return Unavailable("outbox full"); });
  auto issued = env.registry->Generate(env.manager, env.account_a.id, 3600, {}, {});
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(env.registry->List(env.account_a.id)->empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, RegistryTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName());

}  // namespace
}  // namespace broker::accounts
