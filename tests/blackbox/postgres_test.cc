// The same binary on PostgreSQL: `broker import` and `broker serve --database postgresql://...`
// on a throwaway cluster, through a token's whole life.

#include <gtest/gtest.h>

#include "broker_process.h"
#include "support/pg_cluster.h"

namespace broker::testing {
namespace {

TEST(PostgresBlackBox, ImportServeGenerateVerifyRevoke) {
  BrokerOptions options;
  options.import_file = std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/graph.json";
  options.database = PgCluster::Shared().CreateDatabase();
  BrokerProcess broker(options);

  HttpClient alice(broker.url());
  ASSERT_EQ(alice.Login("alice", "alice-pass-1").status, 200);
  const Json found =
      alice.Post("/v1/collection/broker-account/search?offset=0&limit=10&q=ci-deployer", "{}")
          .json();
  ASSERT_EQ(found["data"].size(), 1u) << found.dump();
  const std::string account = found["data"][0]["collection"]["id"];
  const HttpResponse generated =
      alice.Post("/v1/collection/broker-account/" + account + "/token?expiration=3600");
  ASSERT_EQ(generated.status, 201) << generated.body;

  HttpClient machine(broker.url());
  machine.SetBearer(generated.json()["token"]);
  EXPECT_EQ(machine.Get("/v1/health/token-check").status, 204);
  EXPECT_EQ(alice.Delete("/v1/collection/broker-account/" + account + "/token").status, 200);
  EXPECT_EQ(machine.Get("/v1/health/token-check").status, 403);

  // State lives in PostgreSQL: a restarted process still refuses the revoked token.
  broker.Restart();  // on a new port
  HttpClient after_restart(broker.url());
  after_restart.SetBearer(generated.json()["token"]);
  EXPECT_EQ(after_restart.Get("/v1/health/token-check").status, 403);
  const Json health = HttpClient(broker.url()).Get("/v1/health").json();
  EXPECT_EQ(health["components"]["database"]["status"], "up");
}

}  // namespace
}  // namespace broker::testing
