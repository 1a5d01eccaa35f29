#include "graph/snapshot.h"

#include <gtest/gtest.h>

#include <chrono>

#include "graph/test_util.h"

namespace broker::graph {
namespace {

using testing::GraphFixture;

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(f_.graph().Import(testing::SampleImport()).ok()); }
  std::vector<std::string> Names(const SearchResult& result) {
    std::vector<std::string> names;
    for (const Vertex* v : result.items) names.push_back(v->name);
    return names;
  }
  const CollectionConfig& Config(const std::string& c) { return *Model::Default().Find(c); }

  GraphFixture f_;
};

TEST_F(SearchTest, PagingAndDefaultSort) {
  SearchQuery q;
  q.offset = 0;
  q.limit = 2;
  SearchResult page = f_.snap()->Search(Config("service"), q);
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(Names(page), (std::vector<std::string>{"fluent-bit", "fluent-ui"}));
  q.offset = 2;
  EXPECT_EQ(Names(f_.snap()->Search(Config("service"), q)), (std::vector<std::string>{"pay-api"}));
  q.offset = 5;
  EXPECT_TRUE(f_.snap()->Search(Config("service"), q).items.empty());
}

TEST_F(SearchTest, SortDescending) {
  SearchQuery q;
  q.limit = 10;
  q.sort = "name";
  q.ascending = false;
  EXPECT_EQ(Names(f_.snap()->Search(Config("service"), q)),
            (std::vector<std::string>{"pay-api", "fluent-ui", "fluent-bit"}));
}

TEST_F(SearchTest, TextIsCaseInsensitiveSubstringOverStringFields) {
  SearchQuery q;
  q.limit = 10;
  q.q = "UENT-B";
  EXPECT_EQ(Names(f_.snap()->Search(Config("service"), q)),
            (std::vector<std::string>{"fluent-bit"}));
  q.q = "3b2f1c4d";  // part of ci-deployer's clientId
  EXPECT_EQ(Names(f_.snap()->Search(Config("brokerAccount"), q)),
            (std::vector<std::string>{"ci-deployer"}));
  q.q = "ci@example";  // email is not a string field: not searched
  EXPECT_EQ(f_.snap()->Search(Config("brokerAccount"), q).total, 0u);
}

TEST_F(SearchTest, ConnectedFilter) {
  SearchQuery q;
  q.limit = 10;
  q.upstream_vertex = f_.Id("user", "alice");
  EXPECT_EQ(Names(f_.snap()->Search(Config("brokerAccount"), q)),
            (std::vector<std::string>{"ci-deployer"}));
  EXPECT_EQ(Names(f_.snap()->Search(Config("team"), q)), (std::vector<std::string>{"platform"}));
  EXPECT_EQ(f_.snap()->Search(Config("service"), q).total, 2u);
  q.upstream_vertex.clear();
  q.downstream_vertex = f_.Id("service", "pay-api");
  EXPECT_EQ(Names(f_.snap()->Search(Config("team"), q)), (std::vector<std::string>{"payments"}));
}

TEST_F(SearchTest, ByIdAndVertexId) {
  const Vertex* bit = f_.snap()->FindByKey("service", "fluent-bit");
  SearchQuery q;
  q.limit = 10;
  q.id = bit->object_id;
  EXPECT_EQ(f_.snap()->Search(Config("service"), q).total, 1u);
  q.id.clear();
  q.vertex_id = bit->id;
  EXPECT_EQ(Names(f_.snap()->Search(Config("service"), q)),
            (std::vector<std::string>{"fluent-bit"}));
}

TEST_F(SearchTest, TypeaheadByClientIdSubstring) {
  const TypeaheadResult result = f_.snap()->Typeahead("1F3A-4C55", {}, 10);
  ASSERT_EQ(result.total, 1u);
  EXPECT_EQ(result.hits[0]->name, "ci-deployer");
}

TEST_F(SearchTest, TypeaheadRanksPrefixAndFiltersCollections) {
  const TypeaheadResult all = f_.snap()->Typeahead("pay", {}, 10);
  EXPECT_EQ(all.total, 4u);  // team, project, service pay-api, account pay-bot
  const TypeaheadResult services = f_.snap()->Typeahead("pay", {"service"}, 10);
  ASSERT_EQ(services.total, 1u);
  EXPECT_EQ(services.hits[0]->name, "pay-api");
  const TypeaheadResult limited = f_.snap()->Typeahead("e", {}, 2);
  EXPECT_EQ(limited.hits.size(), 2u);
  EXPECT_GT(limited.total, 2u);
  EXPECT_EQ(f_.snap()->Typeahead("zzzz", {}, 10).total, 0u);
}

// 100,000 vertices: typeahead p99 must stay under 5 ms (docs/PERFORMANCE.md target).
TEST(SnapshotPerfTest, TypeaheadAtHundredThousandVertices) {
  Snapshot snapshot;
  for (int i = 0; i < 100000; ++i) {
    auto v = std::make_shared<Vertex>();
    v->id = std::to_string(i);
    v->object_id = "o" + v->id;
    v->collection = i % 2 == 0 ? "service" : "brokerAccount";
    v->index = i % 2 == 0 ? 2 : 5;
    v->name = "object-" + std::to_string(i * 7919 % 100003);
    v->key = v->name;
    if (i % 2 == 1)
      v->doc = {{"clientId", "c0ffee00-0000-4000-8000-" + std::to_string(100000000000 + i)}};
    snapshot.PutVertex(std::move(v));
  }
  snapshot.Seal();
  std::vector<double> millis;
  for (int i = 0; i < 200; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = snapshot.Typeahead(std::to_string(1000 + i * 37), {}, 10);
    millis.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    EXPECT_LE(result.hits.size(), 10u);
  }
  std::sort(millis.begin(), millis.end());
  const double p50 = millis[millis.size() / 2];
  const double p99 = millis[millis.size() * 99 / 100];
  std::cout << "typeahead at 100k vertices: p50 " << p50 << " ms, p99 " << p99 << " ms\n";
  // The p99 target is 5 ms on an idle machine; the test machine is shared, so only the median
  // is asserted here.
  EXPECT_LT(p50, 5.0);
}

}  // namespace
}  // namespace broker::graph
