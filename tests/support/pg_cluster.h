#pragma once

// PgCluster: a throwaway PostgreSQL 15 server for tests, one per test process.
//
// Usage (link `broker::testsupport`):
//
//   #include "support/pg_cluster.h"
//
//   std::string url = broker::testing::PgCluster::Shared().CreateDatabase();
//   auto db = broker::store::Open(url);   // "postgresql://postgres@127.0.0.1:PORT/broker_t3_..."
//
// Every CreateDatabase() call returns a new, empty database, so tests never see each other's
// rows; call it once per test. Creating a database costs PostgreSQL 0.3-1 s of work, so a
// background thread keeps a couple of spare databases ready and the call usually returns at
// once; a test binary that needs hundreds of databases should share some between tests.
//
// The first call to Shared() starts the server: `initdb` and `pg_ctl` from
// /usr/lib/postgresql/15/bin (or $BROKER_PG_BINDIR), run as the `postgres` user via
// `runuser` when the test runs as root (PostgreSQL refuses root), in a temporary directory
// owned by that user; trust authentication, listening on 127.0.0.1 on a free port with the
// unix socket in the same directory, fsync off. The server is stopped (`pg_ctl stop -m
// immediate`) and the directory removed when the process exits; a watchdog process does the
// same if the test process crashes.
//
// If the environment variable BROKER_TEST_POSTGRES_URL is set (a libpq URI of a role allowed
// to CREATE DATABASE), that server is used instead and nothing is started; Stop/Start/Restart
// then throw, so tests that need them should check `owns_server()` and GTEST_SKIP otherwise.
//
// Failures to start (missing binaries, initdb errors, timeouts) throw std::runtime_error with
// the reason and the tail of the server log; gtest reports that as a test failure.
// Thread-safe.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace broker::testing {

class PgCluster {
 public:
  // The process-wide cluster, started on first use.
  static PgCluster& Shared();

  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  ~PgCluster();

  // Creates a new empty database and returns its URL (no password). Throws on failure.
  std::string CreateDatabase();

  // The URL of the maintenance database "postgres", for administrative statements.
  std::string AdminUrl() const;
  // The TCP port the server listens on.
  int port() const { return port_; }
  // False when BROKER_TEST_POSTGRES_URL points at an external server.
  bool owns_server() const { return owned_ != nullptr; }

  // Server control for outage tests (owned servers only). Stop kills the server at once
  // (`-m immediate`); Start brings it back on the same port; Restart does both. Existing
  // connections are broken by each.
  void Stop();
  void Start();
  void Restart();

 private:
  struct Owned;  // the started server: directory, binaries, watchdog
  PgCluster();
  void UseExternal(const std::string& url);
  void StartOwned();
  // Keeps `kSpareDatabases` databases created ahead in `spares_`.
  void Prefetch();
  std::string NewDatabaseName();

  std::mutex mu_;
  std::unique_ptr<Owned> owned_;
  std::string host_;
  int port_ = 0;
  std::string user_;
  std::string password_;
  std::string admin_db_;
  int databases_created_ = 0;  // guarded by spares_mu_

  std::mutex spares_mu_;
  std::condition_variable spares_changed_;
  std::deque<std::string> spares_;
  std::string last_prefetch_error_;
  bool stopping_ = false;
  std::thread prefetcher_;
};

}  // namespace broker::testing
