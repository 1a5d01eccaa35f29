// Bearer authentication (SECURITY T-STATE 107-117, T-HDR-auth 119-124), the registry's audit
// records, last-use bookkeeping and the high-water clock.

#include "accounts/bearer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "accounts/high_water_clock.h"
#include "accounts/test_env.h"
#include "audit/shipper.h"
#include "core/random.h"

namespace broker::accounts {
namespace {

using testing::Engine;
using testing::Env;
using testing::kStart;

class BearerTest : public ::testing::TestWithParam<Engine> {
 protected:
  Env env{GetParam()};

  Result<api::AccountPrincipal> Present(size_t count, std::string authorization,
                                        bool in_query = false) {
    BearerCredentials credentials;
    credentials.authorization_count = count;
    credentials.authorization = std::move(authorization);
    credentials.token_in_query = in_query;
    return env.bearer->Authenticate(credentials);
  }

  std::string Forge(const jwt::Claims& claims) {
    return env.keys->Sign(claims).value().RevealForUse();
  }

  jwt::Claims ClaimsOf(const std::string& token) {
    Json p = jwt::DecodeUnverified(token)->payload;
    return {p["client_id"], p["exp"], p["iat"], p["nbf"], p["jti"], p["sub"]};
  }

  static void ExpectUnauthorized(const Result<api::AccountPrincipal>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(result.error().message(), "Unauthorized");
  }

  static void ExpectForbidden(const Result<api::AccountPrincipal>& result,
                              const std::string& label) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(result.error().message(), "Invalid JWT");
    EXPECT_EQ(result.error().label(), label);
  }

  std::string AllText(const std::string& sql) {
    auto rs = env.db->Execute(sql);
    std::string text;
    for (const auto& row : rs.value().rows) {
      for (size_t i = 0; i < row.size(); ++i) text += row.Text(i) + "\n";
    }
    return text;
  }
};

TEST_P(BearerTest, TransportRules) {
  const std::string token = env.Generate(env.account_a);
  auto ok = Present(1, "bearer " + token);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->account_id, env.account_a.id);
  EXPECT_EQ(ok->client_id, env.account_a.client_id);
  EXPECT_TRUE(Present(1, "BEARER " + token).ok());
  ExpectUnauthorized(Present(2, "Bearer " + token));
  ExpectUnauthorized(Present(0, ""));
  ExpectUnauthorized(Present(1, "Bearer " + token, /*in_query=*/true));
  ExpectUnauthorized(Present(1, "Basic " + token));
  ExpectUnauthorized(Present(1, "Bearer  " + token));
  ExpectUnauthorized(Present(1, "Bearer " + token + " "));
  ExpectUnauthorized(Present(1, "Bearer "));
  ExpectUnauthorized(Present(1, "Bearer"));
  ExpectUnauthorized(Present(1, "Bearer " + token + "," + token));
}

TEST_P(BearerTest, ValidSignatureWithoutRegistryRowIsRefused) {
  jwt::Claims claims{env.account_a.client_id,      kStart + 3600,      kStart, kStart,
                     OsRandom::Instance().Uuid4(), env.account_a.email};
  ExpectUnauthorized(env.Authenticate(Forge(claims)));
}

TEST_P(BearerTest, ClaimsMustEqualTheRegistryRow) {
  const std::string token = env.Generate(env.account_a);
  jwt::Claims claims = ClaimsOf(token);
  jwt::Claims other_sub = claims;
  other_sub.sub = env.account_b.email;
  ExpectUnauthorized(env.Authenticate(Forge(other_sub)));
  jwt::Claims other_client = claims;
  other_client.client_id = env.account_b.client_id;
  ExpectUnauthorized(env.Authenticate(Forge(other_client)));
  jwt::Claims longer = claims;
  longer.exp += 86400;
  ExpectUnauthorized(env.Authenticate(Forge(longer)));
  EXPECT_TRUE(env.Authenticate(Forge(claims)).ok());
}

TEST_P(BearerTest, TamperedTokenIsRefused) {
  std::string token = env.Generate(env.account_a);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  ExpectUnauthorized(env.Authenticate(token));
}

TEST_P(BearerTest, DeletedAccountIsRefusedAtOnce) {
  const std::string token = env.Generate(env.account_a);
  ASSERT_TRUE(env.Authenticate(token).ok());
  env.directory.Remove(env.account_a.id);
  ExpectUnauthorized(env.Authenticate(token));
}

TEST_P(BearerTest, BlockWinsOverAllow) {
  const std::string token = env.Generate(env.account_a);
  const jwt::Claims claims = ClaimsOf(token);
  AccessRule block;
  block.list = RuleList::kBlock;
  block.client_id = claims.client_id;
  AccessRule allow;
  allow.list = RuleList::kAllow;
  allow.jti = claims.jti;
  ASSERT_TRUE(env.rules->Add(allow, {"u-admin", "Ada", "ada@example.com"}).ok());
  auto added = env.rules->Add(block, {"u-admin", "Ada", "ada@example.com"});
  ASSERT_TRUE(added.ok());
  ExpectForbidden(env.Authenticate(token), "Block list has match");
  ASSERT_TRUE(env.rules->Remove(added->id, {"u-admin", "Ada", "ada@example.com"}).ok());
  EXPECT_TRUE(env.Authenticate(token).ok());
}

TEST_P(BearerTest, EmptyBlockRuleBlocksEverything) {
  const std::string a = env.Generate(env.account_a);
  const std::string b = env.Generate(env.account_b);
  AccessRule block;
  block.list = RuleList::kBlock;
  ASSERT_TRUE(env.rules->Add(block, {"u-admin", "Ada", "ada@example.com"}).ok());
  ExpectForbidden(env.Authenticate(a), "Block list has match");
  ExpectForbidden(env.Authenticate(b), "Block list has match");
}

TEST_P(BearerTest, AllowListWithoutMatchRefuses) {
  const std::string a = env.Generate(env.account_a);
  const std::string b = env.Generate(env.account_b);
  ASSERT_TRUE(env.rules->Remove("default-allow", {"u-admin", "Ada", "ada@example.com"}).ok());
  ExpectForbidden(env.Authenticate(a), "Allow list has no match");
  AccessRule allow;
  allow.list = RuleList::kAllow;
  allow.client_id = env.account_b.client_id;
  ASSERT_TRUE(env.rules->Add(allow, {"u-admin", "Ada", "ada@example.com"}).ok());
  ExpectForbidden(env.Authenticate(a), "Allow list has no match");
  EXPECT_TRUE(env.Authenticate(b).ok());
  AccessRule empty_member;
  empty_member.sub = "";
  EXPECT_EQ(env.rules->Add(empty_member, {}).error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(BearerTest, TokenOfAccountAIsNotAccountB) {
  auto caller = env.Authenticate(env.Generate(env.account_a));
  ASSERT_TRUE(caller.ok());
  EXPECT_TRUE(CheckAccountScope(*caller, env.account_a.id).ok());
  EXPECT_EQ(CheckAccountScope(*caller, env.account_b.id).error().code(),
            ErrorCode::kPermissionDenied);
}

TEST_P(BearerTest, LastUseIsFlushedInBatches) {
  const std::string a = env.Generate(env.account_a);
  const std::string b = env.Generate(env.account_b);
  for (int i = 0; i < 5; ++i) {
    env.clock.AdvanceSeconds(1);
    ASSERT_TRUE(env.Authenticate(a).ok());
    ASSERT_TRUE(env.Authenticate(b).ok());
  }
  const std::string jti = ClaimsOf(a).jti;
  EXPECT_FALSE(env.registry->Find(jti).value()->last_used_at.has_value());
  EXPECT_EQ(env.last_use->pending(), 2u);
  const uint64_t before = env.last_use->flush_count();
  auto flushed = env.last_use->Flush();
  ASSERT_TRUE(flushed.ok());
  EXPECT_EQ(*flushed, 2u);
  EXPECT_EQ(env.last_use->flush_count(), before + 1);
  auto row = env.registry->Find(jti).value();
  EXPECT_EQ(row->last_used_at, (kStart + 5) * 1000);
  EXPECT_EQ(row->last_used_ip, "192.0.2.7");
  EXPECT_EQ(row->last_used_user_agent, "test-agent/1.0");
}

TEST_P(BearerTest, OneAuditRecordPerStateChangeAndTheChainVerifies) {
  const std::string first = env.Generate(env.account_a);
  const std::string second = env.Generate(env.account_a);
  ASSERT_TRUE(env.registry->RevokeOne(env.manager, env.account_a.id, ClaimsOf(first).jti, {}).ok());
  ASSERT_TRUE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
  auto rs = env.db->Execute("SELECT record FROM audit_log ORDER BY sequence");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->rows.size(), 4u);
  Json created = Json::parse(rs->rows[0].Text(0));
  EXPECT_EQ(created["event"]["action"], "token-generation");
  EXPECT_EQ(created["event"]["type"], "creation");
  EXPECT_EQ(created["auth"]["jti"], ClaimsOf(first).jti);
  EXPECT_EQ(created["user"]["id"], env.manager.user_id);
  EXPECT_EQ(created["ecs"]["version"], "8.11.0");
  EXPECT_EQ(Json::parse(rs->rows[3].Text(0))["auth"]["jti"], "multiple");
  EXPECT_EQ(Json::parse(rs->rows[3].Text(0))["event"]["type"], "deletion");
  auto report = audit::VerifyChain(*env.db);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_EQ(report->records, 4);
}

TEST_P(BearerTest, FailingAuditInsertFailsTheGeneration) {
  if (GetParam() == Engine::kSqlite) {
    ASSERT_TRUE(env.db
                    ->Execute("CREATE TRIGGER audit_fail BEFORE INSERT ON audit_log BEGIN "
                              "SELECT RAISE(ABORT, 'injected'); END")
                    .ok());
  } else {
    ASSERT_TRUE(env.db
                    ->Execute("CREATE FUNCTION audit_fail() RETURNS trigger AS $$ BEGIN "
                              "RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql")
                    .ok());
    ASSERT_TRUE(env.db
                    ->Execute("CREATE TRIGGER audit_fail BEFORE INSERT ON audit_log FOR EACH "
                              "ROW EXECUTE FUNCTION audit_fail()")
                    .ok());
  }
  auto issued = env.registry->Generate(env.manager, env.account_a.id, 3600, {}, {});
  EXPECT_FALSE(issued.ok());
  EXPECT_TRUE(env.registry->List(env.account_a.id)->empty());
  EXPECT_EQ(env.ActiveRowCount(env.account_a.id), 0);
  EXPECT_FALSE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
}

TEST_P(BearerTest, NoTokenInTheAuditTableOrTheRegistry) {
  std::vector<std::string> tokens = {env.Generate(env.account_a), env.Generate(env.account_a)};
  auto caller = env.Authenticate(tokens[1]);
  ASSERT_TRUE(caller.ok());
  tokens.push_back(env.registry->Renew(*caller, 3600, {}).value().token.RevealForUse());
  (void)env.Authenticate("garbage." + tokens[0]);
  ASSERT_TRUE(env.auth_audit->Flush().ok());
  ASSERT_TRUE(env.last_use->Flush().ok());
  const std::string dump =
      AllText("SELECT record FROM audit_log") + AllText(
                                                    "SELECT jti, client_id, sub, created_by_name, "
                                                    "last_used_user_agent FROM token_registry");
  EXPECT_NE(dump.find("authentication"), std::string::npos);
  audit::ShipperOptions ship_options;
  ship_options.directory = env.dir.File("audit");
  audit::FileShipper shipper(*env.db, env.clock, ship_options);
  ASSERT_GT(shipper.ShipOnce().value(), 0);
  std::ifstream in(ship_options.directory + "/audit-2027-01-15.log");
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(file.find("token-generation"), std::string::npos);
  for (const std::string& token : tokens) {
    const std::string signature = token.substr(token.rfind('.') + 1);
    EXPECT_EQ(dump.find(token), std::string::npos);
    EXPECT_EQ(dump.find(signature), std::string::npos);
    EXPECT_EQ(file.find(signature), std::string::npos);
  }
}

TEST_P(BearerTest, AuthenticationEventsGoThroughTheBatchedWriter) {
  const std::string token = env.Generate(env.account_a);
  ASSERT_TRUE(env.Authenticate(token).ok());
  ExpectUnauthorized(env.Authenticate("x.y.z"));
  EXPECT_EQ(env.auth_audit->stats().queued, 4u);
  ASSERT_TRUE(env.auth_audit->Flush().ok());
  auto rs = env.db->Execute(
      "SELECT record FROM audit_log WHERE record LIKE '%\"authentication\"%' ORDER BY sequence");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->rows.size(), 4u);
  Json success = Json::parse(rs->rows[1].Text(0));
  EXPECT_EQ(success["event"]["outcome"], "success");
  EXPECT_EQ(success["auth"]["jti"], ClaimsOf(token).jti);
  EXPECT_EQ(success["source"]["ip"], "192.0.2.7");
  EXPECT_EQ(Json::parse(rs->rows[3].Text(0))["event"]["outcome"], "failure");
  EXPECT_TRUE(audit::VerifyChain(*env.db).value().ok());
}

TEST_P(BearerTest, HighWaterClockNeverRunsBackwards) {
  FakeClock wall(kStart);
  HighWaterClock clock(wall);
  EXPECT_EQ(clock.NowSeconds(), kStart);
  ASSERT_TRUE(clock.Persist(*env.db).ok());
  wall.SetSeconds(kStart - 7200);
  EXPECT_EQ(clock.NowSeconds(), kStart);
  EXPECT_EQ(clock.WallBehindBy(), 7200 * 1000);
  HighWaterClock restarted(wall);
  ASSERT_TRUE(restarted.Load(*env.db).ok());
  EXPECT_EQ(restarted.NowSeconds(), kStart);
  wall.SetSeconds(kStart + 10);
  EXPECT_EQ(restarted.NowSeconds(), kStart + 10);
}

INSTANTIATE_TEST_SUITE_P(Engines, BearerTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName());

}  // namespace
}  // namespace broker::accounts
