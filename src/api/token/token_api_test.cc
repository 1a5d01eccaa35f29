// The token routes through the Router, with a fake session Auth and the real bearer
// authenticator over SQLite: status codes, bodies and headers of API.md "Account tokens".

#include "api/token/token_api.h"

#include <gtest/gtest.h>

#include "accounts/test_env.h"

namespace broker::api::token {
namespace {

using accounts::testing::Engine;
using accounts::testing::Env;

class RecordingSink : public http::EventSink {
 public:
  bool Send(std::string_view, std::string_view data) override {
    events.emplace_back(data);
    return true;
  }
  bool IsOpen() const override { return true; }
  std::vector<std::string> events;
};

class TokenApiTest : public ::testing::Test {
 protected:
  TokenApiTest() {
    Auth auth;
    auth.require_user = [this](const http::Request& request) -> Result<UserPrincipal> {
      auto who = request.Header("x-test-user");
      if (!who) return Unauthenticated();
      if (*who == "manager") return env_.manager;
      if (*who == "admin") return env_.admin;
      return env_.outsider;
    };
    auth.require_account = RequireAccount(*env_.bearer);
    TokenApiDeps deps{
        auth,  env_.registry.get(), &env_.directory, env_.lookup.get(), env_.keys.get(),
        &hub_, &env_.clock};
    env_.registry->SetChangeListener([this](const std::string& id) { hub_.Publish(id); });
    AddTokenRoutes(router_, deps);
  }

  http::Response Call(http::Method method, const std::string& target, http::Fields headers = {},
                      std::string body = {}) {
    http::Request request;
    request.method = method;
    EXPECT_TRUE(http::ParseTarget(target, request).ok());
    request.headers = std::move(headers);
    request.body = std::move(body);
    request.remote_address = "198.51.100.4";
    auto match = router_.Find(method, request.path);
    EXPECT_NE(match.handler, nullptr) << target;
    if (!match.handler) return http::Response::Empty(404);
    request.path_params = match.params;
    return (*match.handler)(request);
  }

  static http::Fields As(const std::string& user) { return {{"x-test-user", user}}; }
  static http::Fields Bearer(const std::string& token) {
    return {{"authorization", "Bearer " + token}};
  }
  std::string TokenPath(const accounts::AccountRecord& account) {
    return "/v1/collection/broker-account/" + account.id + "/token";
  }
  std::string GenerateVia(const accounts::AccountRecord& account) {
    auto response =
        Call(http::Method::kPost, TokenPath(account) + "?expiration=5184000", As("manager"));
    EXPECT_EQ(response.status, 201);
    return Json::parse(response.body)["token"];
  }

  Env env_{Engine::kSqlite};
  TokenEventHub hub_;
  http::Router router_;
};

TEST_F(TokenApiTest, GenerateAnswers201WithTheTokenOnceAndNoStore) {
  auto response = Call(
      http::Method::kPost,
      TokenPath(env_.account_a) + "?expiration=7776000&patch=true&syncSecrets=true", As("manager"));
  ASSERT_EQ(response.status, 201);
  EXPECT_EQ(response.Header("Cache-Control"), "no-store");
  EXPECT_EQ(response.Header("Pragma"), "no-cache");
  const std::string token = Json::parse(response.body)["token"];
  auto list = Call(http::Method::kGet, TokenPath(env_.account_a), As("outsider"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(token), std::string::npos);
  Json rows = Json::parse(list.body);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "active");
  EXPECT_EQ(rows[0]["blocked"], false);
  EXPECT_EQ(rows[0]["accountId"], env_.account_a.id);
  EXPECT_EQ(rows[0]["claims"]["sub"], env_.account_a.email);
  EXPECT_EQ(rows[0]["createdBy"]["name"], env_.manager.name);
}

TEST_F(TokenApiTest, GenerateRefusals) {
  auto outsider = Call(http::Method::kPost, TokenPath(env_.account_a), As("outsider"));
  EXPECT_EQ(outsider.status, 403);
  EXPECT_NE(Json::parse(outsider.body)["message"].get<std::string>().find("lead-developer"),
            std::string::npos);
  for (const char* bad : {"?expiration=3599", "?expiration=31536001", "?expiration=abc",
                          "?expiration=", "?expiration=1e5"}) {
    auto response = Call(http::Method::kPost, TokenPath(env_.account_a) + bad, As("manager"));
    EXPECT_EQ(response.status, 400) << bad;
  }
  EXPECT_EQ(Call(http::Method::kPost, TokenPath(env_.account_a)).status, 401);
  auto missing =
      Call(http::Method::kPost, "/v1/collection/broker-account/cccc/token", As("manager"));
  EXPECT_EQ(missing.status, 404);
}

TEST_F(TokenApiTest, RenewalByToken) {
  const std::string first = GenerateVia(env_.account_a);
  auto renewed = Call(http::Method::kPost, "/v1/collection/broker-account/renewal", Bearer(first));
  ASSERT_EQ(renewed.status, 201);
  EXPECT_EQ(renewed.Header("Cache-Control"), "no-store");
  const std::string second = Json::parse(renewed.body)["token"];
  auto claims = jwt::DecodeUnverified(second)->payload;
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 864000);
  EXPECT_EQ(
      Call(http::Method::kPost, "/v1/collection/broker-account/renewal", Bearer(first)).status,
      409);
  EXPECT_EQ(
      Call(http::Method::kPost, "/v1/collection/broker-account/renewal?ttl=3599", Bearer(second))
          .status,
      400);
  auto unauthorized = Call(http::Method::kPost, "/v1/collection/broker-account/renewal");
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(Json::parse(unauthorized.body),
            Json::parse(R"({"statusCode":401,"message":"Unauthorized"})"));
}

TEST_F(TokenApiTest, RevokeAllThenTheTokenIsBlocked) {
  const std::string token = GenerateVia(env_.account_a);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/health/token-check", Bearer(token)).status, 204);
  EXPECT_EQ(Call(http::Method::kDelete, TokenPath(env_.account_a), As("outsider")).status, 403);
  EXPECT_EQ(Call(http::Method::kDelete, TokenPath(env_.account_a), As("manager")).status, 200);
  auto blocked = Call(http::Method::kGet, "/v1/health/token-check", Bearer(token));
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(Json::parse(blocked.body), Json::parse(R"({"statusCode":403,"message":"Invalid JWT",)"
                                                   R"("error":"Block list has match"})"));
  auto renew = Call(http::Method::kPost, "/v1/collection/broker-account/renewal", Bearer(token));
  EXPECT_EQ(renew.status, 403);
}

TEST_F(TokenApiTest, RevokeOne) {
  const std::string first = GenerateVia(env_.account_a);
  const std::string second = GenerateVia(env_.account_a);
  const std::string jti = jwt::DecodeUnverified(first)->payload["jti"];
  EXPECT_EQ(
      Call(http::Method::kDelete, TokenPath(env_.account_a) + "/" + jti, As("manager")).status,
      200);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/health/token-check", Bearer(first)).status, 403);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/health/token-check", Bearer(second)).status, 204);
  EXPECT_EQ(Call(http::Method::kDelete,
                 TokenPath(env_.account_a) + "/55555555-5555-4555-8555-555555555555", As("manager"))
                .status,
            404);
}

TEST_F(TokenApiTest, AccountTokenReadsOnlyItsOwnAccount) {
  const std::string a = GenerateVia(env_.account_a);
  EXPECT_EQ(Call(http::Method::kGet, TokenPath(env_.account_a), Bearer(a)).status, 200);
  EXPECT_EQ(Call(http::Method::kGet, TokenPath(env_.account_b), Bearer(a)).status, 403);
  EXPECT_EQ(Call(http::Method::kGet, TokenPath(env_.account_a)).status, 401);
}

TEST_F(TokenApiTest, LookupAndMine) {
  const std::string token = GenerateVia(env_.account_a);
  auto by_id = Call(http::Method::kPost, "/v1/token/lookup",
                    {{"x-test-user", "outsider"}, {"content-type", "application/json"}},
                    Json{{"query", env_.account_a.client_id}}.dump());
  ASSERT_EQ(by_id.status, 200);
  EXPECT_EQ(Json::parse(by_id.body)["account"]["name"], "alpha");
  auto by_token = Call(http::Method::kPost, "/v1/token/lookup",
                       {{"x-test-user", "outsider"}, {"content-type", "application/json"}},
                       Json{{"query", token}}.dump());
  EXPECT_EQ(
      Call(http::Method::kPost, "/v1/token/lookup", As("outsider"), Json{{"query", token}}.dump())
          .status,
      415);
  ASSERT_EQ(by_token.status, 200);
  EXPECT_EQ(Json::parse(by_token.body)["state"], "active");
  EXPECT_EQ(by_token.body.find(token), std::string::npos);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/token/lookup",
                 {{"x-test-user", "outsider"}, {"content-type", "application/json"}}, R"({"q":1})")
                .status,
            400);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/token/lookup", {}, R"({"query":"x"})").status, 401);
  auto mine = Call(http::Method::kGet, "/v1/collection/broker-account/mine", As("manager"));
  ASSERT_EQ(mine.status, 200);
  Json accounts = Json::parse(mine.body);
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0]["current"]["state"], "active");
  EXPECT_TRUE(accounts[1]["current"].is_null());
  auto none = Call(http::Method::kGet, "/v1/collection/broker-account/mine", As("outsider"));
  EXPECT_EQ(Json::parse(none.body), Json::array());
}

TEST_F(TokenApiTest, EventsStreamTokenChanges) {
  http::Request request;
  request.method = http::Method::kGet;
  ASSERT_TRUE(http::ParseTarget("/v1/collection/broker-account/events", request).ok());
  auto match = router_.Find(http::Method::kGet, request.path);
  ASSERT_NE(match.stream, nullptr);
  auto sink = std::make_shared<RecordingSink>();
  auto refused = (*match.stream)(request, sink);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401);
  request.headers = As("outsider");
  EXPECT_FALSE((*match.stream)(request, sink).has_value());
  GenerateVia(env_.account_a);
  EXPECT_EQ(Call(http::Method::kDelete, TokenPath(env_.account_a), As("manager")).status, 200);
  ASSERT_EQ(sink->events.size(), 2u);
  EXPECT_EQ(Json::parse(sink->events[0]), Json({{"clientId", env_.account_a.client_id}}));
}

TEST_F(TokenApiTest, JwksPublishesPublicKeysOnly) {
  auto response = Call(http::Method::kGet, "/.well-known/jwks.json");
  Json keys = env_.keys->Jwks();
  if (keys["keys"].empty()) {
    EXPECT_EQ(response.status, 404);
  } else {
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body.find("\"d\""), std::string::npos);
  }
}

}  // namespace
}  // namespace broker::api::token
