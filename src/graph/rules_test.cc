#include "graph/rules.h"

#include <gtest/gtest.h>

#include "graph/test_util.h"

namespace broker::graph {
namespace {

using testing::GraphFixture;

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    team_ = f_.Add("team", {{"name", "platform"}, {"email", "p@example.com"}});
    account_ = f_.Add("brokerAccount", {{"name", "ci"},
                                        {"email", "ci@example.com"},
                                        {"clientId", "6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f"}});
    project_ = f_.Add("project", {{"name", "fluent"}});
    service_ = f_.Add("service", {{"name", "fluent-bit"}});
  }
  ErrorCode EdgeError(const std::string& name, const Vertex& s, const Vertex& t,
                      std::string* message = nullptr) {
    auto result = f_.graph().AddEdge(name, s.id, t.id);
    EXPECT_FALSE(result.ok());
    if (result.ok()) return ErrorCode::kInternal;
    if (message) *message = result.error().message();
    return result.error().code();
  }

  GraphFixture f_;
  Vertex team_, account_, project_, service_;
};

TEST_F(RulesTest, VertexDefaultsApplied) {
  const Vertex* account = f_.snap()->FindVertex(account_.id);
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->doc["requireProjectExists"], true);
  EXPECT_EQ(account->doc["enableUserImport"], false);
  EXPECT_EQ(account->name, "ci");
  EXPECT_EQ(account->index, 5);
}

TEST_F(RulesTest, VertexRefusals) {
  auto missing = f_.graph().AddVertex({"team", {{"name", "x"}}, Json::object(), {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message(), "team: field email is required");

  auto unknown = f_.graph().AddVertex(
      {"team", {{"name", "x"}, {"email", "a@b"}, {"zz", 1}}, Json::object(), {}});
  EXPECT_EQ(unknown.error().message(), "team: unknown field zz");

  auto bad_type =
      f_.graph().AddVertex({"team", {{"name", "x"}, {"email", "nope"}}, Json::object(), {}});
  EXPECT_EQ(bad_type.error().message(), "team: field email must be an e-mail address");

  auto bad_bool = f_.graph().AddVertex(
      {"brokerAccount",
       {{"name", "b"}, {"email", "b@x"}, {"clientId", "c"}, {"requireRoleId", "yes"}},
       Json::object(),
       {}});
  EXPECT_EQ(bad_bool.error().message(), "brokerAccount: field requireRoleId must be a boolean");

  auto bad_select =
      f_.graph().AddVertex({"service", {{"name", "s2"}, {"lifecycle", "old"}}, Json::object(), {}});
  EXPECT_EQ(bad_select.error().code(), ErrorCode::kInvalidArgument);

  auto duplicate =
      f_.graph().AddVertex({"team", {{"name", "platform"}, {"email", "a@b"}}, Json::object(), {}});
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(duplicate.error().message(), "team name is not unique: platform");

  auto same_client = f_.graph().AddVertex(
      {"broker-account",
       {{"name", "other"}, {"email", "o@x"}, {"clientId", "6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f"}},
       Json::object(),
       {}});
  EXPECT_EQ(same_client.error().code(), ErrorCode::kAlreadyExists);

  auto no_collection = f_.graph().AddVertex({"widget", {{"name", "w"}}, Json::object(), {}});
  EXPECT_EQ(no_collection.error().code(), ErrorCode::kNotFound);
}

TEST_F(RulesTest, EdgeRefusals) {
  std::string message;
  EXPECT_EQ(EdgeError("owns", project_, account_, &message), ErrorCode::kInvalidArgument);
  EXPECT_EQ(message,
            "edge owns from project/fluent to brokerAccount/ci: project has no edge named owns");
  EXPECT_EQ(EdgeError("owns", team_, project_, &message), ErrorCode::kInvalidArgument);
  EXPECT_EQ(message,
            "edge owns from team/platform to project/fluent: team owns edges may not target "
            "collection project");
  auto dangling = f_.graph().AddEdge("owns", team_.id, "0123456789abcdef01234567");
  EXPECT_EQ(dangling.error().code(), ErrorCode::kNotFound);
  auto dangling_source = f_.graph().AddEdge("owns", "0123456789abcdef01234567", account_.id);
  EXPECT_EQ(dangling_source.error().code(), ErrorCode::kNotFound);

  f_.Link("owns", team_, account_);
  EXPECT_EQ(EdgeError("owns", team_, account_, &message), ErrorCode::kAlreadyExists);
  EXPECT_EQ(f_.snap()->edge_count(), 1u);
}

TEST_F(RulesTest, SelfEdgeAndCycle) {
  const Vertex a = f_.Add("service", {{"name", "a"}});
  const Vertex b = f_.Add("service", {{"name", "b"}});
  const Vertex c = f_.Add("service", {{"name", "c"}});
  std::string message;
  EXPECT_EQ(EdgeError("provision-token", a, a, &message), ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("self edges are not allowed"), std::string::npos);
  f_.Link("provision-token", a, b);
  f_.Link("provision-token", b, c);
  EXPECT_EQ(EdgeError("provision-token", c, a, &message), ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("would create a cycle"), std::string::npos);
  // A diamond is fine: a -> c directly as well.
  f_.Link("provision-token", a, c);
}

TEST_F(RulesTest, OneToOne) {
  const Json base = {{"short", "x"}, {"title", "t"}, {"position", 0}};
  Json prod = base;
  Json test = base;
  Json dev = base;
  prod["name"] = "production";
  test["name"] = "test";
  dev["name"] = "development";
  const Vertex p = f_.Add("environment", prod);
  const Vertex t = f_.Add("environment", test);
  const Vertex d = f_.Add("environment", dev);
  f_.Link("promotes-to", d, t);
  EXPECT_EQ(EdgeError("promotes-to", d, p), ErrorCode::kAlreadyExists);
  f_.Link("promotes-to", t, p);
}

TEST_F(RulesTest, EdgeFieldsFromCatalogue) {
  const Vertex s2 = f_.Add("service", {{"name", "s2"}});
  const Edge edge = f_.Link("provision-token", service_, s2);
  EXPECT_TRUE(edge.restrict);
  EXPECT_EQ(edge.is, 2);
  EXPECT_EQ(edge.it, 2);
  EXPECT_EQ(edge.created_ms, 1700000000000);
  const Edge owns = f_.Link("owns", team_, account_);
  EXPECT_FALSE(owns.restrict);
  EXPECT_EQ(owns.is, 6);
  EXPECT_EQ(owns.it, 5);
}

}  // namespace
}  // namespace broker::graph
