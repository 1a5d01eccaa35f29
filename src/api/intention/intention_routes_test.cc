#include "api/intention/intention_routes.h"

#include <gtest/gtest.h>

#include "api/intention/test_auth.h"
#include "core/secret.h"
#include "intentions/test_env.h"

namespace broker::api {
namespace {

using intentions::testing::BackupAction;
using intentions::testing::IntentionBody;
using intentions::testing::IntentionEnv;

class IntentionRoutesTest : public ::testing::Test {
 protected:
  IntentionRoutesTest() {
    Auth auth;
    auth.require_account = [this](const http::Request& request) {
      return testing::AccountNamedByBearer(env_, request);
    };
    auth.require_user = [](const http::Request& request) -> Result<UserPrincipal> {
      if (!request.Header("cookie")) return Unauthenticated();
      return UserPrincipal{"u1", "v1", "alice", "Alice", "alice@example.com", false, "csrf"};
    };
    RegisterIntentionRoutes(router_, env_.service(), auth);
  }

  http::Response Call(http::Method method, const std::string& target, const http::Fields& headers,
                      const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    EXPECT_TRUE(http::ParseTarget(target, request).ok());
    request.headers = headers;
    request.body = body;
    auto match = router_.Find(method, request.path);
    EXPECT_NE(match.handler, nullptr) << target;
    if (match.handler == nullptr) return http::Response::Empty(404);
    request.path_params = match.params;
    return (*match.handler)(request);
  }

  http::Response Post(const std::string& target, const http::Fields& headers,
                      const std::string& body = "") {
    return Call(http::Method::kPost, target, headers, body);
  }

  static Json BodyOf(const http::Response& response) {
    return response.body.empty() ? Json() : Json::parse(response.body);
  }

  IntentionEnv env_;
  http::Router router_;
};

const http::Fields kAccount = {{"authorization", "Bearer ci-deployer"},
                               {"content-type", "application/json"}};

TEST_F(IntentionRoutesTest, TheReferenceExchange) {
  auto opened = Post("/v1/intention/open?ttl=60", kAccount, IntentionBody(BackupAction()).dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  EXPECT_EQ(opened.Header("Cache-Control").value_or(""), "no-store");
  Json body = BodyOf(opened);
  const std::string action_token = body["actions"]["backup"]["token"];
  const std::string token = body["token"];
  auto started = Post("/v1/intention/action/start", {{"x-broker-token", action_token}});
  EXPECT_EQ(started.status, 201);
  EXPECT_TRUE(started.body.empty());
  auto artifact = Post("/v1/intention/action/artifact", {{"x-broker-token", action_token}},
                       R"({"name":"backup.tgz","checksum":"sha256:0a1b","size":3})");
  EXPECT_EQ(artifact.status, 201) << artifact.body;
  EXPECT_EQ(Post("/v1/intention/action/end", {{"x-broker-token", action_token}}).status, 201);
  auto closed = Post("/v1/intention/close", {{"x-broker-token", token}});
  EXPECT_EQ(closed.status, 201);
  EXPECT_EQ(BodyOf(closed)["message"], "Intention closed");
  EXPECT_EQ(BodyOf(closed)["statusCode"], 200);
  auto again = Post("/v1/intention/close", {{"x-broker-token", token}});
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(BodyOf(again), (Json{{"statusCode", 404}, {"message", "Intention not found"}}));
  EXPECT_EQ(Post("/v1/intention/close", {}).status, 404);  // no header: no intention

  auto fetched = Call(http::Method::kGet, "/v1/intention/" + body["id"].get<std::string>(),
                      {{"authorization", "Bearer ci-deployer"}});
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body.find(token), std::string::npos);
  EXPECT_EQ(fetched.body.find(action_token), std::string::npos);
  EXPECT_EQ(BodyOf(fetched)["actions"][0]["artifacts"][0]["name"], "backup.tgz");
}

TEST_F(IntentionRoutesTest, OpenRefusals) {
  auto unauthenticated = Post("/v1/intention/open", {}, IntentionBody(BackupAction()).dump());
  EXPECT_EQ(unauthenticated.status, 401);
  auto ttl = Post("/v1/intention/open?ttl=10", kAccount, IntentionBody(BackupAction()).dump());
  EXPECT_EQ(ttl.status, 400);
  EXPECT_EQ(BodyOf(ttl), (Json{{"statusCode", 400},
                               {"message", "TTL out of bounds"},
                               {"error", "TTL must be between 30 and 1800"}}));
  Json bad = IntentionBody(BackupAction());
  bad["event"].erase("reason");
  auto invalid = Post("/v1/intention/open", kAccount, bad.dump());
  EXPECT_EQ(BodyOf(invalid), (Json{{"statusCode", 400},
                                   {"message", "Intention validation error"},
                                   {"error",
                                    "Property .event.reason has failed the following constraints: "
                                    "isDefined"}}));
  Json action = BackupAction();
  action["service"]["project"] = "vault2";
  auto rejected = Post("/v1/intention/open", kAccount, IntentionBody(action).dump());
  EXPECT_EQ(rejected.status, 400);
  EXPECT_EQ(BodyOf(rejected),
            Json::parse(R"({"statusCode":400,"message":"Authorization failed","error":[{"message":
              "Token not authorized for this project","data":{"action":"backup","action_id":
              "backup","key":"service.project","value":"vault2"}}]})"));
  Json two = IntentionBody(BackupAction("a"));
  two["actions"].push_back(BackupAction("b"));
  auto quick = Post("/v1/intention/open?quickstart=true", kAccount, two.dump());
  EXPECT_EQ(BodyOf(quick), (Json{{"statusCode", 400},
                                 {"message", "Quick start failure"},
                                 {"error", "Quick start intentions must have 1 action"}}));
}

TEST_F(IntentionRoutesTest, LifecycleAndOutcomeErrors) {
  Json body = BodyOf(Post("/v1/intention/open", kAccount, IntentionBody(BackupAction()).dump()));
  const std::string action_token = body["actions"]["backup"]["token"];
  auto end = Post("/v1/intention/action/end?outcome=great", {{"x-broker-token", action_token}});
  EXPECT_EQ(end.status, 400);
  EXPECT_EQ(BodyOf(end)["message"], "Illegal outcome");
  ASSERT_EQ(Post("/v1/intention/action/start", {{"x-broker-token", action_token}}).status, 201);
  auto twice = Post("/v1/intention/action/start", {{"x-broker-token", action_token}});
  EXPECT_EQ(BodyOf(twice),
            (Json{{"statusCode", 400},
                  {"message", "Illegal lifecycle request"},
                  {"error",
                   "Action's current lifecycle state (started) can not do transition: "
                   "start"}}));
  auto unknown = Post("/v1/intention/action/start", {{"x-broker-token", "nope"}});
  EXPECT_EQ(BodyOf(unknown), (Json{{"statusCode", 404}, {"message", "Action not found"}}));
  auto closed = Post("/v1/intention/close?outcome=failure&reason=broke",
                     {{"x-broker-token", body["token"].get<std::string>()}});
  EXPECT_EQ(closed.status, 201);
}

TEST_F(IntentionRoutesTest, ReadsNeedACallerAndValidIds) {
  Json body = BodyOf(Post("/v1/intention/open", kAccount, IntentionBody(BackupAction()).dump()));
  const std::string id = body["id"];
  EXPECT_EQ(Call(http::Method::kGet, "/v1/intention/" + id, {}).status, 401);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/intention/" + id, {{"cookie", "s=1"}}).status, 200);
  auto bad = Call(http::Method::kGet, "/v1/intention/xyz", {{"cookie", "s=1"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(BodyOf(bad)["message"], "Validation failed (ObjectId: xyz is not a valid ObjectId)");
  EXPECT_EQ(Call(http::Method::kGet, "/v1/intention/0123456789abcdef01234567", {{"cookie", "s=1"}})
                .status,
            404);

  auto search = Post("/v1/intention/search?limit=5", {{"cookie", "s=1"}},
                     R"({"project":"fluent","action":"backup"})");
  EXPECT_EQ(search.status, 201);
  EXPECT_EQ(BodyOf(search)["meta"]["total"], 1);
  EXPECT_EQ(Post("/v1/intention/search?limit=500", {{"cookie", "s=1"}}).status, 400);
  EXPECT_EQ(Post("/v1/intention/search", {}).status, 401);

  const std::string account_id = env_.OpenerFor("ci-deployer").account_id;
  auto history =
      Call(http::Method::kGet, "/v1/collection/broker-account/" + account_id + "/intentions",
           {{"cookie", "s=1"}});
  EXPECT_EQ(history.status, 200);
  Json page = BodyOf(history);
  ASSERT_EQ(page["meta"]["total"], 1);
  EXPECT_EQ(page["data"][0]["event"]["reason"], "Nightly job");
  EXPECT_EQ(page["data"][0]["user"]["name"], "hgoddard");
  EXPECT_EQ(Call(http::Method::kGet, "/v1/collection/broker-account/" + account_id + "/intentions",
                 {{"authorization", "Bearer ci-deployer"}})
                .status,
            401);
}

}  // namespace
}  // namespace broker::api
