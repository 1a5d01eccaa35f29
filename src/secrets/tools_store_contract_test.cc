// One contract, three implementations: LocalToolsStore on SQLite and on PostgreSQL, and
// VaultToolsStore against the fake Vault.

#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

#include "secrets/test_env.h"

namespace broker::secrets {
namespace {

using ::broker::secrets::testing::FakeVault;
using ::broker::testing::PgCluster;
using ::broker::testing::TempDir;

constexpr char kKey[] = "broker-jwt:33098695-4a5a-497c-a36a-61691785845c";

class StoreEnv {
 public:
  virtual ~StoreEnv() = default;
  virtual ToolsStore& store() = 0;
  // Slows every other write down by `ms` (R1c), where the implementation allows it.
  virtual void DelayAlternateWrites(int ms) { (void)ms; }
};

class LocalEnv : public StoreEnv {
 public:
  explicit LocalEnv(const std::string& url)
      : db_(testing::MustOpen(url)),
        sealer_(Sealer::FromKey(testing::TestKey())),
        store_(*db_, *sealer_, clock_) {}
  ToolsStore& store() override { return store_; }

 private:
  FakeClock clock_{1786371130};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Sealer> sealer_;
  LocalToolsStore store_;
};

class VaultEnv : public StoreEnv {
 public:
  VaultEnv()
      : fake_(testing::FakeVaultScript()),
        client_(testing::FastConfig(fake_.addr())),
        store_(client_, 16) {}
  ToolsStore& store() override { return store_; }
  void DelayAlternateWrites(int ms) override {
    fake_.AddFault(
        {{"mode", "delay"}, {"delay_ms", ms}, {"every", 2}, {"methods", {"POST", "PATCH"}}});
  }

 private:
  FakeVault fake_;
  VaultClient client_;
  VaultToolsStore store_;
};

class ToolsStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string& kind = GetParam();
    if (kind == "sqlite") {
      env_ = std::make_unique<LocalEnv>("sqlite:" + dir_.File("broker.db"));
    } else if (kind == "postgres") {
      env_ = std::make_unique<LocalEnv>(PgCluster::Shared().CreateDatabase());
    } else {
      env_ = std::make_unique<VaultEnv>();
    }
  }
  ToolsStore& store() { return env_->store(); }

  std::string ValueOf(const std::string& path, const std::string& key) {
    auto secret = store().Read(path);
    if (!secret.ok()) return "<" + secret.error().ToString() + ">";
    auto it = secret->data.find(key);
    return it == secret->data.end() ? "<absent>" : it->second.RevealForUse();
  }

  TempDir dir_;
  std::unique_ptr<StoreEnv> env_;
};

TEST_P(ToolsStoreContract, ReadOfMissingPathIsNotFound) {
  auto secret = store().Read("tools/nope/none");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), ErrorCode::kNotFound);
}

TEST_P(ToolsStoreContract, CreateThenReadYourWrite) {
  auto written = store().Write("tools/proj/svc", kKey, SecretString("token-1"), {7});
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  auto secret = store().Read("tools/proj/svc");
  ASSERT_TRUE(secret.ok()) << secret.error().ToString();
  EXPECT_EQ(secret->version, written->version);
  ASSERT_EQ(secret->data.size(), 1u);  // the generation bookkeeping stays hidden
  EXPECT_EQ(secret->data.at(kKey).RevealForUse(), "token-1");
  EXPECT_EQ(secret->generations.at(kKey), 7);
}

TEST_P(ToolsStoreContract, MergeKeepsOtherKeysAndBumpsVersion) {
  auto first = store().Write("tools/proj/svc", "other", SecretString("keep-me"), {});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto second = store().Write("tools/proj/svc", kKey, SecretString("token-1"), {1});
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->version, first->version + 1);
  EXPECT_EQ(ValueOf("tools/proj/svc", "other"), "keep-me");
  EXPECT_EQ(ValueOf("tools/proj/svc", kKey), "token-1");
}

TEST_P(ToolsStoreContract, OlderGenerationNeverOverwritesNewer) {
  ASSERT_TRUE(store().Write("tools/proj/svc", kKey, SecretString("token-5"), {5}).ok());
  auto older = store().Write("tools/proj/svc", kKey, SecretString("token-4"), {4});
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(IsSuperseded(older.error()));
  EXPECT_EQ(older.error().ToString().find("token-4"), std::string::npos);
  EXPECT_EQ(ValueOf("tools/proj/svc", kKey), "token-5");
  // The same generation again is an idempotent retry and succeeds.
  EXPECT_TRUE(store().Write("tools/proj/svc", kKey, SecretString("token-5"), {5}).ok());
  EXPECT_TRUE(store().Write("tools/proj/svc", kKey, SecretString("token-6"), {6}).ok());
  EXPECT_EQ(ValueOf("tools/proj/svc", kKey), "token-6");
}

TEST_P(ToolsStoreContract, GenerationsArePerKey) {
  ASSERT_TRUE(store().Write("tools/proj/svc", "broker-jwt:a", SecretString("a9"), {9}).ok());
  auto b = store().Write("tools/proj/svc", "broker-jwt:b", SecretString("b1"), {1});
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_EQ(ValueOf("tools/proj/svc", "broker-jwt:a"), "a9");
  EXPECT_EQ(ValueOf("tools/proj/svc", "broker-jwt:b"), "b1");
}

TEST_P(ToolsStoreContract, RacingWritersNewestGenerationWins) {
  env_->DelayAlternateWrites(200);
  constexpr int kWriters = 6;
  for (int round = 0; round < 3; ++round) {
    std::string path = "tools/race/svc" + std::to_string(round);
    std::latch start(kWriters);
    std::vector<std::thread> threads;
    threads.reserve(kWriters);
    std::vector<std::string> errors(kWriters);
    for (int i = 0; i < kWriters; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        int64_t generation = round * 100 + i + 1;
        auto r = store().Write(path, kKey, SecretString("token-" + std::to_string(generation)),
                               {generation});
        if (!r.ok() && !IsSuperseded(r.error()))
          errors[static_cast<size_t>(i)] = r.error().ToString();
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    int64_t newest = round * 100 + kWriters;
    EXPECT_EQ(ValueOf(path, kKey), "token-" + std::to_string(newest)) << "round " << round;
    auto secret = store().Read(path);
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(secret->generations.at(kKey), newest);
  }
}

TEST_P(ToolsStoreContract, ListShowsNamesBelowPrefix) {
  for (const char* path : {"tools/p/s1", "tools/p/s2", "tools/q/s"}) {
    ASSERT_TRUE(store().Write(path, kKey, SecretString("t"), {1}).ok());
  }
  auto top = store().List("tools");
  ASSERT_TRUE(top.ok()) << top.error().ToString();
  EXPECT_EQ(*top, (std::vector<std::string>{"p/", "q/"}));
  auto p = store().List("tools/p");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<std::string>{"s1", "s2"}));
  auto none = store().List("tools/zzz");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
}

TEST_P(ToolsStoreContract, MalformedPathOrKeyIsInvalidArgument) {
  for (const char* path : {"", "/tools/a", "tools//a", "tools/../a", "tools/a/", "tools/a?b"}) {
    auto r = store().Write(path, kKey, SecretString("t"), {1});
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << path;
  }
  auto r = store().Write("tools/a/b", "", SecretString("t"), {1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, ToolsStoreContract,
                         ::testing::Values("sqlite", "postgres", "vault"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace broker::secrets
