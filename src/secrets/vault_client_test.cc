// The Vault client against the fake: error mapping, retries, circuit breaker, token
// self-management, AppRole with response wrapping, and the Vault specifics of the tools store.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "secrets/test_env.h"
#include "support/ports.h"

namespace broker::secrets {
namespace {

using ::broker::secrets::testing::FakeVault;
using ::broker::secrets::testing::FakeVaultScript;
using ::broker::secrets::testing::FastConfig;
using std::chrono::steady_clock;

constexpr char kToken[] = "s.canary-broker-token-4f1d";

int UnusedPort() { return ::broker::testing::UnusedLoopbackPort(); }

// A steady clock the test moves by hand, for the breaker's cooldown.
struct ManualSteady {
  std::atomic<int64_t> ms{0};
  MonotonicNow Fn() {
    return [this] { return steady_clock::time_point(std::chrono::milliseconds(ms.load())); };
  }
};

class VaultClientTest : public ::testing::Test {
 protected:
  FakeVault fake_{FakeVaultScript(), {"--token", kToken, "--token-ttl", "3600"}};
  VaultClient client_{FastConfig(fake_.addr(), kToken)};
};

TEST_F(VaultClientTest, WrongTokenIsPermissionDeniedWithoutRetryOrTokenInMessage) {
  VaultClient wrong(FastConfig(fake_.addr(), "s.wrong-token-value"));
  auto r = wrong.KvRead("tools/p/s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().ToString().find("s.wrong-token-value"), std::string::npos);
  EXPECT_EQ(fake_.Requests(), 1);  // 403 is not retried
}

TEST_F(VaultClientTest, Transient503IsRetriedWithinOneCall) {
  fake_.AddFault({{"mode", "503"}, {"count", 2}});
  auto created = client_.KvCreate("tools/p/s", {{"a", "1"}}, 0);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(*created, 1);
  EXPECT_EQ(fake_.Requests("POST apps/data/tools/p/s"), 3);
}

TEST_F(VaultClientTest, Persistent503IsUnavailableAfterTwoRetries) {
  fake_.AddFault({{"mode", "503"}});
  auto r = client_.KvRead("tools/p/s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(fake_.Requests(), 3);
}

TEST_F(VaultClientTest, Status429And500AreNotRetried) {
  for (const char* mode : {"429", "500"}) {
    fake_.ClearFaults();
    fake_.AddFault({{"mode", mode}});
    int before = fake_.Requests();
    auto r = client_.KvRead("tools/p/s");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << mode;
    EXPECT_EQ(fake_.Requests() - before, 1) << mode;
  }
}

TEST_F(VaultClientTest, HangingVaultTimesOutWithoutRetry) {
  fake_.AddFault({{"mode", "hang"}, {"delay_ms", 5000}});
  auto start = steady_clock::now();
  auto r = client_.KvRead("tools/p/s");
  auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));  // one 1.5 s attempt, no retries
  EXPECT_EQ(fake_.Requests(), 1);
}

TEST_F(VaultClientTest, CasMismatchIsAborted) {
  ASSERT_TRUE(client_.KvCreate("tools/p/s", {{"a", "1"}}, 0).ok());
  auto again = client_.KvCreate("tools/p/s", {{"a", "2"}}, 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAborted);
  auto patch = client_.KvPatch("tools/p/s", {{"b", "2"}}, 7);
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.error().code(), ErrorCode::kAborted);
  auto ok = client_.KvPatch("tools/p/s", {{"b", "2"}}, 1);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(*ok, 2);
  auto subkeys = client_.KvSubkeys("tools/p/s");
  ASSERT_TRUE(subkeys.ok());
  EXPECT_EQ(*subkeys, Json({{"a", nullptr}, {"b", nullptr}}));
}

TEST(CircuitBreakerTest, OpensAfterFiveFailuresFailsFastThenHalfOpens) {
  ManualSteady steady;
  VaultConfig config = FastConfig("http://127.0.0.1:" + std::to_string(UnusedPort()));
  config.http.max_retries = 0;
  VaultClient client(config, steady.Fn());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(client.KvRead("tools/p/s").ok());
  EXPECT_TRUE(client.http().breaker().IsOpen());
  auto start = steady_clock::now();
  auto fast = client.KvRead("tools/p/s");
  EXPECT_LT(steady_clock::now() - start, std::chrono::milliseconds(50));
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(fast.error().internal_message().find("circuit breaker open"), std::string::npos);
  steady.ms += 29'999;
  EXPECT_TRUE(client.http().breaker().IsOpen());
  steady.ms += 2;
  EXPECT_FALSE(client.http().breaker().IsOpen());
}

TEST_F(VaultClientTest, BreakerRecoversWhenVaultComesBack) {
  ManualSteady steady;
  VaultConfig config = FastConfig(fake_.addr(), kToken);
  VaultClient client(config, steady.Fn());
  fake_.AddFault({{"mode", "503"}});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(client.KvRead("tools/p/s").ok());
  int seen = fake_.Requests();
  EXPECT_EQ(client.KvRead("tools/p/s").error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(fake_.Requests(), seen);  // open: nothing was sent
  fake_.ClearFaults();
  steady.ms += 30'001;
  auto r = client.KvRead("tools/p/s");  // half-open trial reaches Vault: 404 is an answer
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(client.http().breaker().IsOpen());
  EXPECT_EQ(client.http().breaker().consecutive_failures(), 0);
}

TEST_F(VaultClientTest, RefusedConnectionsAreRetriedThenUnavailable) {
  fake_.Refuse(3000);
  auto r = client_.KvRead("tools/p/s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(client_.http().breaker().consecutive_failures(), 1);
}

TEST_F(VaultClientTest, TokenManagerRenewsAtThreeQuartersOfTtl) {
  auto info = client_.LookupSelf();
  ASSERT_TRUE(info.ok());
  int64_t created = (*info)["creation_time"].get<int64_t>();
  FakeClock clock(created);
  VaultTokenManager manager(client_, clock);
  EXPECT_EQ(manager.health().state, HealthState::kDegraded);  // before the first lookup
  ASSERT_TRUE(manager.Start().ok());
  EXPECT_EQ(manager.health().state, HealthState::kOk);
  ASSERT_TRUE(manager.renew_at().has_value());
  EXPECT_EQ(*manager.renew_at(), created + 2700);
  clock.SetSeconds(created + 2699);
  ASSERT_TRUE(manager.Tick().ok());
  EXPECT_EQ(fake_.Requests("POST auth/token/renew-self"), 0);
  clock.SetSeconds(created + 2700);
  ASSERT_TRUE(manager.Tick().ok());
  EXPECT_EQ(fake_.Requests("POST auth/token/renew-self"), 1);
  EXPECT_GE(*manager.renew_at(), created + 2700);  // recomputed from last_renewal_time
}

TEST_F(VaultClientTest, FailedRenewalDegradesHealthWithoutLeakingToken) {
  auto info = client_.LookupSelf();
  ASSERT_TRUE(info.ok());
  FakeClock clock((*info)["creation_time"].get<int64_t>() + 3000);
  VaultTokenManager manager(client_, clock);
  ASSERT_TRUE(manager.Start().ok());
  fake_.AddFault({{"mode", "403"}, {"path_prefix", "auth/token/renew-self"}});
  auto status = manager.Tick();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kPermissionDenied);
  Health health = manager.health();
  EXPECT_EQ(health.state, HealthState::kDegraded);
  EXPECT_NE(health.reason.find("renewal failed"), std::string::npos);
  EXPECT_EQ(health.reason.find(kToken), std::string::npos);
  fake_.ClearFaults();
  ASSERT_TRUE(manager.Tick().ok());
  EXPECT_EQ(manager.health().state, HealthState::kOk);
}

TEST_F(VaultClientTest, NonExpiringTokenIsNeverRenewed) {
  FakeVault root(FakeVaultScript(), {"--token", "root"});
  VaultClient client(FastConfig(root.addr()));
  FakeClock clock(2'000'000'000);
  VaultTokenManager manager(client, clock);
  ASSERT_TRUE(manager.Start().ok());
  EXPECT_FALSE(manager.renew_at().has_value());
  ASSERT_TRUE(manager.Tick().ok());
  EXPECT_EQ(root.Requests("POST auth/token/renew-self"), 0);
}

TEST_F(VaultClientTest, AppRoleSecretIdWrappedAndUnwrappedOnce) {
  ASSERT_TRUE(client_.Call("POST", "auth/vs_apps_approle/role/fluentbit", Json::object()).ok());
  auto role_id = client_.AppRoleRoleId("vs_apps_approle", "fluentbit");
  ASSERT_TRUE(role_id.ok()) << role_id.error().ToString();
  auto wrap = client_.AppRoleSecretId("vs_apps_approle", "fluentbit", 60);
  ASSERT_TRUE(wrap.ok()) << wrap.error().ToString();
  EXPECT_EQ((*wrap)["ttl"], 60);
  EXPECT_EQ((*wrap)["creation_path"], "auth/vs_apps_approle/role/fluentbit/secret-id");
  SecretString wrapping_token((*wrap)["token"].get<std::string>());
  auto unwrapped = client_.Unwrap(wrapping_token);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.error().ToString();
  EXPECT_TRUE((*unwrapped)["secret_id"].is_string());
  auto again = client_.Unwrap(wrapping_token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(VaultClientTest, ToolsStoreHidesGenerationKeyButStoresItAtomically) {
  VaultToolsStore store(client_);
  ASSERT_TRUE(client_.KvCreate("tools/p/s", {{"foreign", "x"}}, 0).ok());
  auto w = store.Write("tools/p/s", "broker-jwt:abc", SecretString("tok"), {3});
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ(w->version, 2);
  Json raw = fake_.Raw("apps", "tools/p/s");
  EXPECT_EQ(
      raw["versions"]["2"]["data"],
      Json({{"foreign", "x"}, {"broker-jwt:abc", "tok"}, {"__generation:broker-jwt:abc", 3}}));
  EXPECT_EQ(fake_.Requests("PATCH apps/data/tools/p/s"), 1);
}

TEST_F(VaultClientTest, ToolsStoreWritesOverADeletedLatestVersion) {
  VaultToolsStore store(client_);
  ASSERT_TRUE(store.Write("tools/p/s", "k", SecretString("v1"), {1}).ok());
  ASSERT_TRUE(client_.Call("DELETE", "apps/data/tools/p/s", Json()).ok());
  EXPECT_EQ(store.Read("tools/p/s").error().code(), ErrorCode::kNotFound);
  auto w = store.Write("tools/p/s", "k", SecretString("v2"), {2});
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ(w->version, 2);
  EXPECT_EQ(store.Read("tools/p/s")->data.at("k").RevealForUse(), "v2");
}

TEST_F(VaultClientTest, ToolsStoreGivesUpAfterBoundedCasLosses) {
  VaultToolsStore store(client_, 3);
  ASSERT_TRUE(store.Write("tools/p/s", "k", SecretString("v1"), {1}).ok());
  fake_.AddFault({{"mode", "cas"}, {"methods", {"PATCH"}}});
  auto w = store.Write("tools/p/s", "k", SecretString("v2"), {2});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::kAborted);
  EXPECT_EQ(fake_.Requests("PATCH apps/data/tools/p/s"), 3);
  fake_.ClearFaults();
  fake_.AddFault({{"mode", "400"}, {"methods", {"PATCH"}}});
  auto plain = store.Write("tools/p/s", "k", SecretString("v2"), {2});
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code(), ErrorCode::kInvalidArgument);  // not a CAS loss: no retry
  EXPECT_EQ(fake_.Requests("PATCH apps/data/tools/p/s"), 4);
}

}  // namespace
}  // namespace broker::secrets
