#include "http/message.h"

#include <gtest/gtest.h>

namespace broker::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndKeepsPlusInPaths) {
  EXPECT_EQ(PercentDecode("/a%20b+c%2Fd"), "/a b+c/d");
  EXPECT_EQ(PercentDecode("a+b%2B", true), "a b+");
  EXPECT_EQ(PercentDecode("%C3%A9"), "\xC3\xA9");
}

TEST(PercentDecodeTest, RejectsMalformedEscapesNulAndInvalidUtf8) {
  EXPECT_FALSE(PercentDecode("%"));
  EXPECT_FALSE(PercentDecode("%4"));
  EXPECT_FALSE(PercentDecode("%zz"));
  EXPECT_FALSE(PercentDecode("a%00b"));
  EXPECT_FALSE(PercentDecode("%C3"));
  EXPECT_FALSE(PercentDecode("%C0%AF"));     // overlong "/"
  EXPECT_FALSE(PercentDecode("%ED%A0%80"));  // surrogate
}

TEST(ParseTargetTest, SplitsPathAndQuery) {
  Request request;
  ASSERT_TRUE(ParseTarget("/v1/x%20y?a=1&b=two+words&c&a=%3D", request).ok());
  EXPECT_EQ(request.path, "/v1/x y");
  EXPECT_EQ(request.target, "/v1/x%20y?a=1&b=two+words&c&a=%3D");
  ASSERT_EQ(request.query.size(), 4u);
  EXPECT_EQ(request.Query("a"), "1");
  EXPECT_EQ(request.Query("b"), "two words");
  EXPECT_EQ(request.Query("c"), "");
  EXPECT_EQ(request.query[3].second, "=");
  EXPECT_FALSE(request.Query("d"));
}

TEST(ParseTargetTest, RejectsBadTargets) {
  for (const char* target : {"", "*", "http://x/", "/a%zz", "/a?b=%00", "/a/../b", "/a/%2e%2E/b",
                             "/./a", "/a/..", "/%FF", "/a%2Fb", "/a%2fb"}) {
    Request request;
    Status status = ParseTarget(target, request);
    ASSERT_FALSE(status.ok()) << target;
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument) << target;
  }
}

TEST(RequestTest, HeadersAreCaseInsensitive) {
  Request request;
  request.headers = {{"x-a", "1"}, {"x-a", "2"}, {"user-agent", "ua"}};
  EXPECT_EQ(request.Header("X-A"), "1");
  EXPECT_EQ(request.HeaderCount("x-A"), 2u);
  EXPECT_EQ(request.HeaderCount("x-b"), 0u);
  EXPECT_EQ(request.UserAgent(), "ua");
}

TEST(RequestTest, JsonBodyIsStrict) {
  Request request;
  EXPECT_EQ(request.JsonBody().error().code(), ErrorCode::kInvalidArgument);
  request.body = R"({"a":1,"a":2})";
  EXPECT_EQ(request.JsonBody().error().code(), ErrorCode::kInvalidArgument);
  request.body = R"({"a":[1,2]})";
  ASSERT_TRUE(request.JsonBody().ok());
  EXPECT_EQ((*request.JsonBody())["a"][1], 2);
}

TEST(ResponseTest, FromErrorBuildsEnvelope) {
  Response response = Response::FromError(NotFound("No such thing", "internal detail"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Json::parse(response.body),
            Json::parse(R"({"statusCode":404,"message":"No such thing","error":"Not Found"})"));
  EXPECT_EQ(response.body.find("internal"), std::string::npos);
  EXPECT_EQ(response.Header("content-type"), "application/json; charset=utf-8");
}

TEST(ResponseTest, FromErrorUsesLabelAndOmitsEmptyLabel) {
  auto labelled = Response::FromError(PermissionDenied("Invalid JWT").WithLabel("Block list"));
  EXPECT_EQ(Json::parse(labelled.body)["error"], "Block list");
  auto bare = Response::FromError(Unauthenticated().WithLabel(""));
  EXPECT_EQ(Json::parse(bare.body), Json::parse(R"({"statusCode":401,"message":"Unauthorized"})"));
}

TEST(ResponseTest, InternalErrorHasTheNestShape) {
  auto response = Response::FromError(Internal("db exploded"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(Json::parse(response.body),
            Json::parse(R"({"statusCode":500,"message":"Internal server error"})"));
}

TEST(ResponseTest, SetHeaderReplaces) {
  Response response = Response::Empty(204);
  response.SetHeader("Cache-Control", "a");
  response.SetHeader("cache-control", "b");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.Header("CACHE-CONTROL"), "b");
}

TEST(RequireJsonContentTypeTest, Policy) {
  Request request;
  EXPECT_FALSE(RequireJsonContentType(request));  // empty body: nothing to check
  request.body = "{}";
  auto missing = RequireJsonContentType(request);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 415);
  EXPECT_EQ(Json::parse(missing->body)["error"], "Unsupported Media Type");
  request.headers = {{"content-type", "text/plain"}};
  EXPECT_TRUE(RequireJsonContentType(request));
  request.headers = {{"content-type", "application/jsonp"}};
  EXPECT_TRUE(RequireJsonContentType(request));
  request.headers = {{"content-type", "Application/JSON ; charset=utf-8"}};
  EXPECT_FALSE(RequireJsonContentType(request));
}

TEST(ReasonPhraseTest, Known) {
  EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(799), "Unknown");
}

}  // namespace
}  // namespace broker::http
