#include "jobs/leader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "support/pg_cluster.h"

namespace broker::jobs {
namespace {

using broker::testing::PgCluster;

TEST(PostgresLeaderTest, OneLeaderAtATimeAndTakeoverAfterRelease) {
  const std::string url = PgCluster::Shared().CreateDatabase();
  PostgresLeader a(url);
  PostgresLeader b(url);
  EXPECT_TRUE(a.TryLead());
  EXPECT_FALSE(b.TryLead());
  EXPECT_TRUE(a.TryLead());  // confirming keeps it
  EXPECT_FALSE(b.TryLead());
  a.Release();
  EXPECT_FALSE(a.IsLeader());
  EXPECT_TRUE(b.TryLead());
  EXPECT_FALSE(a.TryLead());
}

TEST(PostgresLeaderTest, ClosingTheConnectionFreesTheLock) {
  const std::string url = PgCluster::Shared().CreateDatabase();
  auto a = std::make_unique<PostgresLeader>(url);
  PostgresLeader b(url);
  ASSERT_TRUE(a->TryLead());
  ASSERT_FALSE(b.TryLead());
  a.reset();  // like a process that died: its session ends
  // The server frees the lock when the backend exits, a moment after the socket closes.
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    taken = b.TryLead();
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(taken);
}

TEST(PostgresLeaderTest, DistinctKeysDoNotCollide) {
  const std::string url = PgCluster::Shared().CreateDatabase();
  PostgresLeader a(url, 1);
  PostgresLeader b(url, 2);
  EXPECT_TRUE(a.TryLead());
  EXPECT_TRUE(b.TryLead());
}

TEST(PostgresLeaderTest, ServerRestartLosesLeadershipThenRegainsIt) {
  PgCluster& cluster = PgCluster::Shared();
  if (!cluster.owns_server()) GTEST_SKIP() << "external server";
  const std::string url = cluster.CreateDatabase();
  PostgresLeader a(url);
  ASSERT_TRUE(a.TryLead());
  cluster.Restart();
  EXPECT_FALSE(a.TryLead());  // the session is gone, and with it the lock
  EXPECT_FALSE(a.IsLeader());
  EXPECT_TRUE(a.TryLead());  // reconnects and takes it again
}

TEST(PostgresLeaderTest, UnreachableDatabaseIsNotLeading) {
  PostgresLeader leader("postgresql://postgres@127.0.0.1:1/nothing");
  EXPECT_FALSE(leader.TryLead());
  EXPECT_FALSE(leader.IsLeader());
}

TEST(LeaderForTest, PicksByUrl) {
  EXPECT_EQ(LeaderFor("sqlite:/tmp/x.db")->Describe(), "single node");
  EXPECT_EQ(LeaderFor("postgresql://u@h/db")->Describe(), "postgresql advisory lock");
  EXPECT_EQ(LeaderFor("postgres://u@h/db")->Describe(), "postgresql advisory lock");
}

}  // namespace
}  // namespace broker::jobs
