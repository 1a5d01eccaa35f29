// Concurrency (SECURITY R1a/R1b, R1d, G6-G8): many threads generating and renewing for one
// account never leave more than two accepted tokens, and a revoke is effective for every request
// that starts after it returned. On SQLite and PostgreSQL.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <barrier>
#include <mutex>
#include <thread>
#include <vector>

#include "accounts/test_env.h"

namespace broker::accounts {
namespace {

using testing::Engine;
using testing::Env;

constexpr int kThreads = 50;
constexpr int kRounds = 100;

class StressTest : public ::testing::TestWithParam<Engine> {
 protected:
  // Thousands of expected refusals would otherwise flood the test log.
  StressTest() { spdlog::set_level(spdlog::level::warn); }
  ~StressTest() override { spdlog::set_level(spdlog::level::info); }

  Env env{GetParam()};

  // Accepted tokens among `tokens` at one instant of the registry: the rows are read in one
  // snapshot and their states computed for the same second.
  int AcceptedInSnapshot() {
    auto rows = env.registry->List(env.account_a.id);
    EXPECT_TRUE(rows.ok());
    int accepted = 0;
    for (const TokenRow& row : rows.value()) {
      if (IsAccepted(StateAt(row, env.clock.NowSeconds()))) ++accepted;
    }
    return accepted;
  }
};

TEST_P(StressTest, FiftyThreadsGenerateAndRenewNeverMoreThanTwoAccepted) {
  std::atomic<int> unexpected{0};
  std::atomic<int> conflicts{0};
  std::atomic<int> max_accepted{0};
  std::atomic<bool> done{false};
  std::mutex tokens_mutex;
  std::vector<std::string> round_tokens;
  std::string newest = env.Generate(env.account_a);
  std::thread prober([&] {
    while (!done.load()) {
      int accepted = AcceptedInSnapshot();
      int seen = max_accepted.load();
      while (accepted > seen && !max_accepted.compare_exchange_weak(seen, accepted)) {
      }
    }
  });
  for (int round = 0; round < kRounds; ++round) {
    round_tokens.clear();
    std::barrier start(kThreads);
    std::vector<std::thread> workers;
    workers.reserve(kThreads);
    const std::string renewing = newest;
    for (int t = 0; t < kThreads; ++t) {
      workers.emplace_back([&, t] {
        start.arrive_and_wait();
        Result<IssuedToken> issued = Error(ErrorCode::kInternal, "unset");
        if (t % 2 == 0) {
          issued = env.registry->Generate(env.manager, env.account_a.id, 3600, {}, {});
        } else {
          auto caller = env.Authenticate(renewing);
          if (!caller.ok()) return;  // already superseded by the generations of this round
          issued = env.registry->Renew(*caller, 3600, {});
        }
        if (issued.ok()) {
          std::lock_guard lock(tokens_mutex);
          round_tokens.push_back(issued->token.RevealForUse());
        } else if (issued.error().code() == ErrorCode::kAborted ||
                   issued.error().code() == ErrorCode::kPermissionDenied) {
          ++conflicts;
        } else {
          ++unexpected;
          ADD_FAILURE() << issued.error().ToString();
        }
      });
    }
    for (auto& worker : workers) worker.join();
    int accepted = 0;
    for (const std::string& token : round_tokens) accepted += env.Authenticate(token).ok();
    ASSERT_LE(accepted, 2) << "round " << round;
    ASSERT_LE(env.ActiveRowCount(env.account_a.id), 2);
    auto rows = env.registry->List(env.account_a.id);
    ASSERT_TRUE(rows.ok());
    newest = std::string();
    for (const std::string& token : round_tokens) {
      if (jwt::DecodeUnverified(token)->payload["jti"] == rows->front().jti) newest = token;
    }
    ASSERT_FALSE(newest.empty());
    ASSERT_TRUE(env.Authenticate(newest).ok());
    env.clock.AdvanceSeconds(1);
  }
  done = true;
  prober.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_LE(max_accepted.load(), 2);
  EXPECT_GT(conflicts.load(), 0);
}

TEST_P(StressTest, NoRequestStartedAfterARevokeIsAccepted) {
  for (int trial = 0; trial < 20; ++trial) {
    const std::string token = env.Generate(env.account_a);
    std::atomic<bool> revoked{false};
    std::atomic<bool> stop{false};
    std::atomic<int> late_accepts{0};
    std::atomic<int> requests{0};
    constexpr int kClients = 8;
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    for (int t = 0; t < kClients; ++t) {
      clients.emplace_back([&] {
        while (!stop.load()) {
          const bool after_revoke = revoked.load();
          const bool accepted = env.Authenticate(token).ok();
          ++requests;
          if (after_revoke && accepted) ++late_accepts;
        }
      });
    }
    while (requests.load() < 50) std::this_thread::yield();
    ASSERT_TRUE(env.registry->RevokeAll(env.manager, env.account_a.id, {}).ok());
    revoked = true;
    while (requests.load() < 150) std::this_thread::yield();
    stop = true;
    for (auto& client : clients) client.join();
    EXPECT_EQ(late_accepts.load(), 0) << "trial " << trial;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, StressTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName());

}  // namespace
}  // namespace broker::accounts
