#include "api/auth/auth_api.h"

#include <gtest/gtest.h>

#include "api/auth/auth_test_util.h"

namespace broker::api::auth {
namespace {

using http::Method;
using testing::AuthWorld;
using testing::Call;
using testing::Cookie;
using testing::SetCookies;

constexpr char kJson[] = "application/json";

std::string LoginBody(std::string_view user, std::string_view password) {
  return Json{{"username", user}, {"password", password}}.dump();
}

class AuthApiTest : public ::testing::Test {
 protected:
  AuthApiTest() { Init({}); }

  void Init(WebConfig config) {
    world_ = std::make_unique<AuthWorld>(std::move(config));
    AddUser("alice", "alice-password", false);
    AddUser("root", "root-password", true);
    // A stand-in for any state-changing endpoint guarded by require_user.
    world_->router.Add(Method::kPost, "/test/change", [this](const http::Request& request) {
      auto user = world_->authenticator.RequireUser(request);
      if (!user.ok()) return http::Response::FromError(user.error());
      ++changes_;
      return http::Response::Empty(204);
    });
  }

  void AddUser(const std::string& name, const std::string& password, bool admin) {
    users::NewLocalUser user{name, name + "@example.com", "Name " + name, admin,
                             SecretString(password)};
    ASSERT_TRUE(users::AddLocalUser(world_->directory, world_->credentials, user).ok());
  }

  http::Response Login(std::string_view user, std::string_view password, http::Fields extra = {},
                       std::string remote = "192.0.2.1") {
    extra.emplace_back("Content-Type", kJson);
    return Call(world_->router, Method::kPost, "/auth/local/login", std::move(extra),
                LoginBody(user, password), std::move(remote));
  }

  struct SignedIn {
    std::string cookie;  // "broker_session=..."
    std::string csrf;
  };
  SignedIn MustLogin(std::string_view user, std::string_view password) {
    http::Response response = Login(user, password);
    EXPECT_EQ(response.status, 200) << response.body;
    auto cookies = SetCookies(response);
    EXPECT_EQ(cookies.size(), 1u);
    if (cookies.empty()) return {};
    return {cookies[0].name + "=" + cookies[0].value,
            Json::parse(response.body).value("csrfToken", "")};
  }

  http::Response Self(const std::string& cookie) {
    return Call(world_->router, Method::kGet, "/v1/collection/user/self", {{"Cookie", cookie}});
  }

  std::unique_ptr<AuthWorld> world_;
  int changes_ = 0;
};

TEST_F(AuthApiTest, LoginSetsASessionCookieWithAllAttributes) {
  http::Response response = Login("alice", "alice-password");
  ASSERT_EQ(response.status, 200) << response.body;
  Json body = Json::parse(response.body);
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body["csrfToken"].get<std::string>().size(), 64u);
  EXPECT_EQ(response.Header("Cache-Control"), "no-store");
  auto cookies = SetCookies(response);
  ASSERT_EQ(cookies.size(), 1u);
  const Cookie& cookie = cookies[0];
  EXPECT_EQ(cookie.name, "broker_session");
  EXPECT_EQ(cookie.value.size(), 43u);  // 256 bits, base64url
  std::map<std::string, std::string> expected{{"path", "/"}, {"httponly", ""}, {"samesite", "Lax"}};
  EXPECT_EQ(cookie.attributes, expected);
}

TEST_F(AuthApiTest, SecureCookiesUseTheHostPrefix) {
  Init({true, {}});
  http::Response response = Login("alice", "alice-password");
  ASSERT_EQ(response.status, 200);
  auto cookies = SetCookies(response);
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_EQ(cookies[0].name, "__Host-broker_session");
  std::map<std::string, std::string> expected{
      {"path", "/"}, {"httponly", ""}, {"samesite", "Lax"}, {"secure", ""}};
  EXPECT_EQ(cookies[0].attributes, expected);
  EXPECT_EQ(Self("__Host-broker_session=" + cookies[0].value).status, 200);
  EXPECT_EQ(Self("broker_session=" + cookies[0].value).status, 401);
}

TEST_F(AuthApiTest, UnknownUserAndWrongPasswordAnswerIdentically) {
  http::Response wrong = Login("alice", "not-her-password");
  http::Response unknown = Login("nobody", "not-her-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(
      wrong.body,
      R"({"statusCode":401,"message":"Invalid username or password","error":"Unauthorized"})");
  EXPECT_EQ(unknown.status, wrong.status);
  EXPECT_EQ(unknown.body, wrong.body);
  EXPECT_EQ(unknown.headers, wrong.headers);
  EXPECT_TRUE(SetCookies(wrong).empty());
}

TEST_F(AuthApiTest, MalformedLoginBodiesAre400AndOtherContentTypes415) {
  for (const std::string body :
       {"{", "[]", "{}", R"({"username":"alice"})", R"({"username":1,"password":"x"})",
        R"({"username":"alice","password":null})", R"({"username":"","password":"x"})",
        R"({"username":"alice","password":"a","password":"b"})"}) {
    http::Response response =
        Call(world_->router, Method::kPost, "/auth/local/login", {{"Content-Type", kJson}}, body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(Json::parse(response.body)["error"], "Bad Request") << body;
    EXPECT_EQ(response.Header("Cache-Control"), "no-store");
  }
  http::Response text =
      Call(world_->router, Method::kPost, "/auth/local/login", {{"Content-Type", "text/plain"}},
           LoginBody("alice", "alice-password"));
  EXPECT_EQ(text.status, 415);
}

TEST_F(AuthApiTest, LockoutAnswers429WithRetryAfterEvenForTheRightPassword) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Login("alice", "wrong-password").status, 401);
  http::Response locked = Login("alice", "alice-password");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(locked.Header("Retry-After"), "120");
  EXPECT_TRUE(SetCookies(locked).empty());
  world_->clock.AdvanceSeconds(120);
  EXPECT_EQ(Login("alice", "alice-password").status, 200);
}

TEST_F(AuthApiTest, PerIpBucketAllowsTwentyPerMinute) {
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Login("nobody", "guess-" + std::to_string(i)).status, 401);
  http::Response limited = Login("alice", "alice-password");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "3");
  EXPECT_EQ(Login("alice", "alice-password", {}, "198.51.100.7").status, 200);
  world_->steady_now += std::chrono::seconds(3);
  EXPECT_EQ(Login("alice", "alice-password").status, 200);
}

TEST_F(AuthApiTest, LoginIssuesANewIdAndEndsThePresentedOne) {
  SignedIn first = MustLogin("alice", "alice-password");
  http::Response second = Login("alice", "alice-password", {{"Cookie", first.cookie}});
  ASSERT_EQ(second.status, 200);
  auto cookies = SetCookies(second);
  ASSERT_EQ(cookies.size(), 1u);
  std::string fresh = cookies[0].name + "=" + cookies[0].value;
  EXPECT_NE(fresh, first.cookie);
  EXPECT_EQ(Self(first.cookie).status, 401);
  EXPECT_EQ(Self(fresh).status, 200);
  // An id chosen by an attacker is never adopted.
  http::Response planted = Login("alice", "alice-password", {{"Cookie", "broker_session=planted"}});
  EXPECT_NE(SetCookies(planted)[0].value, "planted");
  EXPECT_EQ(Self("broker_session=planted").status, 401);
}

TEST_F(AuthApiTest, SelfDescribesTheUser) {
  SignedIn alice = MustLogin("alice", "alice-password");
  http::Response response = Self(alice.cookie);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("Cache-Control"), "no-store");
  Json body = Json::parse(response.body);
  EXPECT_EQ(body["username"], "alice");
  EXPECT_EQ(body["email"], "alice@example.com");
  EXPECT_EQ(body["name"], "Name alice");
  EXPECT_FALSE(body["id"].get<std::string>().empty());
  EXPECT_FALSE(body["vertex"].get<std::string>().empty());
  EXPECT_EQ(body["roles"], Json::array());
  EXPECT_EQ(body["csrfToken"], alice.csrf);
  EXPECT_TRUE(body.contains("domain") && body.contains("guid"));
  SignedIn root = MustLogin("root", "root-password");
  EXPECT_EQ(Json::parse(Self(root.cookie).body)["roles"], Json::array({"admin"}));
  http::Response alias =
      Call(world_->router, Method::kGet, "/auth/user", {{"Cookie", root.cookie}});
  EXPECT_EQ(alias.body, Self(root.cookie).body);
  EXPECT_EQ(Self("").status, 401);
  EXPECT_EQ(Call(world_->router, Method::kGet, "/v1/collection/user/self").status, 401);
}

TEST_F(AuthApiTest, LogoutNeedsCsrfThenEndsTheSession) {
  SignedIn alice = MustLogin("alice", "alice-password");
  http::Response refused =
      Call(world_->router, Method::kPost, "/auth/logout", {{"Cookie", alice.cookie}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body,
            R"({"statusCode":403,"message":"Invalid CSRF token","error":"Forbidden"})");
  EXPECT_EQ(Self(alice.cookie).status, 200);
  http::Response out = Call(world_->router, Method::kPost, "/auth/logout",
                            {{"Cookie", alice.cookie}, {"X-CSRF-Token", alice.csrf}});
  EXPECT_EQ(out.status, 204);
  auto cookies = SetCookies(out);
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_EQ(cookies[0].name, "broker_session");
  EXPECT_EQ(cookies[0].value, "");
  EXPECT_EQ(cookies[0].attributes["max-age"], "0");
  EXPECT_EQ(Self(alice.cookie).status, 401);
  EXPECT_EQ(Call(world_->router, Method::kPost, "/test/change",
                 {{"Cookie", alice.cookie}, {"X-CSRF-Token", alice.csrf}})
                .status,
            401);
}

TEST_F(AuthApiTest, CsrfMatrixRefusesWithoutStateChange) {
  Init({false, {"http://broker.test", false}});
  SignedIn alice = MustLogin("alice", "alice-password");
  SignedIn bob = MustLogin("root", "root-password");
  std::vector<std::pair<std::string, http::Fields>> cases = {
      {"no token", {{"Cookie", alice.cookie}}},
      {"wrong token", {{"Cookie", alice.cookie}, {"X-CSRF-Token", "wrong"}}},
      {"other session's token", {{"Cookie", alice.cookie}, {"X-CSRF-Token", bob.csrf}}},
      {"cross-site",
       {{"Cookie", alice.cookie}, {"X-CSRF-Token", alice.csrf}, {"Sec-Fetch-Site", "cross-site"}}},
      {"foreign origin",
       {{"Cookie", alice.cookie}, {"X-CSRF-Token", alice.csrf}, {"Origin", "http://evil.test"}}},
      {"null origin", {{"Cookie", alice.cookie}, {"X-CSRF-Token", alice.csrf}, {"Origin", "null"}}},
      {"cookie and bearer",
       {{"Cookie", alice.cookie}, {"X-CSRF-Token", alice.csrf}, {"Authorization", "Bearer x"}}},
  };
  for (const auto& [label, headers] : cases) {
    for (const char* path : {"/test/change", "/auth/logout"}) {
      http::Response response = Call(world_->router, Method::kPost, path, headers);
      EXPECT_EQ(response.status, 403) << label << " " << path;
      EXPECT_EQ(Json::parse(response.body)["statusCode"], 403) << label;
    }
  }
  EXPECT_EQ(changes_, 0);
  EXPECT_EQ(Self(alice.cookie).status, 200);  // logout did not happen either
  http::Response ok = Call(world_->router, Method::kPost, "/test/change",
                           {{"Cookie", alice.cookie},
                            {"X-CSRF-Token", alice.csrf},
                            {"Origin", "http://broker.test"},
                            {"Sec-Fetch-Site", "same-origin"}});
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(changes_, 1);
}

TEST_F(AuthApiTest, CrossSiteLoginIsRefused) {
  http::Response response = Login("alice", "alice-password", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(response.status, 403);
  EXPECT_TRUE(SetCookies(response).empty());
}

TEST_F(AuthApiTest, IdleAndAbsoluteExpiryThroughTheApi) {
  SignedIn alice = MustLogin("alice", "alice-password");
  world_->clock.AdvanceSeconds(899);
  EXPECT_EQ(Self(alice.cookie).status, 200);
  world_->clock.AdvanceSeconds(900);
  EXPECT_EQ(Self(alice.cookie).status, 401);
}

TEST_F(AuthApiTest, ProvidersAndOidcRoutesWithoutOidc) {
  http::Response providers = Call(world_->router, Method::kGet, "/auth/providers");
  EXPECT_EQ(Json::parse(providers.body),
            Json::parse(R"({"local":true,"oidc":{"enabled":false,"label":""}})"));
  EXPECT_EQ(Call(world_->router, Method::kGet, "/auth/login").status, 404);
  EXPECT_EQ(Call(world_->router, Method::kGet, "/auth/callback?code=a&state=b").status, 404);
}

TEST_F(AuthApiTest, EventsRecordOutcomesWithoutSecrets) {
  Login("alice", "wrong-password");
  MustLogin("alice", "alice-password");
  ASSERT_EQ(world_->events.size(), 2u);
  EXPECT_EQ(world_->events[0].outcome, "failure");
  EXPECT_EQ(world_->events[1].outcome, "success");
  for (const AuthEvent& event : world_->events) {
    EXPECT_EQ(event.reason.find("password"), std::string::npos);
    EXPECT_EQ(event.username, "alice");
  }
}

}  // namespace
}  // namespace broker::api::auth
