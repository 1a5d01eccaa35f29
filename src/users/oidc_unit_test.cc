#include <gtest/gtest.h>

#include <map>

#include "core/encoding.h"
#include "users/http_client.h"
#include "users/oidc.h"

namespace broker::users {
namespace {

TEST(ReturnPathTest, OnlySameOriginRelativePaths) {
  for (const char* good : {"/", "/accounts/42", "/a?b=c#d", "/x//y"}) {
    EXPECT_TRUE(IsSafeReturnPath(good)) << good;
  }
  for (const char* bad : {"", "//evil.example", "/\\evil.example", "https://evil.example/",
                          "javascript:alert(1)", "relative", "/a\r\nSet-Cookie: x=y", "/a\\b"}) {
    EXPECT_FALSE(IsSafeReturnPath(bad)) << bad;
  }
  EXPECT_FALSE(IsSafeReturnPath("/" + std::string(2048, 'a')));
}

TEST(JsonAtPathTest, WalksDottedPaths) {
  Json doc = Json::parse(R"({"a":{"b":{"c":"deep"}},"list":[1],"flat":"x"})");
  EXPECT_EQ(*JsonAtPath(doc, "a.b.c"), "deep");
  EXPECT_EQ(*JsonAtPath(doc, "flat"), "x");
  EXPECT_EQ(JsonAtPath(doc, "a.missing"), nullptr);
  EXPECT_EQ(JsonAtPath(doc, "flat.x"), nullptr);
  EXPECT_EQ(JsonAtPath(doc, "list.0"), nullptr);
}

TEST(OidcConfigTest, ReadsTheReferenceVariables) {
  std::map<std::string, std::string, std::less<>> env = {
      {"OAUTH2_CLIENT_PROVIDER_OIDC_ISSUER", "https://idp.example/realms/x"},
      {"OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_ID", "broker"},
      {"OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_SECRET", "s3cret"},
      {"OAUTH2_CLIENT_REGISTRATION_LOGIN_REDIRECT_URI", "https://broker.example/auth/callback"},
      {"OAUTH2_CLIENT_REGISTRATION_LOGIN_SCOPE", "openid email"},
      {"OAUTH2_CLIENT_MAP_USERNAME", "preferred_username"},
      {"OAUTH2_CLIENT_MAP_ROLES", "resource_access.broker.roles"},
  };
  EnvReader reader = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto config = OidcConfigFromEnv(reader);
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(config->has_value());
  const OidcConfig& c = **config;
  EXPECT_EQ(c.issuer, "https://idp.example/realms/x");
  EXPECT_EQ(c.client_secret.RevealForUse(), "s3cret");
  EXPECT_EQ(c.scope, "openid email");
  EXPECT_EQ(c.mapping.username, "preferred_username");
  EXPECT_EQ(c.mapping.roles, "resource_access.broker.roles");
  EXPECT_EQ(c.mapping.email, "email");
  EXPECT_EQ(c.mapping.guid, "idir_user_guid");
  EXPECT_EQ(c.mapping.domain, "idp");

  env.erase("OAUTH2_CLIENT_REGISTRATION_LOGIN_REDIRECT_URI");
  EXPECT_EQ(OidcConfigFromEnv(reader).error().code(), ErrorCode::kInvalidArgument);
  env.erase("OAUTH2_CLIENT_PROVIDER_OIDC_ISSUER");
  auto disabled = OidcConfigFromEnv(reader);
  ASSERT_TRUE(disabled.ok());
  EXPECT_FALSE(disabled->has_value());
}

TEST(VerifyRs256Test, RefusesMalformedAndShortKeys) {
  Json no_key = {{"kty", "RSA"}};
  EXPECT_EQ(VerifyRs256(no_key, "a.b", "sig").error().code(), ErrorCode::kInvalidArgument);
  std::string small_n(128, '\xff');  // 1024 bits
  Json short_key = {{"kty", "RSA"}, {"n", Base64UrlEncode(small_n)}, {"e", "AQAB"}};
  EXPECT_EQ(VerifyRs256(short_key, "a.b", "sig").error().code(), ErrorCode::kInvalidArgument);
  std::string big_n(256, '\xc5');
  Json key = {{"kty", "RSA"}, {"n", Base64UrlEncode(big_n)}, {"e", "AQAB"}};
  EXPECT_EQ(VerifyRs256(key, "a.b", std::string(256, 'x')).error().code(),
            ErrorCode::kUnauthenticated);
}

TEST(UrlEncodeTest, KeepsUnreservedOnly) {
  EXPECT_EQ(UrlEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(UrlEncode("a b/c?d=e&f+"), "a%20b%2Fc%3Fd%3De%26f%2B");
}

}  // namespace
}  // namespace broker::users
