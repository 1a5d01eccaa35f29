#include "graph/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "graph/test_util.h"

namespace broker::graph {
namespace {

using testing::GraphFixture;

Error ImportError(GraphFixture& f, const std::string& text) {
  auto result = f.graph().Import(Json::parse(text));
  EXPECT_FALSE(result.ok());
  return result.ok() ? Internal("unexpected success") : result.error();
}

TEST(ImporterTest, ImportsAndReportsUsersWithCredentials) {
  GraphFixture f;
  auto report = f.graph().Import(testing::SampleImport());
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(f.snap()->vertex_count(), 13u);
  EXPECT_EQ(f.snap()->edge_count(), 11u);
  EXPECT_TRUE(report->existing.empty());
  ASSERT_EQ(report->users.size(), 4u);
  EXPECT_EQ(report->users[0].username, "alice");
  ASSERT_TRUE(report->users[0].password.has_value());
  EXPECT_EQ(report->users[0].password->RevealForUse(), "alice-pass");
  EXPECT_FALSE(report->users[1].password.has_value());
  EXPECT_TRUE(report->users[3].admin);
  // Credentials are not stored in the user's document.
  const Vertex* alice = f.snap()->FindByKey("user", "alice");
  EXPECT_FALSE(alice->doc.contains("password"));
  EXPECT_FALSE(alice->doc.contains("admin"));
  EXPECT_EQ(alice->name, "Alice Ng");
}

TEST(ImporterTest, IdempotentByName) {
  GraphFixture f;
  ASSERT_TRUE(f.graph().Import(testing::SampleImport()).ok());
  const auto before = f.snap();
  auto again = f.graph().Import(testing::SampleImport());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created.empty());
  EXPECT_EQ(again->existing.size(), 13u + 11u);
  EXPECT_EQ(f.snap()->vertex_count(), before->vertex_count());
  EXPECT_EQ(f.snap()->edge_count(), before->edge_count());
  EXPECT_EQ(f.snap()->FindByKey("team", "platform")->id, before->FindByKey("team", "platform")->id);
}

TEST(ImporterTest, BadEdgeAtTheEndImportsNothing) {
  GraphFixture f;
  Json file = testing::SampleImport();
  file["edges"].push_back(
      {{"name", "owns"}, {"source", "team/platform"}, {"target", "project/fluent"}});
  auto result = f.graph().Import(file);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message().rfind("edges[11] (owns team/platform -> project/fluent): ", 0),
            0u)
      << result.error().message();
  EXPECT_EQ(f.snap()->vertex_count(), 0u);
  EXPECT_EQ(f.OpenAnother()->snapshot()->vertex_count(), 0u);
}

TEST(ImporterTest, Refusals) {
  GraphFixture f;
  EXPECT_EQ(ImportError(f, R"({"collections": {"widget": [{"name": "w"}]}})").message(),
            "collections.widget: unknown collection widget");
  EXPECT_EQ(ImportError(f, R"({"collections": {"project": [{"name": "a"}]},
      "edges": [{"name": "owns", "source": "project/a", "target": "project/a"}]})")
                .message(),
            "edges[0] (owns project/a -> project/a): edge owns from project/a to project/a: "
            "project has no edge named owns");
  EXPECT_EQ(ImportError(f, R"({"collections": {"project": [{"name": "a"}]},
      "edges": [{"name": "component", "source": "project/a", "target": "service/missing"}]})")
                .message(),
            "edges[0] (component project/a -> service/missing): service/missing does not exist");
  EXPECT_EQ(
      ImportError(f, R"({"collections": {"project": [{"name": "a"}, {"name": "a"}]}})").message(),
      "collections.project[1] (project/a): duplicate name in the file");
  const Error cycle = ImportError(f, R"({"collections": {"service": [{"name": "a"}, {"name": "b"}]},
      "edges": [{"name": "provision-token", "source": "service/a", "target": "service/b"},
                {"name": "provision-token", "source": "service/b", "target": "service/a"}]})");
  EXPECT_NE(cycle.message().find("edges[1]"), std::string::npos);
  EXPECT_NE(cycle.message().find("cycle"), std::string::npos);
  EXPECT_EQ(ImportError(f, R"({"collections": {"team": [{"name": "t"}]}})").message(),
            "collections.team[0] (team/t): team: field email is required");
  const Error pw = ImportError(
      f, R"({"users": [{"username": "x", "password": "hunter2-secret", "admin": "yes"}]})");
  EXPECT_EQ(pw.message(), "users[0]: admin must be a boolean");
  EXPECT_EQ(ImportError(f, R"({"nodes": []})").message(), "import: unknown top-level member nodes");
  EXPECT_EQ(f.snap()->vertex_count(), 0u);
}

TEST(ImporterTest, CollectionsUserAndKebabNamesAccepted) {
  GraphFixture f;
  auto result = f.graph().Import(Json::parse(R"({"collections": {
      "user": [{"username": "u1", "email": "u1@x", "password": "p"}],
      "broker-account": [{"name": "acc", "email": "a@x", "clientId": "id-1", "tags": ["ci"]}]}})"));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->users.size(), 1u);
  const Vertex* acc = f.snap()->FindByKey("brokerAccount", "acc");
  ASSERT_NE(acc, nullptr);
  EXPECT_EQ(acc->tags, (std::vector<std::string>{"ci"}));
}

TEST(ImporterTest, DemoFileImports) {
  std::ifstream in(std::string(BROKER_SOURCE_DIR) + "/data/demo.json");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  GraphFixture f;
  auto result = f.graph().Import(Json::parse(text.str()));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const auto snap = f.snap();
  const Vertex* alice = snap->FindByKey("user", "alice");
  ASSERT_NE(alice, nullptr);
  bool alice_can_manage_some_account = false;
  for (const Vertex* account : snap->InCollection("brokerAccount")) {
    for (const Edge* edge : snap->In(account->id)) {
      if (edge->name == "owns" && snap->FindVertex(edge->source)->key == "platform") {
        alice_can_manage_some_account = true;
      }
    }
  }
  EXPECT_TRUE(alice_can_manage_some_account);
  EXPECT_NE(snap->FindByKey("environment", "production"), nullptr);
  EXPECT_NE(snap->FindByKey("repository", snap->InCollection("repository").front()->key), nullptr);
}

}  // namespace
}  // namespace broker::graph
