#pragma once

// Test helpers for the graph module: a Graph over a fresh SQLite (or PostgreSQL) database and a
// small standard graph.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "graph/graph.h"
#include "store/database.h"
#include "support/temp_dir.h"

namespace broker::graph::testing {

// Owns a database and a Graph over it.
class GraphFixture {
 public:
  // `url` empty: a new SQLite file in a temporary directory.
  explicit GraphFixture(std::string url = {});
  Graph& graph() { return *graph_; }
  store::Database& db() { return *db_; }
  FakeClock& clock() { return clock_; }
  std::shared_ptr<const Snapshot> snap() { return graph_->snapshot(); }
  // A second Graph over the same database (another node).
  std::unique_ptr<Graph> OpenAnother();

  // Adds a vertex; fails the test on error.
  Vertex Add(const std::string& collection, const Json& data);
  Edge Link(const std::string& name, const Vertex& source, const Vertex& target);
  // The id of `collection/key`, or "".
  std::string Id(const std::string& collection, const std::string& key);

 private:
  broker::testing::TempDir dir_;
  FakeClock clock_{1700000000};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Graph> graph_;
};

// The import file used by several tests: users alice (lead-developer of platform), bob
// (developer of platform), carol (owner of platform), erin (full-access of payments); teams
// platform and payments; accounts ci-deployer (owned by platform, authorized on project fluent)
// and pay-bot (owned by payments, authorized on service pay-api directly); project fluent with
// services fluent-bit and fluent-ui; project payments with pay-api.
Json SampleImport();

}  // namespace broker::graph::testing
