#include "graph/graph.h"

#include <gtest/gtest.h>

#include "graph/test_util.h"
#include "support/pg_cluster.h"

namespace broker::graph {
namespace {

using testing::GraphFixture;

TEST(GraphTest, SnapshotSwappedOnlyAfterCommit) {
  GraphFixture f;
  const auto before = f.snap();
  std::shared_ptr<const Snapshot> seen_in_listener;
  std::vector<std::string> events;
  f.graph().SetChangeListener([&](std::string_view event, const Json& payload) {
    events.emplace_back(event);
    seen_in_listener = f.graph().snapshot();
    EXPECT_EQ(payload["event"], std::string(event));
  });
  const Vertex team = f.Add("team", {{"name", "platform"}, {"email", "p@x"}});
  // The held snapshot never changes; the new one holds the vertex by the time we are told.
  EXPECT_EQ(before->vertex_count(), 0u);
  EXPECT_EQ(f.snap()->vertex_count(), 1u);
  ASSERT_NE(seen_in_listener, nullptr);
  EXPECT_NE(seen_in_listener->FindVertex(team.id), nullptr);
  EXPECT_EQ(events, (std::vector<std::string>{"vertex-add"}));
}

TEST(GraphTest, FailedWriteLeavesSnapshotAndDatabaseUnchanged) {
  GraphFixture f;
  f.Add("team", {{"name", "platform"}, {"email", "p@x"}});
  const auto before = f.snap();
  int calls = 0;
  f.graph().SetChangeListener([&](std::string_view, const Json&) { ++calls; });
  auto bad =
      f.graph().Import(Json::parse(R"({"collections": {"team": [{"name": "t2", "email": "t@x"}]},
      "edges": [{"name": "owns", "source": "team/t2", "target": "team/platform"}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(f.snap(), before);
  EXPECT_EQ(calls, 0);
  auto other = f.OpenAnother();
  EXPECT_EQ(other->snapshot()->vertex_count(), 1u);
}

TEST(GraphTest, DeleteEdge) {
  GraphFixture f;
  const Vertex team = f.Add("team", {{"name", "platform"}, {"email", "p@x"}});
  const Vertex account =
      f.Add("brokerAccount", {{"name", "a"}, {"email", "a@x"}, {"clientId", "c"}});
  const Edge edge = f.Link("owns", team, account);
  std::vector<std::string> events;
  f.graph().SetChangeListener([&](std::string_view e, const Json&) { events.emplace_back(e); });
  auto removed = f.graph().DeleteEdge(edge.id);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->name, "owns");
  EXPECT_EQ(f.snap()->edge_count(), 0u);
  EXPECT_TRUE(f.snap()->Out(team.id).empty());
  EXPECT_EQ(events, (std::vector<std::string>{"edge-delete"}));
  EXPECT_EQ(f.graph().DeleteEdge(edge.id).error().code(), ErrorCode::kNotFound);
  // The same edge may be added again.
  f.Link("owns", team, account);
}

TEST(GraphTest, UpsertUserCreatesThenUpdates) {
  GraphFixture f;
  auto created = f.graph().UpsertUser({"dave", "Dave", "dave@x", "local", ""});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->name, "Dave");
  EXPECT_EQ(created->key, "dave");
  f.clock().AdvanceSeconds(10);
  auto updated = f.graph().UpsertUser({"dave", "Dave Jones", "", "", "guid-1"});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(updated->name, "Dave Jones");
  EXPECT_EQ(updated->doc["email"], "dave@x");
  EXPECT_EQ(updated->doc["guid"], "guid-1");
  EXPECT_EQ(updated->updated_ms, 1700000010000);
  auto other = f.OpenAnother();
  EXPECT_EQ(other->snapshot()->FindByKey("user", "dave")->name, "Dave Jones");
  EXPECT_EQ(f.graph().UpsertUser({"", "x", "", "", ""}).error().code(),
            ErrorCode::kInvalidArgument);
}

void ExpectRoundTrip(GraphFixture& f) {
  ASSERT_TRUE(f.graph().Import(testing::SampleImport()).ok());
  const Vertex team = *f.snap()->FindByKey("team", "platform");
  const Vertex pay = *f.snap()->FindByKey("service", "pay-api");
  ASSERT_TRUE(f.graph().AddEdge("uses", team.id, pay.id, {{"group", "g1"}}).ok());
  auto other = f.OpenAnother();
  const auto a = f.snap();
  const auto b = other->snapshot();
  ASSERT_EQ(a->vertex_count(), b->vertex_count());
  ASSERT_EQ(a->edge_count(), b->edge_count());
  for (const auto& [id, v] : a->vertices()) {
    const Vertex* w = b->FindVertex(id);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(VertexJson(*v), VertexJson(*w));
    EXPECT_EQ(CollectionJson(*v), CollectionJson(*w));
  }
  for (const auto& [id, e] : a->edges()) {
    const Edge* g = b->FindEdge(id);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(EdgeJson(*e), EdgeJson(*g));
  }
  // Reload on the first node picks up a write made through the second.
  ASSERT_TRUE(other->AddVertex({"project", {{"name", "late"}}, Json::object(), {}}).ok());
  EXPECT_EQ(f.snap()->FindByKey("project", "late"), nullptr);
  ASSERT_TRUE(f.graph().Reload().ok());
  EXPECT_NE(f.snap()->FindByKey("project", "late"), nullptr);
  // The schema refuses a duplicate unique name even when a node's snapshot is stale.
  auto stale = other->AddVertex({"project", {{"name", "late"}}, Json::object(), {}});
  EXPECT_EQ(stale.error().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(f.graph().AddVertex({"project", {{"name", "later"}}, Json::object(), {}}).ok());
  auto raced = other->AddVertex({"project", {{"name", "later"}}, Json::object(), {}});
  EXPECT_EQ(raced.error().code(), ErrorCode::kAlreadyExists);
}

TEST(GraphRepositoryTest, RoundTripSqlite) {
  GraphFixture f;
  ExpectRoundTrip(f);
}

TEST(GraphRepositoryTest, RoundTripPostgres) {
  GraphFixture f(broker::testing::PgCluster::Shared().CreateDatabase());
  ExpectRoundTrip(f);
}

}  // namespace
}  // namespace broker::graph
