#include "http/router.h"

#include <gtest/gtest.h>

namespace broker::http {
namespace {

Handler Tag(const std::string& tag) {
  return [tag](const Request&) {
    Response response;
    response.body = tag;
    return response;
  };
}

std::string Invoke(const Router::Match& match) {
  if (!match.handler) return "<none>";
  return (*match.handler)(Request{}).body;
}

TEST(RouterTest, LiteralBeatsParamRegardlessOfOrder) {
  Router router;
  router.Add(Method::kGet, "/v1/collection/:collection/:id", Tag("param"));
  router.Add(Method::kGet, "/v1/collection/user/self", Tag("literal"));
  router.Add(Method::kGet, "/v1/collection/:collection/self", Tag("half"));
  EXPECT_EQ(Invoke(router.Find(Method::kGet, "/v1/collection/user/self")), "literal");
  EXPECT_EQ(Invoke(router.Find(Method::kGet, "/v1/collection/team/self")), "half");
  auto match = router.Find(Method::kGet, "/v1/collection/team/abc");
  EXPECT_EQ(Invoke(match), "param");
  EXPECT_EQ(match.params, (Fields{{"collection", "team"}, {"id", "abc"}}));
}

TEST(RouterTest, EarlierLiteralWins) {
  Router router;
  router.Add(Method::kGet, "/a/:x/c", Tag("late-literal"));
  router.Add(Method::kGet, "/a/b/:y", Tag("early-literal"));
  EXPECT_EQ(Invoke(router.Find(Method::kGet, "/a/b/c")), "early-literal");
}

TEST(RouterTest, MethodNotAllowedAndNoMatch) {
  Router router;
  router.Add(Method::kPost, "/v1/x/:id", Tag("post"));
  auto wrong = router.Find(Method::kGet, "/v1/x/1");
  EXPECT_TRUE(wrong.method_not_allowed);
  EXPECT_EQ(wrong.handler, nullptr);
  auto none = router.Find(Method::kPost, "/v1/y/1");
  EXPECT_FALSE(none.method_not_allowed);
  EXPECT_EQ(none.handler, nullptr);
  EXPECT_EQ(Invoke(router.Find(Method::kPost, "/v1/x/1")), "post");
}

TEST(RouterTest, MethodIsCheckedBeforeSpecificity) {
  Router router;
  router.Add(Method::kGet, "/c/user/self", Tag("get-literal"));
  router.Add(Method::kPost, "/c/:a/:b", Tag("post-param"));
  EXPECT_EQ(Invoke(router.Find(Method::kPost, "/c/user/self")), "post-param");
}

TEST(RouterTest, SegmentsMustMatchExactly) {
  Router router;
  router.Add(Method::kGet, "/v1/x/:id", Tag("x"));
  EXPECT_EQ(router.Find(Method::kGet, "/v1/x").handler, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/v1/x/").handler, nullptr);  // empty param
  EXPECT_EQ(router.Find(Method::kGet, "/v1/x/1/2").handler, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/V1/x/1").handler, nullptr);
}

TEST(RouterTest, HeadUsesGetUnlessHeadIsDeclared) {
  Router router;
  router.Add(Method::kGet, "/a", Tag("get"));
  router.Add(Method::kGet, "/b", Tag("get-b"));
  router.Add(Method::kHead, "/b", Tag("head-b"));
  EXPECT_EQ(Invoke(router.Find(Method::kHead, "/a")), "get");
  EXPECT_EQ(Invoke(router.Find(Method::kHead, "/b")), "head-b");
  EXPECT_EQ(Invoke(router.Find(Method::kGet, "/b")), "get-b");
}

TEST(RouterTest, StreamsAreGetOnly) {
  Router router;
  router.AddStream(
      "/v1/events/:topic",
      [](const Request&, const std::shared_ptr<EventSink>&) -> std::optional<Response> {
        return std::nullopt;
      });
  auto get = router.Find(Method::kGet, "/v1/events/t");
  EXPECT_NE(get.stream, nullptr);
  EXPECT_EQ(get.params, (Fields{{"topic", "t"}}));
  EXPECT_TRUE(router.Find(Method::kPost, "/v1/events/t").method_not_allowed);
  EXPECT_TRUE(router.Find(Method::kHead, "/v1/events/t").method_not_allowed);
}

TEST(RouterTest, Fallback) {
  Router router;
  EXPECT_EQ(router.fallback(), nullptr);
  router.SetFallback(Tag("fb"));
  ASSERT_NE(router.fallback(), nullptr);
  EXPECT_EQ((*router.fallback())(Request{}).body, "fb");
}

TEST(RouterTest, RootPattern) {
  Router router;
  router.Add(Method::kGet, "/", Tag("root"));
  EXPECT_EQ(Invoke(router.Find(Method::kGet, "/")), "root");
  EXPECT_EQ(router.Find(Method::kGet, "/x").handler, nullptr);
}

}  // namespace
}  // namespace broker::http
