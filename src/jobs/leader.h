#pragma once

// Leadership: which node of a cluster runs the cluster-wide jobs.
//
// On PostgreSQL the leader is the node whose dedicated connection holds a session-level
// advisory lock (`pg_try_advisory_lock`). When that process dies or loses its connection, the
// server ends the session and frees the lock, and the next node to try takes it. On SQLite
// there is one node, and it always leads.
//
// Thread-safety: TryLead and Release are called by one thread (the job runner's); IsLeader and
// Describe are safe from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"

namespace broker::jobs {

// The advisory lock key every Broker node uses for job leadership (distinct from the
// migration lock in store/migrate.cc).
inline constexpr int64_t kJobsLeaderLockKey = 0x42524b4a4f4253;  // "BRKJOBS"

class Leader {
 public:
  virtual ~Leader() = default;
  // Takes leadership if it is free, or confirms that this node still holds it. Returns whether
  // this node leads now. Never blocks longer than a few seconds (connect timeout); a database
  // outage reads as "not leading".
  virtual bool TryLead() = 0;
  // Gives leadership up so another node can take it at once. No-op if not leading.
  virtual void Release() = 0;
  // Whether the last TryLead returned true (and Release was not called since).
  virtual bool IsLeader() const = 0;
  // For logs and /v1/health, e.g. "postgresql advisory lock" or "single node".
  virtual std::string Describe() const = 0;
};

// The single-node case (SQLite): always the leader.
class SoleLeader final : public Leader {
 public:
  bool TryLead() override;
  void Release() override;
  bool IsLeader() const override { return leading_.load(); }
  std::string Describe() const override { return "single node"; }

 private:
  std::atomic<bool> leading_{false};
};

// PostgreSQL: a session-level advisory lock on a dedicated connection opened from `url` (a
// libpq URI; the same one the store uses). The connection is opened lazily by TryLead and
// re-opened after a failure, so construction never fails.
class PostgresLeader final : public Leader {
 public:
  explicit PostgresLeader(std::string url, int64_t lock_key = kJobsLeaderLockKey);
  ~PostgresLeader() override;  // closes the connection, which frees the lock
  PostgresLeader(const PostgresLeader&) = delete;
  PostgresLeader& operator=(const PostgresLeader&) = delete;

  bool TryLead() override;
  void Release() override;
  bool IsLeader() const override { return leading_.load(); }
  std::string Describe() const override { return "postgresql advisory lock"; }

 private:
  struct Connection;
  bool Connect();
  void Disconnect();
  // Runs `sql` with the lock key as $1 and returns the first cell, or nullopt on any error
  // (after which the connection is dropped).
  std::optional<std::string> QueryKey(const char* sql);

  const std::string url_;
  const int64_t lock_key_;
  std::unique_ptr<Connection> connection_;
  std::atomic<bool> leading_{false};
};

// SoleLeader for SQLite URLs, PostgresLeader otherwise.
std::unique_ptr<Leader> LeaderFor(const std::string& database_url);

}  // namespace broker::jobs
