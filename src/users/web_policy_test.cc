#include "users/web_policy.h"

#include <gtest/gtest.h>

namespace broker::users {
namespace {

TEST(CookieTest, NamesAndAttributes) {
  EXPECT_EQ(SessionCookieName(true), "__Host-broker_session");
  EXPECT_EQ(SessionCookieName(false), "broker_session");
  EXPECT_EQ(PreLoginCookieName(true), "__Host-broker_oidc");
  EXPECT_EQ(SetCookieValue("__Host-broker_session", "abc", true),
            "__Host-broker_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(SetCookieValue("broker_session", "abc", false),
            "broker_session=abc; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(ClearCookieValue("broker_session", false),
            "broker_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

TEST(CookieTest, FindCookie) {
  EXPECT_EQ(FindCookie("a=1; broker_session=xyz; b=2", "broker_session"), "xyz");
  EXPECT_EQ(FindCookie("broker_session=first;broker_session=second", "broker_session"), "first");
  EXPECT_EQ(FindCookie("xbroker_session=1", "broker_session"), std::nullopt);
  EXPECT_EQ(FindCookie("flag; broker_session = v ", "broker_session"), "v");
  EXPECT_EQ(FindCookie("", "broker_session"), std::nullopt);
}

RequestFacts UnsafeWithToken(std::string_view token) {
  RequestFacts facts;
  facts.unsafe_method = true;
  facts.has_session_cookie = true;
  facts.csrf_header = token;
  facts.host = "broker.test:3000";
  return facts;
}

ErrorCode CodeOf(const Status& status) {
  return status.ok() ? ErrorCode::kInternal : status.error().code();
}

TEST(CsrfPolicyTest, MatchingTokenPasses) {
  EXPECT_TRUE(DecideSessionRequest(UnsafeWithToken("tok"), {}, "tok").ok());
}

TEST(CsrfPolicyTest, MissingWrongOrOtherSessionsTokenIsRefused) {
  RequestFacts missing = UnsafeWithToken("x");
  missing.csrf_header.reset();
  for (const RequestFacts& facts : {missing, UnsafeWithToken("wrong"),
                                    UnsafeWithToken("other-session-token"), UnsafeWithToken("")}) {
    Status status = DecideSessionRequest(facts, {}, "tok");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(status.error().message(), "Invalid CSRF token");
  }
  // An empty session token never matches, even an empty header.
  EXPECT_FALSE(DecideSessionRequest(UnsafeWithToken(""), {}, "").ok());
}

TEST(CsrfPolicyTest, SafeMethodsNeedNoToken) {
  RequestFacts facts;
  facts.has_session_cookie = true;
  facts.sec_fetch_site = "cross-site";
  EXPECT_TRUE(DecideSessionRequest(facts, {}, "tok").ok());
}

TEST(CsrfPolicyTest, FetchMetadata) {
  RequestFacts facts = UnsafeWithToken("tok");
  facts.sec_fetch_site = "cross-site";
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, {}, "tok")), ErrorCode::kPermissionDenied);
  facts.sec_fetch_site = "same-site";
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, {}, "tok")), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(DecideSessionRequest(facts, {"", true}, "tok").ok());
  facts.sec_fetch_site = "same-origin";
  EXPECT_TRUE(DecideSessionRequest(facts, {}, "tok").ok());
}

TEST(CsrfPolicyTest, OriginChecks) {
  RequestFacts facts = UnsafeWithToken("tok");
  OriginPolicy configured{"https://broker.example.com", false};
  facts.origin = "https://broker.example.com";
  EXPECT_TRUE(DecideSessionRequest(facts, configured, "tok").ok());
  facts.origin = "https://evil.example.com";
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, configured, "tok")), ErrorCode::kPermissionDenied);
  facts.origin = "null";
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, configured, "tok")), ErrorCode::kPermissionDenied);
  // Without a configured origin, Origin must name the request's Host.
  facts.origin = "http://broker.test:3000";
  EXPECT_TRUE(DecideSessionRequest(facts, {}, "tok").ok());
  facts.origin = "http://evil.test:3000";
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, {}, "tok")), ErrorCode::kPermissionDenied);
  facts.origin.reset();
  facts.referer = "http://evil.test/page";
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, {}, "tok")), ErrorCode::kPermissionDenied);
  facts.referer = "http://broker.test:3000/ui/accounts";
  EXPECT_TRUE(DecideSessionRequest(facts, {}, "tok").ok());
}

TEST(CsrfPolicyTest, CookieAndBearerTogetherAreRefusedEvenForGet) {
  RequestFacts facts;
  facts.has_session_cookie = true;
  facts.has_bearer = true;
  EXPECT_EQ(CodeOf(DecideSessionRequest(facts, {}, "tok")), ErrorCode::kPermissionDenied);
}

TEST(RateLimiterTest, TwentyPerMinutePerKey) {
  auto now = std::chrono::steady_clock::time_point{};
  RateLimiter limiter(20, std::chrono::seconds(60), [&] { return now; });
  for (int i = 0; i < 20; ++i) EXPECT_EQ(limiter.Take("10.0.0.1"), std::nullopt) << i;
  EXPECT_EQ(limiter.Take("10.0.0.1"), 3);
  EXPECT_EQ(limiter.Take("10.0.0.2"), std::nullopt);
  now += std::chrono::seconds(2);
  EXPECT_EQ(limiter.Take("10.0.0.1"), 1);
  now += std::chrono::seconds(1);
  EXPECT_EQ(limiter.Take("10.0.0.1"), std::nullopt);
  EXPECT_EQ(limiter.Take("10.0.0.1"), 3);
}

}  // namespace
}  // namespace broker::users
