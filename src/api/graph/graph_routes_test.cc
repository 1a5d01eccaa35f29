#include "api/graph/graph_routes.h"

#include <gtest/gtest.h>

#include "graph/test_util.h"

namespace broker::api {
namespace {

using graph::testing::GraphFixture;

// A fake Auth: header "x-test-user: <username>" signs in that user (admin if "dave");
// "authorization: Bearer good" is a valid account token.
Auth FakeAuth(graph::Graph& graph) {
  Auth auth;
  auth.require_user = [&graph](const http::Request& request) -> Result<UserPrincipal> {
    const auto name = request.Header("x-test-user");
    if (!name) return Unauthenticated();
    UserPrincipal user;
    user.username = std::string(*name);
    user.admin = *name == "dave";
    if (const graph::Vertex* v = graph.snapshot()->FindByKey("user", *name)) user.vertex_id = v->id;
    return user;
  };
  auth.require_account = [](const http::Request& request) -> Result<AccountPrincipal> {
    if (request.Header("authorization") != "Bearer good") return Unauthenticated();
    return AccountPrincipal{};
  };
  return auth;
}

class GraphRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.graph().Import(graph::testing::SampleImport()).ok());
    ASSERT_TRUE(f_.graph().UpsertUser({"dave", "Dave", "dave@x", "", ""}).ok());
    RegisterGraphRoutes(router_, f_.graph(), FakeAuth(f_.graph()));
  }

  http::Response Call(http::Method method, const std::string& target, const std::string& user,
                      const std::string& body = "", const std::string& bearer = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    EXPECT_TRUE(http::ParseTarget(target, request).ok()) << target;
    if (!user.empty()) request.headers.emplace_back("x-test-user", user);
    if (!bearer.empty()) request.headers.emplace_back("authorization", "Bearer " + bearer);
    request.body = body;
    const auto match = router_.Find(method, request.path);
    if (match.handler == nullptr) return http::Response::Empty(404);
    request.path_params = match.params;
    return (*match.handler)(request);
  }
  Json Body(const http::Response& response) { return Json::parse(response.body); }
  std::string Id(const std::string& c, const std::string& k) { return f_.Id(c, k); }
  std::string ObjectId(const std::string& c, const std::string& k) {
    return f_.snap()->FindByKey(c, k)->object_id;
  }

  GraphFixture f_;
  http::Router router_;
};

TEST_F(GraphRoutesTest, Config) {
  const auto response = Call(http::Method::kGet, "/v1/collection/config", "alice");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(Body(response).size(), 11u);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/collection/config", "").status, 401);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/collection/config", "", "", "good").status, 200);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/collection/config", "", "", "bad").status, 401);
}

TEST_F(GraphRoutesTest, GetByIdValidatesIdAndCollection) {
  const std::string id = ObjectId("brokerAccount", "ci-deployer");
  auto ok = Call(http::Method::kGet, "/v1/collection/broker-account/" + id, "alice");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(Body(ok)["clientId"], "6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f");
  EXPECT_EQ(Body(ok)["vertex"], Id("brokerAccount", "ci-deployer"));

  auto bad = Call(http::Method::kGet, "/v1/collection/brokerAccount/xyz", "alice");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["message"], "Validation failed (ObjectId: xyz is not a valid ObjectId)");
  EXPECT_EQ(Call(http::Method::kGet, "/v1/collection/widget/" + id, "alice").status, 404);
  EXPECT_EQ(Call(http::Method::kGet, "/v1/collection/team/" + id, "alice").status, 404);
  EXPECT_EQ(
      Call(http::Method::kGet, "/v1/collection/team/0123456789abcdef01234567", "alice").status,
      404);

  auto by_vertex =
      Call(http::Method::kGet, "/v1/collection/team?vertex=" + Id("team", "platform"), "alice");
  ASSERT_EQ(by_vertex.status, 200);
  EXPECT_EQ(Body(by_vertex)["name"], "platform");
}

TEST_F(GraphRoutesTest, Combo) {
  auto response = Call(http::Method::kGet,
                       "/v1/collection/project/" + ObjectId("project", "fluent") + "/combo", "bob");
  ASSERT_EQ(response.status, 200);
  const Json body = Body(response);
  EXPECT_EQ(body["type"], "vertex");
  EXPECT_EQ(body["vertex"]["name"], "fluent");
  ASSERT_EQ(body["upstream"].size(), 1u);
  EXPECT_EQ(body["upstream"][0]["vertex"]["name"], "ci-deployer");
  EXPECT_EQ(body["downstream"].size(), 2u);
}

TEST_F(GraphRoutesTest, SearchRequiresPagingAndFilters) {
  EXPECT_EQ(Call(http::Method::kPost, "/v1/collection/service/search?limit=5", "bob").status, 400);
  EXPECT_EQ(
      Call(http::Method::kPost, "/v1/collection/service/search?offset=x&limit=5", "bob").status,
      400);
  auto page = Call(http::Method::kPost, "/v1/collection/service/search?offset=1&limit=1", "bob");
  ASSERT_EQ(page.status, 201);
  EXPECT_EQ(Body(page)["meta"]["total"], 3);
  EXPECT_EQ(Body(page)["data"][0]["collection"]["name"], "fluent-ui");
  auto connected = Call(
      http::Method::kPost,
      "/v1/collection/broker-account/search?offset=0&limit=10&upstreamVertex=" + Id("user", "erin"),
      "erin");
  ASSERT_EQ(connected.status, 201);
  EXPECT_EQ(Body(connected)["meta"]["total"], 1);
  EXPECT_EQ(Body(connected)["data"][0]["vertex"]["name"], "pay-bot");
  auto text =
      Call(http::Method::kPost,
           "/v1/collection/service/search?offset=0&limit=10&q=PAY&sort=name&dir=desc", "bob");
  EXPECT_EQ(Body(text)["meta"]["total"], 1);
  EXPECT_EQ(
      Call(http::Method::kPost, "/v1/collection/widget/search?offset=0&limit=1", "bob").status,
      404);
}

TEST_F(GraphRoutesTest, TypeaheadQueryOrBody) {
  auto by_query = Call(http::Method::kPost, "/v1/graph/typeahead?q=1f3a-4c55", "bob");
  ASSERT_EQ(by_query.status, 201);
  EXPECT_EQ(Body(by_query)["meta"]["total"], 1);
  EXPECT_EQ(Body(by_query)["data"][0]["name"], "ci-deployer");
  EXPECT_EQ(Body(by_query)["data"][0]["collection"], "brokerAccount");
  auto by_body = Call(http::Method::kPost, "/v1/graph/typeahead", "bob",
                      R"({"q": "pay", "collections": ["team"]})");
  ASSERT_EQ(by_body.status, 201);
  EXPECT_EQ(Body(by_body)["meta"]["total"], 1);
  EXPECT_EQ(Body(by_body)["data"][0]["name"], "payments");
}

TEST_F(GraphRoutesTest, GraphDataAndPermissions) {
  auto data = Call(http::Method::kGet, "/v1/graph/data", "bob");
  ASSERT_EQ(data.status, 200);
  EXPECT_EQ(Body(data)["vertices"].size(), 14u);
  EXPECT_EQ(Body(data)["edges"].size(), 11u);
  EXPECT_EQ(Body(data)["categories"].size(), 11u);
  auto perms = Call(http::Method::kGet, "/v1/graph/data/user-permissions", "alice");
  ASSERT_EQ(perms.status, 200);
  const Json sudo = Body(perms)["sudo"];
  EXPECT_NE(std::find(sudo.begin(), sudo.end(), Id("brokerAccount", "ci-deployer")), sudo.end());
  // An account token is not a user.
  EXPECT_EQ(Call(http::Method::kGet, "/v1/graph/data/user-permissions", "", "", "good").status,
            401);
}

TEST_F(GraphRoutesTest, EdgeEditsNeedTeamOwnerOrAdmin) {
  const std::string edge_body = R"({"name": "developer", "source": ")" + Id("user", "dave") +
                                R"(", "target": ")" + Id("team", "platform") + R"("})";
  // alice is lead-developer, not owner: 403. carol owns the team: 201.
  auto refused = Call(http::Method::kPost, "/v1/graph/edge", "alice", edge_body);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Body(refused)["message"], "Forbidden resource");
  auto added = Call(http::Method::kPost, "/v1/graph/edge", "carol", edge_body);
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string edge_id = Body(added)["id"];
  EXPECT_EQ(Call(http::Method::kGet, "/v1/graph/edge/" + edge_id, "bob").status, 200);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/edge", "carol", edge_body).status, 409);
  EXPECT_EQ(Call(http::Method::kDelete, "/v1/graph/edge/" + edge_id, "bob").status, 403);
  auto deleted = Call(http::Method::kDelete, "/v1/graph/edge/" + edge_id, "carol");
  ASSERT_EQ(deleted.status, 200);
  EXPECT_EQ(Body(deleted)["edge"][0], edge_id);
  EXPECT_EQ(Call(http::Method::kDelete, "/v1/graph/edge/" + edge_id, "dave").status, 404);
  EXPECT_EQ(Call(http::Method::kDelete, "/v1/graph/edge/nothex", "dave").status, 400);
  // Anyone may join an empty team; account tokens may not write.
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/edge", "", edge_body, "good").status, 401);
}

TEST_F(GraphRoutesTest, EdgeRuleErrorsAre400) {
  const std::string body = R"({"name": "owns", "source": ")" + Id("team", "platform") +
                           R"(", "target": ")" + Id("project", "fluent") + R"("})";
  auto refused = Call(http::Method::kPost, "/v1/graph/edge", "dave", body);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(Body(refused)["message"].get<std::string>().find("may not target"), std::string::npos);
}

TEST_F(GraphRoutesTest, AddVertex) {
  auto team = Call(http::Method::kPost, "/v1/graph/vertex", "bob",
                   R"({"collection": "team", "data": {"name": "new-team", "email": "n@x"}})");
  ASSERT_EQ(team.status, 201) << team.body;
  const std::string team_id = Body(team)["id"];
  EXPECT_EQ(Call(http::Method::kGet, "/v1/graph/vertex/" + team_id, "bob").status, 200);
  // The team is empty, so bob may make himself its owner.
  const std::string join = R"({"name": "owner", "source": ")" + Id("user", "bob") +
                           R"(", "target": ")" + team_id + R"("})";
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/edge", "bob", join).status, 201);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/vertex", "bob",
                 R"({"collection": "project", "data": {"name": "p"}})")
                .status,
            403);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/vertex", "dave",
                 R"({"collection": "project", "data": {"name": "p"}})")
                .status,
            201);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/vertex", "dave",
                 R"({"collection": "project", "data": {"name": "p"}})")
                .status,
            409);
  EXPECT_EQ(Call(http::Method::kPost, "/v1/graph/vertex", "dave",
                 R"({"collection": "project", "data": {"nome": "p"}})")
                .status,
            400);
}

}  // namespace
}  // namespace broker::api
