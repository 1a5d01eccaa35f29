#include "app/cluster.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "support/pg_cluster.h"
#include "support/temp_dir.h"

namespace broker::app {
namespace {

// What one node's sinks saw, in order.
struct Node {
  std::mutex mutex;
  std::vector<std::string> seen;  // "token:<client>", "graph:<event>", "reload"

  ClusterSinks Sinks() {
    ClusterSinks sinks;
    sinks.on_token = [this](const std::string& client_id) { Record("token:" + client_id); };
    sinks.on_graph = [this](std::string_view event, const Json&) {
      Record("graph:" + std::string(event));
    };
    sinks.reload_graph = [this] {
      Record("reload");
      return OkStatus();
    };
    return sinks;
  }
  void Record(std::string what) {
    const std::lock_guard lock(mutex);
    seen.push_back(std::move(what));
  }
  std::vector<std::string> Seen() {
    const std::lock_guard lock(mutex);
    return seen;
  }
};

bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 300; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

class ClusterEventsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    const std::string url = GetParam() ? broker::testing::PgCluster::Shared().CreateDatabase()
                                       : "sqlite:" + (dir_.path() / "cluster.db").string();
    auto db = store::Open(url);
    ASSERT_TRUE(db.ok()) << db.error().ToString();
    db_ = std::move(*db);
    // Two "nodes": on PostgreSQL each gets its own Database as separate processes would.
    auto other = GetParam() ? store::Open(url) : Result<std::unique_ptr<store::Database>>(nullptr);
    ASSERT_TRUE(other.ok());
    other_db_ = std::move(*other);
    store::Database& second = other_db_ ? *other_db_ : *db_;
    a_ = std::make_unique<ClusterEvents>(*db_, "node-a");
    b_ = std::make_unique<ClusterEvents>(second, "node-b");
    ASSERT_TRUE(a_->Start(node_a_.Sinks()).ok());
    ASSERT_TRUE(b_->Start(node_b_.Sinks()).ok());
  }

  broker::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::Database> other_db_;
  Node node_a_;
  Node node_b_;
  std::unique_ptr<ClusterEvents> a_;
  std::unique_ptr<ClusterEvents> b_;
};

TEST_P(ClusterEventsTest, TokenChangeReachesBothNodesOnce) {
  a_->TokenChanged("client-1");
  // The origin delivers at once, before any notification round trip.
  EXPECT_EQ(node_a_.Seen(), std::vector<std::string>{"token:client-1"});
  ASSERT_TRUE(Eventually([&] { return node_b_.Seen().size() == 1; }));
  EXPECT_EQ(node_b_.Seen(), std::vector<std::string>{"token:client-1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(node_a_.Seen().size(), 1u);  // its own notification is ignored
  EXPECT_EQ(a_->counts().sent, 1);
  EXPECT_EQ(b_->counts().received, 1);
}

TEST_P(ClusterEventsTest, GraphChangeReloadsTheOtherNodeBeforeItsStreamsHearOfIt) {
  a_->GraphChanged("vertex-add", Json{{"id", "abc"}});
  EXPECT_EQ(node_a_.Seen(), std::vector<std::string>{"graph:vertex-add"});
  ASSERT_TRUE(Eventually([&] { return node_b_.Seen().size() == 2; }));
  EXPECT_EQ(node_b_.Seen(), (std::vector<std::string>{"reload", "graph:vertex-add"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(node_a_.Seen().size(), 1u);  // no reload of its own change
}

TEST_P(ClusterEventsTest, OversizedGraphPayloadStillReachesTheOtherNode) {
  Json big = {{"blob", std::string(9000, 'x')}};
  b_->GraphChanged("vertex-edit", big);
  ASSERT_TRUE(Eventually([&] { return node_a_.Seen().size() == 2; }));
  EXPECT_EQ(node_a_.Seen(), (std::vector<std::string>{"reload", "graph:vertex-edit"}));
}

TEST_P(ClusterEventsTest, AfterStopNothingIsDeliveredAndDestructionIsSafe) {
  b_->Stop();
  a_->TokenChanged("client-2");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(node_b_.Seen().empty());
  b_.reset();  // the store still holds its callbacks
  a_->TokenChanged("client-3");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(node_a_.Seen().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Engines, ClusterEventsTest, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "Postgres" : "Sqlite";
                         });

}  // namespace
}  // namespace broker::app
