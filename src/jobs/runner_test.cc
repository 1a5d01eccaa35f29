#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace broker::jobs {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A leader whose answer the test sets.
class SwitchLeader final : public Leader {
 public:
  bool TryLead() override {
    leading_.store(allow.load());
    return leading_.load();
  }
  void Release() override {
    leading_.store(false);
    releases.fetch_add(1);
  }
  bool IsLeader() const override { return leading_.load(); }
  std::string Describe() const override { return "switch"; }

  std::atomic<bool> allow{true};
  std::atomic<int> releases{0};

 private:
  std::atomic<bool> leading_{false};
};

// Polls `condition` for up to five seconds.
template <typename F>
bool Eventually(F condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return condition();
}

RunnerOptions FastTicks() {
  RunnerOptions options;
  options.tick = milliseconds(20);
  return options;
}

TEST(RunnerTest, RunsLeaderJobsOnlyWhileLeading) {
  SwitchLeader leader;
  leader.allow = false;
  FakeClock clock(1'700'000'000);
  std::atomic<int> leader_runs{0};
  std::atomic<int> node_runs{0};
  Runner runner(leader, clock, FastTicks());
  runner.Add("cluster", seconds(3600), [&] { return leader_runs.fetch_add(1), OkStatus(); });
  runner.Add(
      "local", seconds(3600), [&] { return node_runs.fetch_add(1), OkStatus(); },
      Scope::kEveryNode);
  runner.Start();
  ASSERT_TRUE(Eventually([&] { return node_runs.load() == 1; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(leader_runs.load(), 0);
  EXPECT_FALSE(runner.IsLeader());

  leader.allow = true;
  ASSERT_TRUE(Eventually([&] { return leader_runs.load() == 1; }));
  EXPECT_TRUE(runner.IsLeader());
  EXPECT_EQ(runner.LeaderTerms(), 1);
  // The hour-long interval has not passed: no second run.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(leader_runs.load(), 1);
  EXPECT_EQ(node_runs.load(), 1);
}

TEST(RunnerTest, NewTermRunsLeaderJobsAtOnce) {
  SwitchLeader leader;
  FakeClock clock(1'700'000'000);
  std::atomic<int> runs{0};
  Runner runner(leader, clock, FastTicks());
  runner.Add("cluster", seconds(3600), [&] { return runs.fetch_add(1), OkStatus(); });
  runner.Start();
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  leader.allow = false;
  ASSERT_TRUE(Eventually([&] { return !runner.IsLeader(); }));
  leader.allow = true;
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  EXPECT_EQ(runner.LeaderTerms(), 2);
}

TEST(RunnerTest, RepeatsAtItsInterval) {
  SwitchLeader leader;
  FakeClock clock(1'700'000'000);
  std::atomic<int> runs{0};
  Runner runner(leader, clock, FastTicks());
  runner.Add("often", seconds(1), [&] { return runs.fetch_add(1), OkStatus(); });
  const auto start = std::chrono::steady_clock::now();
  runner.Start();
  ASSERT_TRUE(Eventually([&] { return runs.load() >= 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(950));
}

TEST(RunnerTest, RecordsFailuresAndRecovery) {
  SwitchLeader leader;
  FakeClock clock(1'700'000'000);
  bool fail = true;
  Runner runner(leader, clock, FastTicks());
  runner.Add("flaky", seconds(3600), [&]() -> Status {
    if (fail) return Unavailable("smtp down", "connect refused");
    return OkStatus();
  });
  Status first = runner.RunNow("flaky");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code(), ErrorCode::kUnavailable);
  std::vector<JobStatus> jobs = runner.Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].runs, 1);
  EXPECT_EQ(jobs[0].failures, 1);
  EXPECT_EQ(jobs[0].last_error, "smtp down");
  EXPECT_EQ(jobs[0].last_run_ms, 1'700'000'000'000);

  fail = false;
  clock.AdvanceSeconds(5);
  EXPECT_TRUE(runner.RunNow("flaky").ok());
  jobs = runner.Jobs();
  EXPECT_EQ(jobs[0].runs, 2);
  EXPECT_EQ(jobs[0].failures, 1);
  EXPECT_EQ(jobs[0].last_error, "");
  EXPECT_EQ(jobs[0].last_run_ms, 1'700'000'005'000);
}

TEST(RunnerTest, RunNowUnknownJobIsNotFound) {
  SwitchLeader leader;
  FakeClock clock(1'700'000'000);
  Runner runner(leader, clock);
  Status status = runner.RunNow("nope");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kNotFound);
}

TEST(RunnerTest, StopWaitsForRunningJobAndReleasesLeadership) {
  SwitchLeader leader;
  FakeClock clock(1'700'000'000);
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  Runner runner(leader, clock, FastTicks());
  runner.Add("slow", seconds(3600), [&] {
    entered = true;
    std::this_thread::sleep_for(milliseconds(300));
    finished = true;
    return OkStatus();
  });
  runner.Start();
  ASSERT_TRUE(Eventually([&] { return entered.load(); }));
  runner.Stop();
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(leader.releases.load(), 1);
  EXPECT_FALSE(runner.IsLeader());
  runner.Stop();  // idempotent
  EXPECT_EQ(leader.releases.load(), 1);
}

TEST(SoleLeaderTest, AlwaysLeads) {
  SoleLeader leader;
  EXPECT_FALSE(leader.IsLeader());
  EXPECT_TRUE(leader.TryLead());
  EXPECT_TRUE(leader.IsLeader());
  leader.Release();
  EXPECT_FALSE(leader.IsLeader());
}

}  // namespace
}  // namespace broker::jobs
