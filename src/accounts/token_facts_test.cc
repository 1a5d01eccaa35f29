// The exact caches on the bearer path: TokenFactsReader (registry row and rules; SQLite cached
// and invalidated by any commit, PostgreSQL one statement per check) and VerifiedTokens.

#include "accounts/token_facts.h"

#include <gtest/gtest.h>

#include "accounts/test_env.h"
#include "accounts/verified_tokens.h"

namespace broker::accounts {
namespace {

using testing::Engine;
using testing::Env;
using testing::kStart;

const audit::Operator kAdmin{"u-admin", "Ada", "ada@example.com"};

jwt::Claims ClaimsOf(const std::string& token) {
  Json p = jwt::DecodeUnverified(token)->payload;
  return {p["client_id"], p["exp"], p["iat"], p["nbf"], p["jti"], p["sub"]};
}

void ExpectBlocked(const Result<api::AccountPrincipal>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(result.error().label(), "Block list has match");
}

class TokenFactsTest : public ::testing::TestWithParam<Engine> {
 protected:
  Env env{GetParam()};
};

TEST_P(TokenFactsTest, RevokeIsRefusedOnTheNextCheck) {
  const std::string token = env.Generate(env.account_a);
  ASSERT_TRUE(env.Authenticate(token).ok());
  ASSERT_TRUE(env.Authenticate(token).ok());  // now served from the caches on SQLite
  ASSERT_TRUE(env.registry->RevokeOne(env.manager, env.account_a.id, ClaimsOf(token).jti, {}).ok());
  ExpectBlocked(env.Authenticate(token));
}

TEST_P(TokenFactsTest, RevokeAllAndSupersedeAreSeenAtOnce) {
  const std::string first = env.Generate(env.account_a);
  const std::string second = env.Generate(env.account_a);
  ASSERT_TRUE(env.Authenticate(first).ok());  // in grace
  ASSERT_TRUE(env.Authenticate(second).ok());
  env.Generate(env.account_a);  // blocks `first` (at most two)
  ExpectBlocked(env.Authenticate(first));
  ASSERT_TRUE(env.Authenticate(second).ok());
  ASSERT_TRUE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
  ExpectBlocked(env.Authenticate(second));
}

TEST_P(TokenFactsTest, BlockRuleIsRefusedOnTheNextCheckAndRemovalReadmits) {
  const std::string token = env.Generate(env.account_a);
  ASSERT_TRUE(env.Authenticate(token).ok());
  ASSERT_TRUE(env.Authenticate(token).ok());
  AccessRule block;
  block.list = RuleList::kBlock;
  block.jti = ClaimsOf(token).jti;
  auto added = env.rules->Add(block, kAdmin);
  ASSERT_TRUE(added.ok());
  ExpectBlocked(env.Authenticate(token));
  ASSERT_TRUE(env.rules->Remove(added->id, kAdmin).ok());
  EXPECT_TRUE(env.Authenticate(token).ok());
  ASSERT_TRUE(env.rules->Remove("default-allow", kAdmin).ok());
  auto refused = env.Authenticate(token);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().label(), "Allow list has no match");
}

// A write that does not go through this process's registry or rules (another node, or the CLI
// on the same SQLite file) is seen by the next check too.
TEST_P(TokenFactsTest, WriteByAnotherConnectionIsRefusedOnTheNextCheck) {
  const std::string token = env.Generate(env.account_a);
  ASSERT_TRUE(env.Authenticate(token).ok());
  ASSERT_TRUE(env.Authenticate(token).ok());
  std::unique_ptr<store::Database> other;
  if (GetParam() == Engine::kSqlite) {
    other = store::Open("sqlite:" + env.dir.File("broker.db")).value();
  }
  store::Database& writer = other ? *other : *env.db;
  ASSERT_TRUE(writer
                  .Execute("UPDATE token_registry SET state = 'blocked', blocked_reason = "
                           "'revoked' WHERE jti = $1",
                           {ClaimsOf(token).jti})
                  .ok());
  ExpectBlocked(env.Authenticate(token));
}

TEST_P(TokenFactsTest, SqliteCachesAndPostgresReadsOnceEveryTime) {
  const std::string token = env.Generate(env.account_a);
  const jwt::Claims claims = ClaimsOf(token);
  TokenFactsReader reader(*env.db);
  for (int i = 0; i < 3; ++i) {
    auto facts = reader.Read(claims);
    ASSERT_TRUE(facts.ok()) << facts.error().ToString();
    ASSERT_TRUE(facts->row.has_value());
    EXPECT_EQ(facts->row->jti, claims.jti);
    EXPECT_EQ(facts->row->client_id, env.account_a.client_id);
    EXPECT_TRUE(facts->rules.ok());
  }
  if (GetParam() == Engine::kSqlite) {
    EXPECT_EQ(reader.database_reads(), 2u);  // the row and the rule list, once
  } else {
    EXPECT_EQ(reader.database_reads(), 3u);  // one statement per check, never cached
  }
  jwt::Claims unknown = claims;
  unknown.jti = "00000000-0000-4000-8000-000000000000";
  auto missing = reader.Read(unknown);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->row.has_value());
}

INSTANTIATE_TEST_SUITE_P(Engines, TokenFactsTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName());

TEST(VerifiedTokensTest, RepeatsOnlyTheTimeChecksAndNeverRemembersFailures) {
  Env env(Engine::kSqlite);
  const std::string token = env.Generate(env.account_a);
  const jwt::Claims claims = ClaimsOf(token);
  VerifiedTokens verified(*env.keys, jwt::VerifyOptions{});
  jwt::Claims out;
  ASSERT_FALSE(verified.Verify(token, kStart, &out).has_value());
  EXPECT_EQ(out.jti, claims.jti);
  EXPECT_EQ(verified.size(), 1u);
  out = {};
  ASSERT_FALSE(verified.Verify(token, kStart + 10, &out).has_value());
  EXPECT_EQ(out.sub, claims.sub);
  // exp + leeway (30 s) is refused exactly, from the cache as from the verifier.
  auto late = verified.Verify(token, claims.exp + 30, &out);
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->reason, jwt::Rejection::kExpired);
  EXPECT_FALSE(verified.Verify(token, claims.exp + 29, &out).has_value());
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(verified.Verify(tampered, kStart, &out).has_value());
  EXPECT_EQ(verified.size(), 1u);
}

}  // namespace
}  // namespace broker::accounts
