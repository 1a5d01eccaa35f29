#pragma once

// The job runner: periodic background work that must run once per cluster, not once per node.
//
// Several `broker serve` processes may share one PostgreSQL database. Jobs added with
// `Scope::kLeader` (the default: lifecycle clean-up, intention expiry, delivery retries, expiry
// notices) run only on the node that holds the leader lock (see leader.h); jobs added with
// `Scope::kEveryNode` (flushing this node's buffers) run on every node. On SQLite there is one
// node, which always leads.
//
// Usage (in the composition root, before Start):
//   runner.Add("notify.expiry", std::chrono::hours(24), [&] { return notifier.RunOnce(); });
//   runner.Start();
//   ...
//   runner.Stop();  // waits for a running job, then releases the leader lock
//
// A job's function returns a Status; an error is logged (its internal message), counted and
// kept as `last_error` (its public message), and the job runs again at its next interval.
// Jobs run one at a time on the runner's own thread, so a job never overlaps itself; a slow job
// delays the others. Because leadership can move between two runs, a job must still be safe if
// two nodes run it at about the same time (claim rows in the database, use ON CONFLICT): the
// lock makes double runs rare, not impossible.
//
// Thread-safety: Add before Start only; every other method is safe from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "jobs/leader.h"

namespace broker::jobs {

enum class Scope {
  kLeader,     // only on the node holding the leader lock
  kEveryNode,  // on every node (node-local buffers, caches)
};

using JobFn = std::function<Status()>;

// What the runner knows about one job, for /v1/health and /v1/metrics.
struct JobStatus {
  std::string name;
  Scope scope = Scope::kLeader;
  int64_t interval_seconds = 0;
  int64_t runs = 0;                       // completed runs on this node (ok or failed)
  int64_t failures = 0;                   // runs that returned an error
  std::optional<UnixMillis> last_run_ms;  // wall-clock start of the last run on this node
  std::optional<int64_t> last_duration_ms;
  std::string last_error;  // public message of the last failed run; "" after a success
};

struct RunnerOptions {
  // How often the runner wakes up to check leadership and due jobs. Leadership moves to another
  // node within about one tick after the leader dies, so keep it at most half the shortest
  // leader job interval.
  std::chrono::milliseconds tick{1000};
};

class Runner {
 public:
  // `leader` decides whether this node leads; it must outlive the runner. `clock` stamps
  // last_run_ms only (intervals use the steady clock).
  Runner(Leader& leader, const Clock& clock, RunnerOptions options = {});
  ~Runner();  // calls Stop()
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Registers a job that first runs at the first tick after Start (or after this node becomes
  // leader, for leader jobs) and then every `interval`. REQUIRES: before Start; unique `name`;
  // interval > 0.
  void Add(std::string name, std::chrono::seconds interval, JobFn fn, Scope scope = Scope::kLeader);

  // Starts the runner thread. Calling it twice is a no-op.
  void Start();

  // Stops the runner: wakes it, waits for a running job to finish, runs nothing more, and
  // releases leadership so another node can take over at once. Idempotent.
  void Stop();

  // Runs the named job now on the calling thread, whatever the leadership (for tests and for
  // "run now" commands), and records it like a scheduled run. NotFound for an unknown name;
  // otherwise the job's own Status.
  Status RunNow(const std::string& name);

  // True while this node holds leadership (as of the last tick).
  bool IsLeader() const { return leading_.load(); }

  // How many times this node has become leader since Start.
  int64_t LeaderTerms() const { return leader_terms_.load(); }

  // A copy of every job's status, in the order added.
  std::vector<JobStatus> Jobs() const;

 private:
  struct Job;
  void Loop();
  void Tick();
  // Runs `job` and records the outcome. REQUIRES: run_mutex_ held.
  Status RunJob(Job& job);

  Leader& leader_;
  const Clock& clock_;
  const RunnerOptions options_;
  std::vector<std::unique_ptr<Job>> jobs_;
  mutable std::mutex mutex_;  // guards each Job's status fields and stopping_
  std::mutex run_mutex_;      // one job at a time (runner thread and RunNow)
  std::condition_variable wake_;
  bool stopping_ = false;
  bool started_ = false;
  std::atomic<bool> leading_{false};
  std::atomic<int64_t> leader_terms_{0};
  std::thread thread_;
};

}  // namespace broker::jobs
