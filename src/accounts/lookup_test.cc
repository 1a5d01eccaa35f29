// Look-up by client_id or pasted token (PRODUCT rule 10).

#include "accounts/lookup.h"

#include <gtest/gtest.h>

#include "accounts/test_env.h"

namespace broker::accounts {
namespace {

using testing::Engine;
using testing::Env;
using testing::kStart;

class LookupTest : public ::testing::Test {
 protected:
  Env env{Engine::kSqlite};

  Result<LookupResult> Find(const std::string& query) {
    return env.lookup->Lookup(SecretString(query));
  }
};

TEST_F(LookupTest, ByClientIdReportsTheNewestToken) {
  auto none = Find(env.account_a.client_id);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->account.id, env.account_a.id);
  EXPECT_FALSE(none->jti.has_value());
  env.Generate(env.account_a);
  const std::string newest = env.Generate(env.account_a);
  auto found = Find("  " + env.account_a.client_id + "\n");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->from_token);
  EXPECT_EQ(found->jti, jwt::DecodeUnverified(newest)->payload["jti"]);
  EXPECT_EQ(found->state, "active");
  EXPECT_EQ(found->exp, kStart + 7776000);
  EXPECT_EQ(Find("33333333-3333-4333-8333-333333333333").error().code(), ErrorCode::kNotFound);
}

TEST_F(LookupTest, ByTokenReportsThatTokensState) {
  const std::string first = env.Generate(env.account_a);
  env.clock.AdvanceSeconds(5);
  env.Generate(env.account_a);
  auto found = Find(first);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->from_token);
  EXPECT_EQ(found->account.name, "alpha");
  EXPECT_EQ(found->state, "grace");
  EXPECT_EQ(found->grace_until, kStart + 5 + 3600);
  EXPECT_EQ(found->signature_valid, true);
  Json json = LookupJson(*found);
  EXPECT_EQ(json["account"]["clientId"], env.account_a.client_id);
  EXPECT_EQ(json["state"], "grace");
  EXPECT_FALSE(json.dump().find(first) != std::string::npos);
  env.clock.AdvanceSeconds(3600);
  EXPECT_EQ(Find(first)->state, "blocked");
  env.clock.SetSeconds(kStart + 7776000);
  EXPECT_EQ(Find(first)->state, "blocked");
}

TEST_F(LookupTest, ForeignOrTamperedTokens) {
  std::string token = env.Generate(env.account_a);
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  auto found = Find(tampered);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->signature_valid, false);
  jwt::Claims unknown{env.account_b.client_id,
                      kStart + 3600,
                      kStart,
                      kStart,
                      "44444444-4444-4444-8444-444444444444",
                      env.account_b.email};
  auto unregistered = Find(env.keys->Sign(unknown).value().RevealForUse());
  ASSERT_TRUE(unregistered.ok());
  EXPECT_EQ(unregistered->state, "unknown");
  EXPECT_EQ(unregistered->account.id, env.account_b.id);
  EXPECT_EQ(Find("not a token").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Find("a.b.c").error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace broker::accounts
