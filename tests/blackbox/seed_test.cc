// Every sentence of the seed page about tokens (shared/seed/000_e5497511c7cd1565.txt), checked
// against the running `broker` binary over HTTP and its command line.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "broker_process.h"
#include "core/encoding.h"

namespace broker::testing {
namespace {

constexpr char kCiClientId[] = "6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f";

std::string Fixture() { return std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/graph.json"; }

class SeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A short grace period keeps the one-hour rule testable; the rule itself is pinned to the
    // second with an injected clock in src/accounts.
    BrokerOptions options;
    options.import_file = Fixture();
    options.extra_args = {"--token-grace-period", "3"};
    broker_ = new BrokerProcess(options);
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  static std::string AccountId(HttpClient& client, const std::string& name) {
    const HttpResponse r =
        client.Post("/v1/collection/broker-account/search?offset=0&limit=50", "{}");
    EXPECT_EQ(r.status, 201) << r.body;
    const Json body = r.json();
    for (const Json& row : body["data"]) {
      if (row["collection"]["name"] == name) return row["collection"]["id"];
    }
    ADD_FAILURE() << "no account " << name << " in " << r.body;
    return {};
  }

  static std::unique_ptr<HttpClient> SignIn(const std::string& user, const std::string& pass) {
    auto client = std::make_unique<HttpClient>(broker_->url());
    const HttpResponse r = client->Login(user, pass);
    EXPECT_EQ(r.status, 200) << user << ": " << r.body;
    return client;
  }

  static std::string Generate(HttpClient& client, const std::string& account_id,
                              int64_t expiration = 7776000) {
    const HttpResponse r = client.Post("/v1/collection/broker-account/" + account_id +
                                       "/token?expiration=" + std::to_string(expiration) +
                                       "&patch=true&syncSecrets=true");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json()["token"].get<std::string>() : std::string();
  }

  static long TokenCheck(const std::string& token) {
    HttpClient machine(broker_->url());
    machine.SetBearer(token);
    return machine.Get("/v1/health/token-check").status;
  }

  static BrokerProcess* broker_;
};

BrokerProcess* SeedTest::broker_ = nullptr;

// "If you are assigned as a lead developer to a team that has a Broker Account, you can
// generate tokens for that account."
TEST_F(SeedTest, LeadDeveloperOfOwningTeamMayGenerateOthersMayNot) {
  auto alice = SignIn("alice", "alice-pass-1");
  const std::string account = AccountId(*alice, "ci-deployer");
  EXPECT_FALSE(Generate(*alice, account).empty());

  for (const auto& [user, pass] :
       {std::pair{"bob", "bob-pass-12"}, {"carol", "carol-pass-1"}, {"erin", "erin-pass-12"}}) {
    auto other = SignIn(user, pass);
    const HttpResponse r =
        other->Post("/v1/collection/broker-account/" + account + "/token?expiration=3600");
    EXPECT_EQ(r.status, 403) << user << ": " << r.body;
    // The refusal names the role and the team that would allow it.
    EXPECT_NE(r.json()["message"].get<std::string>().find("lead-developer"), std::string::npos)
        << r.body;
    EXPECT_NE(r.json()["message"].get<std::string>().find("platform"), std::string::npos) << r.body;
    // The token page learns the same up front, to disable its buttons with that reason.
    const Json permission =
        other->Get("/v1/collection/broker-account/" + account + "/token/permission").json();
    EXPECT_EQ(permission["mayManage"], false);
    EXPECT_EQ(permission["reason"], r.json()["message"]);
  }
  EXPECT_EQ(alice->Get("/v1/collection/broker-account/" + account + "/token/permission")
                .json()["mayManage"],
            true);
  auto dave = SignIn("dave", "dave-pass-12");
  EXPECT_FALSE(Generate(*dave, account, 3600).empty()) << "admins may generate too";
}

// "The information in the token is in the clear and can be read using tools like jwt.io."
TEST_F(SeedTest, TokenClaimsAreReadableAndExactlyTheSix) {
  auto alice = SignIn("alice", "alice-pass-1");
  const std::string token = Generate(*alice, AccountId(*alice, "ci-deployer"), 5184000);
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  const auto payload = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(payload.has_value());
  const Json claims = Json::parse(*payload);
  std::set<std::string> names;
  for (const auto& [name, value] : claims.items()) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"client_id", "exp", "iat", "jti", "nbf", "sub"}));
  EXPECT_EQ(claims["client_id"], kCiClientId);
  EXPECT_EQ(claims["sub"], "ci@example.com");
  EXPECT_EQ(claims["nbf"], claims["iat"]);
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 5184000);
  const Json header = Json::parse(*Base64UrlDecode(token.substr(0, dot1)));
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(header["alg"], "RS256");
  // The JWKS endpoint publishes the key that verifies it.
  HttpClient anyone(broker_->url());
  const Json jwks = anyone.Get("/.well-known/jwks.json").json();
  ASSERT_FALSE(jwks["keys"].empty());
  EXPECT_EQ(jwks["keys"][0]["kid"], header["kid"]);
  EXPECT_FALSE(jwks["keys"][0].contains("d"));
}

// "review the token expiry information (if a token has been created)" and "Compare the expiry
// date and JTI in Broker with the token".
TEST_F(SeedTest, TokenPageListsJtiExpiryAndState) {
  auto alice = SignIn("alice", "alice-pass-1");
  const std::string account = AccountId(*alice, "ci-deployer");
  const std::string token = Generate(*alice, account);
  const Json claims = Json::parse(
      *Base64UrlDecode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1)));
  // Any signed-in user may read the metadata, never the token itself.
  auto bob = SignIn("bob", "bob-pass-12");
  const HttpResponse list = bob->Get("/v1/collection/broker-account/" + account + "/token");
  ASSERT_EQ(list.status, 200) << list.body;
  const Json newest = list.json()[0];
  EXPECT_EQ(newest["jti"], claims["jti"]);
  EXPECT_EQ(newest["claims"]["exp"], claims["exp"]);
  EXPECT_EQ(newest["state"], "active");
  EXPECT_EQ(list.body.find(token), std::string::npos);
}

// "Tokens can be regenerated at any time ... The previous token will continue working for one
// hour after renewal ... Only two tokens are ever active at any time."
TEST_F(SeedTest, RenewalKeepsPreviousTokenForTheGracePeriodAndNeverMoreThanTwo) {
  auto erin = SignIn("erin", "erin-pass-12");
  const std::string account = AccountId(*erin, "billing-bot");
  const std::string first = Generate(*erin, account);
  EXPECT_EQ(TokenCheck(first), 204);
  const std::string second = Generate(*erin, account);
  EXPECT_EQ(TokenCheck(first), 204) << "the previous token works during the grace period";
  EXPECT_EQ(TokenCheck(second), 204);
  const std::string third = Generate(*erin, account);
  EXPECT_NE(TokenCheck(first), 204) << "the third-newest token is blocked at once";
  EXPECT_EQ(TokenCheck(second), 204);
  EXPECT_EQ(TokenCheck(third), 204);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  EXPECT_NE(TokenCheck(second), 204) << "the grace period (3 s here) is over";
  EXPECT_EQ(TokenCheck(third), 204);
}

// "Click the Revoke Token button ... This will immediately block all active tokens for the
// account, including any tokens in the grace period ... until a new token is generated."
TEST_F(SeedTest, RevokeBlocksEveryTokenAtOnceAndANewOneRestoresAccess) {
  auto alice = SignIn("alice", "alice-pass-1");
  const std::string account = AccountId(*alice, "ci-deployer");
  const std::string older = Generate(*alice, account);
  const std::string newer = Generate(*alice, account);
  ASSERT_EQ(TokenCheck(older), 204);
  const HttpResponse revoked = alice->Delete("/v1/collection/broker-account/" + account + "/token");
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(TokenCheck(older), 403);
  EXPECT_EQ(TokenCheck(newer), 403);
  HttpClient machine(broker_->url());
  machine.SetBearer(newer);
  const HttpResponse refused = machine.Get("/v1/health/token-check");
  EXPECT_EQ(refused.json()["error"], "Block list has match");
  const std::string fresh = Generate(*alice, account);
  EXPECT_EQ(TokenCheck(fresh), 204);
}

// "Generated tokens are saved in the Vault 'tools' space for all associated services by
// default. This can occur even if Vault has not been enabled for a service."
TEST_F(SeedTest, GeneratedTokenLandsInTheToolsSpaceOfEveryService) {
  auto alice = SignIn("alice", "alice-pass-1");
  const std::string account = AccountId(*alice, "ci-deployer");
  const std::string token = Generate(*alice, account);
  const std::string key = std::string("broker-jwt:") + kCiClientId;
  for (const char* path :
       {"tools/fluent/fluent-bit", "tools/fluent/fluentd", "tools/payments/billing-api"}) {
    bool found = false;
    for (int i = 0; i < 50 && !found; ++i) {
      const auto [code, out] = broker_->RunCli({"secrets", "get", path});
      found = code == 0 && out.find(token) != std::string::npos;
      if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_TRUE(found) << path;
  }
  const HttpResponse deliveries =
      alice->Get("/v1/collection/broker-account/" + account + "/deliveries");
  ASSERT_EQ(deliveries.status, 200) << deliveries.body;
  std::set<std::string> delivered;
  const Json delivery_list = deliveries.json();
  for (const Json& d : delivery_list) {
    if (d["outcome"] == "delivered") delivered.insert(d["target"].get<std::string>());
  }
  EXPECT_EQ(delivered.size(), 3u) << deliveries.body;
}

// "Copy the client_id claim value, paste it into the search field ... Compare the expiry date
// and JTI": by client_id, and by pasting the whole token.
TEST_F(SeedTest, LookUpTheAccountByClientIdOrByPastedToken) {
  auto bob = SignIn("bob", "bob-pass-12");
  const HttpResponse typeahead =
      bob->Post(std::string("/v1/graph/typeahead?q=") + kCiClientId, "{}");
  ASSERT_EQ(typeahead.status, 201) << typeahead.body;
  ASSERT_FALSE(typeahead.json()["data"].empty()) << typeahead.body;
  EXPECT_EQ(typeahead.json()["data"][0]["name"], "ci-deployer");

  auto alice = SignIn("alice", "alice-pass-1");
  const std::string token = Generate(*alice, AccountId(*alice, "ci-deployer"));
  const HttpResponse found = bob->Post("/v1/token/lookup", Json{{"query", token}}.dump());
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["account"]["clientId"], kCiClientId);
  EXPECT_EQ(found.json()["state"], "active");
  // Nothing of the pasted token but its jti reaches the log.
  EXPECT_EQ(broker_->Output().find(token), std::string::npos);
}

// The operator's command line does the same as the UI.
TEST_F(SeedTest, CommandLineGeneratesListsAndRevokes) {
  std::string printed;
  const auto [code, out] =
      broker_->RunCli({"token", "generate", "billing-bot", "--expiration", "60d"}, "", &printed);
  ASSERT_EQ(code, 0) << out;
  // Standard output holds the token and nothing else, so it can be piped.
  ASSERT_TRUE(printed.ends_with("\n")) << printed;
  const std::string token = printed.substr(0, printed.size() - 1);
  EXPECT_EQ(token.find_first_of(" \n"), std::string::npos) << printed;
  EXPECT_EQ(TokenCheck(token), 204) << out;
  const auto [list_code, listing] = broker_->RunCli({"token", "list", kCiClientId});
  EXPECT_EQ(list_code, 0) << listing;
  EXPECT_NE(listing.find("ci-deployer"), std::string::npos);
  const auto [revoke_code, revoked] = broker_->RunCli({"token", "revoke", "billing-bot"});
  EXPECT_EQ(revoke_code, 0) << revoked;
  EXPECT_EQ(TokenCheck(token), 403);
}

// A token may renew itself by API (PRODUCT.md rule 7).
TEST_F(SeedTest, TokenRenewsItselfAndThePreviousOneEntersGrace) {
  auto alice = SignIn("alice", "alice-pass-1");
  const std::string token = Generate(*alice, AccountId(*alice, "ci-deployer"));
  HttpClient machine(broker_->url());
  machine.SetBearer(token);
  const HttpResponse renewed = machine.Post("/v1/collection/broker-account/renewal?ttl=86400");
  ASSERT_EQ(renewed.status, 201) << renewed.body;
  const std::string next = renewed.json()["token"];
  EXPECT_EQ(TokenCheck(next), 204);
  EXPECT_EQ(TokenCheck(token), 204) << "in grace";
  const HttpResponse again = machine.Post("/v1/collection/broker-account/renewal");
  EXPECT_EQ(again.status, 409) << "only the newest token may renew: " << again.body;
}

}  // namespace
}  // namespace broker::testing
