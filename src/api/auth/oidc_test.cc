// OIDC sign-in against the fake provider in tests/fakes/fake_oidc.py.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include "api/auth/auth_api.h"
#include "api/auth/auth_test_util.h"
#include "users/http_client.h"

namespace broker::api::auth {
namespace {

using http::Method;
using testing::AuthWorld;
using testing::Call;
using testing::SetCookies;

constexpr char kClientId[] = "broker-test";
constexpr char kClientSecret[] = "canary-oidc-client-secret";
constexpr char kRedirectUri[] = "http://broker.test/auth/callback";

// The fake provider process, started once for the whole suite.
class FakeProvider {
 public:
  FakeProvider() {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::string script = std::string(BROKER_SOURCE_DIR) + "/tests/fakes/fake_oidc.py";
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execlp("python3", "python3", script.c_str(), "--port", "0", "--client-id", kClientId,
             "--client-secret", kClientSecret, "--redirect-uri", kRedirectUri, nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    if (!line.starts_with("PORT=")) throw std::runtime_error("fake OIDC did not start: " + line);
    issuer_ = "http://127.0.0.1:" + line.substr(5);
  }
  ~FakeProvider() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  const std::string& issuer() const { return issuer_; }

 private:
  pid_t pid_ = -1;
  std::string issuer_;
};

class OidcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { provider_ = new FakeProvider(); }
  static void TearDownTestSuite() {
    delete provider_;
    provider_ = nullptr;
  }

  void SetUp() override {
    config_.issuer = provider_->issuer();
    config_.client_id = kClientId;
    config_.client_secret = SecretString(kClientSecret);
    config_.redirect_uri = kRedirectUri;
    config_.label = "Sign in with Fake IdP";
    world_ = std::make_unique<AuthWorld>(WebConfig{}, &config_, &curl_);
    world_->clock.SetSeconds(std::time(nullptr));
    SetMode("normal");
  }

  void SetMode(const std::string& mode) {
    auto reply = curl_.PostForm(provider_->issuer() + "/_control", Json{{"mode", mode}}.dump(), {});
    ASSERT_TRUE(reply.ok() && reply->status == 200);
  }

  struct Started {
    std::string prelogin_cookie;  // "broker_oidc=..."
    std::string authorize_url;
  };
  Started Start(const std::string& return_to = "/") {
    http::Response response =
        Call(world_->router, Method::kGet, "/auth/login?return=" + users::UrlEncode(return_to));
    EXPECT_EQ(response.status, 302) << response.body;
    auto cookies = SetCookies(response);
    EXPECT_EQ(cookies.size(), 1u);
    if (cookies.empty()) return {};
    EXPECT_EQ(cookies[0].name, "broker_oidc");
    EXPECT_EQ(cookies[0].attributes.at("samesite"), "Lax");
    return {cookies[0].name + "=" + cookies[0].value,
            std::string(response.Header("Location").value_or(""))};
  }

  // Follows the authorize URL at the provider; returns the callback target "/auth/callback?..".
  std::string Authorize(const std::string& url) {
    auto reply = curl_.Get(url, {});
    EXPECT_TRUE(reply.ok());
    if (!reply.ok()) return {};
    EXPECT_EQ(reply->status, 302) << reply->body;
    std::string prefix = std::string(kRedirectUri);
    EXPECT_TRUE(reply->location.starts_with(prefix)) << reply->location;
    return "/auth/callback" + reply->location.substr(prefix.size());
  }

  http::Response Callback(const std::string& target, const std::string& cookie) {
    return Call(world_->router, Method::kGet, target, {{"Cookie", cookie}});
  }

  void ExpectRefused(const http::Response& response, const std::string& what,
                     bool user_may_exist = false) {
    EXPECT_EQ(response.status, 401) << what << ": " << response.body;
    for (const auto& cookie : SetCookies(response)) {
      EXPECT_NE(cookie.name, "broker_session") << what;
    }
    auto rows = world_->db->Execute("SELECT COUNT(*) FROM user_sessions");
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->rows[0].Int(0), 0) << what;
    if (!user_may_exist) {
      EXPECT_FALSE(world_->directory.FindByUsername("jdoe").ok()) << what;
    }
    ASSERT_FALSE(world_->events.empty());
    EXPECT_EQ(world_->events.back().outcome, "failure") << what;
  }

  static FakeProvider* provider_;
  users::OidcConfig config_;
  users::CurlHttpClient curl_;
  std::unique_ptr<AuthWorld> world_;
};

FakeProvider* OidcTest::provider_ = nullptr;

TEST_F(OidcTest, HappyPathCreatesUserAndSessionAndReturnsToTheDeepLink) {
  Started started = Start("/accounts/42?tab=tokens");
  EXPECT_NE(started.authorize_url.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(started.authorize_url.find("&nonce="), std::string::npos);
  http::Request parsed;
  ASSERT_TRUE(
      http::ParseTarget(started.authorize_url.substr(started.authorize_url.find("/auth")), parsed)
          .ok());
  EXPECT_GE(parsed.Query("state").value_or("").size(), 22u);  // >= 128 bits
  EXPECT_EQ(parsed.Query("redirect_uri"), kRedirectUri);

  http::Response response = Callback(Authorize(started.authorize_url), started.prelogin_cookie);
  ASSERT_EQ(response.status, 302) << response.body;
  EXPECT_EQ(response.Header("Location"), "/accounts/42?tab=tokens");
  EXPECT_EQ(response.Header("Cache-Control"), "no-store");
  std::string session;
  bool cleared_prelogin = false;
  for (const auto& cookie : SetCookies(response)) {
    if (cookie.name == "broker_session") {
      session = cookie.name + "=" + cookie.value;
      std::map<std::string, std::string> expected{
          {"path", "/"}, {"httponly", ""}, {"samesite", "Lax"}};
      EXPECT_EQ(cookie.attributes, expected);
    }
    if (cookie.name == "broker_oidc") cleared_prelogin = cookie.attributes.at("max-age") == "0";
  }
  EXPECT_TRUE(cleared_prelogin);
  ASSERT_FALSE(session.empty());
  http::Response self =
      Call(world_->router, Method::kGet, "/v1/collection/user/self", {{"Cookie", session}});
  ASSERT_EQ(self.status, 200);
  Json body = Json::parse(self.body);
  EXPECT_EQ(body["username"], "jdoe");
  EXPECT_EQ(body["name"], "Doe, Jane");
  EXPECT_EQ(body["email"], "jane.doe@example.com");
  EXPECT_EQ(body["domain"], "idp");
  EXPECT_EQ(body["guid"], "F3A1C2D4E5B6");
  EXPECT_EQ(body["roles"], Json::array({"admin"}));
  EXPECT_EQ(world_->events.back().outcome, "success");
}

TEST_F(OidcTest, ProvidersReportsTheLabel) {
  http::Response providers = Call(world_->router, Method::kGet, "/auth/providers");
  EXPECT_EQ(
      Json::parse(providers.body),
      Json::parse(R"({"local":true,"oidc":{"enabled":true,"label":"Sign in with Fake IdP"}})"));
}

TEST_F(OidcTest, ForeignReturnPathsFallBackToRoot) {
  for (const char* target :
       {"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"}) {
    Started started = Start(target);
    http::Response response = Callback(Authorize(started.authorize_url), started.prelogin_cookie);
    ASSERT_EQ(response.status, 302) << target;
    EXPECT_EQ(response.Header("Location"), "/") << target;
  }
}

TEST_F(OidcTest, EveryNegativeModeIsRefused) {
  // Each mode must fail for its own reason, not for some unrelated one.
  std::vector<std::pair<std::string, std::string>> modes = {
      {"wrong_nonce", "nonce mismatch"},
      {"wrong_aud", "aud mismatch"},
      {"wrong_iss", "iss mismatch"},
      {"expired", "id token expired"},
      {"future_iat", "issued in the future"},
      {"alg_none", "alg is not RS256"},
      {"bad_signature", "signature does not verify"},
      {"unknown_kid", "no provider key"},
      {"userinfo_sub_mismatch", "userinfo sub differs"},
      {"token_error", "token endpoint answered 400"},
  };
  for (const auto& [mode, reason] : modes) {
    SetMode(mode);
    Started started = Start();
    ExpectRefused(Callback(Authorize(started.authorize_url), started.prelogin_cookie), mode);
    EXPECT_NE(world_->events.back().reason.find(reason), std::string::npos)
        << mode << ": " << world_->events.back().reason;
  }
}

TEST_F(OidcTest, ReplayedCallbackIsRefused) {
  SetMode("replay");  // the provider would even accept the code twice
  Started started = Start();
  std::string callback = Authorize(started.authorize_url);
  ASSERT_EQ(Callback(callback, started.prelogin_cookie).status, 302);
  ASSERT_TRUE(world_->sessions.DeleteForUser("jdoe").ok());
  http::Response replay = Callback(callback, started.prelogin_cookie);
  EXPECT_EQ(replay.status, 401);
  for (const auto& cookie : SetCookies(replay)) EXPECT_NE(cookie.name, "broker_session");
  EXPECT_NE(world_->events.back().reason.find("unknown or already used state"), std::string::npos);
}

TEST_F(OidcTest, UsedCodeWithAFreshStateIsRefusedByTheProvider) {
  Started first = Start();
  std::string callback = Authorize(first.authorize_url);
  ASSERT_EQ(Callback(callback, first.prelogin_cookie).status, 302);
  ASSERT_TRUE(world_->sessions.DeleteForUser("jdoe").ok());
  Started second = Start();
  std::string fresh = Authorize(second.authorize_url);
  http::Request old_parsed;
  http::Request fresh_parsed;
  ASSERT_TRUE(http::ParseTarget(callback, old_parsed).ok());
  ASSERT_TRUE(http::ParseTarget(fresh, fresh_parsed).ok());
  std::string mixed = "/auth/callback?code=" + std::string(*old_parsed.Query("code")) +
                      "&state=" + std::string(*fresh_parsed.Query("state"));
  ExpectRefused(Callback(mixed, second.prelogin_cookie), "used code", true);
  EXPECT_NE(world_->events.back().reason.find("token endpoint answered 400"), std::string::npos);
}

TEST_F(OidcTest, StateMismatchAndMissingBindingAreRefused) {
  Started started = Start();
  std::string callback = Authorize(started.authorize_url);
  http::Request parsed;
  ASSERT_TRUE(http::ParseTarget(callback, parsed).ok());
  std::string code(*parsed.Query("code"));
  ExpectRefused(Callback("/auth/callback?code=" + code + "&state=forged", started.prelogin_cookie),
                "forged state");
  Started other = Start();
  std::string other_callback = Authorize(other.authorize_url);
  // A callback carried into another browser (without, or with a different, pre-login cookie).
  ExpectRefused(Callback(other_callback, "broker_oidc=someone-else"), "wrong binding");
  Started third = Start();
  ExpectRefused(Callback(Authorize(third.authorize_url), ""), "no binding");
  ExpectRefused(Call(world_->router, Method::kGet, "/auth/callback?error=access_denied&state=x"),
                "provider error");
}

TEST_F(OidcTest, SlowLoginsExpire) {
  Started started = Start();
  std::string callback = Authorize(started.authorize_url);
  world_->clock.AdvanceSeconds(600);
  ExpectRefused(Callback(callback, started.prelogin_cookie), "expired attempt");
}

TEST_F(OidcTest, ProviderDownIsUnavailable) {
  config_.issuer = "http://127.0.0.1:1";
  AuthWorld world(WebConfig{}, &config_, &curl_);
  http::Response response = Call(world.router, Method::kGet, "/auth/login");
  EXPECT_EQ(response.status, 503);
}

}  // namespace
}  // namespace broker::api::auth
