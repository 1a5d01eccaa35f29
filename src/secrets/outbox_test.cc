// The delivery outbox over SQLite with VaultToolsStore on the fake Vault: retries through an
// outage without a restart, survival across a restart, supersession, and no token in any log
// line, error or row once delivered.

#include "secrets/outbox.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "core/random.h"
#include "secrets/test_env.h"

namespace broker::secrets {
namespace {

using ::broker::secrets::testing::FakeVault;
using ::broker::secrets::testing::FakeVaultScript;
using ::broker::secrets::testing::FastConfig;
using ::broker::testing::PgCluster;
using ::broker::testing::TempDir;

constexpr char kPath[] = "tools/proj/svc";
constexpr char kKey[] = "broker-jwt:33098695-4a5a-497c-a36a-61691785845c";
constexpr char kCanary[] = "eyJhbGciOiJSUzI1NiJ9.CANARY-token-value.c2ln";
constexpr UnixSeconds kStart = 1786371130;

class OutboxTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs_);
    previous_logger_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    url_ = GetParam() == "postgres" ? PgCluster::Shared().CreateDatabase()
                                    : "sqlite:" + dir_.File("broker.db");
    Reopen();
  }
  void TearDown() override {
    spdlog::set_default_logger(previous_logger_);
    EXPECT_EQ(logs_.str().find("CANARY"), std::string::npos) << logs_.str();
  }

  // A fresh Database and Outbox over the same file: what a process restart sees.
  void Reopen() {
    outbox_.reset();
    db_.reset();
    db_ = testing::MustOpen(url_);
    outbox_ = std::make_unique<Outbox>(*db_, *sealer_, clock_, OsRandom::Instance());
    outbox_->SetDestination(DeliveryKind::kVault, &destination_);
  }

  // Runs `write` in a write transaction of its own and returns the row id it recorded.
  Result<std::string> InTransaction(
      const std::function<Result<std::string>(store::Session&)>& write) {
    std::string id;
    Status s = db_->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
      BROKER_ASSIGN_OR_RETURN(id, write(session));
      return OkStatus();
    });
    if (!s.ok()) return std::move(s).error();
    return id;
  }

  Result<std::string> Enqueue(int64_t generation, const std::string& value = kCanary,
                              const std::string& account = "669af2ba1065137fb10ea955") {
    DeliveryRequest request{DeliveryKind::kVault,
                            kPath,
                            kKey,
                            SecretString(value),
                            generation,
                            account,
                            "jti-" + std::to_string(generation),
                            {}};
    return InTransaction([&](store::Session& s) { return outbox_->Enqueue(s, request); });
  }

  Delivery Get(const std::string& id) {
    auto d = outbox_->Get(id);
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : Delivery{};
  }

  bool SealedValueErased(const std::string& id) {
    auto r = db_->Execute("SELECT sealed_value FROM secrets_outbox WHERE id = $1", {id});
    return r.ok() && !r->empty() && r->rows[0].IsNull(0);
  }

  std::string VaultValue() {
    auto secret = vault_store_.Read(kPath);
    if (!secret.ok()) return "<" + secret.error().message() + ">";
    return secret->data.at(kKey).RevealForUse();
  }

  std::ostringstream logs_;
  std::shared_ptr<spdlog::logger> previous_logger_;
  TempDir dir_;
  std::string url_;
  FakeClock clock_{kStart};
  std::unique_ptr<Sealer> sealer_ = Sealer::FromKey(testing::TestKey());
  FakeVault fake_{FakeVaultScript()};
  VaultClient client_{FastConfig(fake_.addr())};
  VaultToolsStore vault_store_{client_};
  ToolsStoreDestination destination_{vault_store_};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_P(OutboxTest, DeliversAndErasesTheTokenCopy) {
  auto id = Enqueue(1);
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  EXPECT_FALSE(SealedValueErased(*id));
  auto stats = outbox_->RunDue();
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(VaultValue(), kCanary);
  Delivery d = Get(*id);
  EXPECT_EQ(d.state, "done");
  EXPECT_EQ(d.version, 1);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.done_at, kStart * 1000);
  EXPECT_TRUE(SealedValueErased(*id));
  // Nothing left to do.
  EXPECT_EQ(outbox_->RunDue()->attempted, 0);
}

TEST_P(OutboxTest, RolledBackTransactionLeavesNoDelivery) {
  Status s = db_->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    DeliveryRequest request{
        DeliveryKind::kVault, kPath, kKey, SecretString(kCanary), 1, "acc", "jti-1", {}};
    BROKER_RETURN_IF_ERROR(outbox_->Enqueue(session, request));
    return Aborted("token generation failed later");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(outbox_->ListDeliveries("acc")->empty());
}

TEST_P(OutboxTest, VaultOutageKeepsDeliveryPendingThenSucceedsWithoutRestart) {
  fake_.AddFault({{"mode", "503"}});
  auto id = Enqueue(1);
  ASSERT_TRUE(id.ok());
  auto first = outbox_->RunDue();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->retried, 1);
  Delivery d = Get(*id);
  EXPECT_EQ(d.state, "pending");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "vault is unavailable");
  EXPECT_GE(d.next_attempt_at, (kStart + 5) * 1000);
  EXPECT_LE(d.next_attempt_at, (kStart + 5) * 1000 + 500);
  Json shown = DeliveryToJson(d);
  EXPECT_EQ(shown["outcome"], "pending");
  EXPECT_EQ(shown["error"], "vault is unavailable");
  // Not due yet: no attempt.
  clock_.AdvanceSeconds(4);
  EXPECT_EQ(outbox_->RunDue()->attempted, 0);
  // Still down at the second attempt: the backoff doubles.
  clock_.AdvanceSeconds(2);
  EXPECT_EQ(outbox_->RunDue()->retried, 1);
  d = Get(*id);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_GE(d.next_attempt_at, clock_.NowMillis() + 10'000);
  EXPECT_LE(d.next_attempt_at, clock_.NowMillis() + 11'000);
  // Vault recovers.
  fake_.ClearFaults();
  clock_.AdvanceSeconds(11);
  auto last = outbox_->RunDue();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->delivered, 1);
  d = Get(*id);
  EXPECT_EQ(d.state, "done");
  EXPECT_EQ(d.attempts, 3);
  EXPECT_FALSE(d.last_error.has_value());
  EXPECT_EQ(VaultValue(), kCanary);
  EXPECT_EQ(DeliveryToJson(d)["outcome"], "delivered");
  EXPECT_FALSE(DeliveryToJson(d).contains("error"));
}

TEST_P(OutboxTest, BackoffIsCappedAtFiveMinutes) {
  fake_.AddFault({{"mode", "503"}});
  auto id = Enqueue(1);
  ASSERT_TRUE(id.ok());
  for (int i = 0; i < 10; ++i) {
    clock_.AdvanceSeconds(400);
    ASSERT_EQ(outbox_->RunDue()->retried, 1) << i;
  }
  Delivery d = Get(*id);
  EXPECT_EQ(d.attempts, 10);
  EXPECT_GE(d.next_attempt_at, clock_.NowMillis() + 300'000);
  EXPECT_LE(d.next_attempt_at, clock_.NowMillis() + 330'000);
}

TEST_P(OutboxTest, RestartLosesNothing) {
  fake_.AddFault({{"mode", "503"}});
  auto id = Enqueue(1);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(outbox_->RunDue()->retried, 1);
  Reopen();
  fake_.ClearFaults();
  clock_.AdvanceSeconds(6);
  auto stats = outbox_->RunDue();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(Get(*id).state, "done");
  EXPECT_EQ(VaultValue(), kCanary);
}

TEST_P(OutboxTest, NewerEnqueueSupersedesOlderPendingDelivery) {
  auto older = Enqueue(1, "older-CANARY");
  auto newer = Enqueue(2);
  ASSERT_TRUE(older.ok() && newer.ok());
  EXPECT_EQ(Get(*older).state, "superseded");
  EXPECT_TRUE(SealedValueErased(*older));
  auto stats = outbox_->RunDue();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(VaultValue(), kCanary);
  EXPECT_EQ(fake_.Requests("PATCH apps/data/tools/proj/svc") +
                fake_.Requests("POST apps/data/tools/proj/svc"),
            1);
  auto list = outbox_->ListDeliveries("669af2ba1065137fb10ea955");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(DeliveryToJson((*list)[1])["outcome"], "superseded");
  EXPECT_EQ(DeliveryToJson((*list)[0])["outcome"], "delivered");
}

TEST_P(OutboxTest, DestinationHoldingNewerGenerationSupersedesDelivery) {
  ASSERT_TRUE(vault_store_.Write(kPath, kKey, SecretString("generation-9"), {9}).ok());
  auto id = Enqueue(3);
  ASSERT_TRUE(id.ok());
  auto stats = outbox_->RunDue();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->superseded, 1);
  EXPECT_EQ(Get(*id).state, "superseded");
  EXPECT_TRUE(SealedValueErased(*id));
  EXPECT_EQ(VaultValue(), "generation-9");
}

TEST_P(OutboxTest, DeliveryWithoutDestinationStaysPending) {
  DeliveryRequest request{DeliveryKind::kGithub,
                          "bcgov/nr-broker",
                          "BROKER_JWT_X",
                          SecretString(kCanary),
                          1,
                          "acc",
                          "jti-1",
                          {}};
  auto id = InTransaction([&](store::Session& s) { return outbox_->Enqueue(s, request); });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(outbox_->RunDue()->retried, 1);
  Delivery d = Get(*id);
  EXPECT_EQ(d.state, "pending");
  EXPECT_EQ(d.last_error, "No destination is configured for github deliveries");
}

TEST_P(OutboxTest, ListDeliveriesShowsApiShape) {
  auto id = Enqueue(1);
  ASSERT_TRUE(id.ok());
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(outbox_->RunDue().ok());
  auto list = outbox_->ListDeliveries("669af2ba1065137fb10ea955");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  Json shown = DeliveryToJson((*list)[0]);
  EXPECT_EQ(shown, Json({{"kind", "vault"},
                         {"target", kPath},
                         {"version", 1},
                         {"at", "2026-08-10T14:12:11.000Z"},
                         {"outcome", "delivered"},
                         {"jti", "jti-1"}}));
  EXPECT_TRUE(outbox_->ListDeliveries("someone-else")->empty());
}

TEST_P(OutboxTest, ASkippedDeliveryIsListedWithItsReasonAndNeverAttempted) {
  DeliveryRequest request{
      DeliveryKind::kVault, "service:orphan", kKey, SecretString(kCanary), 3, "acc", "jti-3", {}};
  auto id = InTransaction([&](store::Session& s) {
    return outbox_->RecordSkipped(s, request, "Service orphan: no path");
  });
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(SealedValueErased(*id)) << "a skipped row keeps no token";
  clock_.AdvanceSeconds(600);
  EXPECT_EQ(outbox_->RunDue()->attempted, 0);
  const Json shown = DeliveryToJson(Get(*id));
  EXPECT_EQ(shown["outcome"], "skipped");
  EXPECT_EQ(shown["error"], "Service orphan: no path");
  EXPECT_EQ(shown["target"], "service:orphan");
}

TEST_P(OutboxTest, TamperedRowDoesNotDecryptElsewhere) {
  auto a = Enqueue(1);
  ASSERT_TRUE(a.ok());
  // Move the sealed value to a row for another target: it must not authenticate there.
  DeliveryRequest other{
      DeliveryKind::kVault, "tools/other/svc", kKey, SecretString("x"), 1, "acc", "jti-x", {}};
  auto b = InTransaction([&](store::Session& s) { return outbox_->Enqueue(s, other); });
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(db_->Execute("UPDATE secrets_outbox SET sealed_value = (SELECT sealed_value FROM "
                           "secrets_outbox WHERE id = $1) WHERE id = $2",
                           {*a, *b})
                  .ok());
  ASSERT_TRUE(db_->Execute("UPDATE secrets_outbox SET state = 'done' WHERE id = $1", {*a}).ok());
  auto stats = outbox_->RunDue();
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(stats->delivered, 0);
  Delivery d = Get(*b);
  EXPECT_EQ(d.state, "failed");
  EXPECT_EQ(d.last_error, "Stored value cannot be decrypted");
  EXPECT_TRUE(SealedValueErased(*b));
  EXPECT_EQ(fake_.Raw("apps", "tools/other/svc"), Json());
}

INSTANTIATE_TEST_SUITE_P(Databases, OutboxTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace broker::secrets

namespace broker::secrets {
namespace {

// Records what reaches GitHub (as GithubDestination would deliver it).
class RecordingDestination final : public DeliveryDestination {
 public:
  Result<std::optional<int64_t>> Deliver(const std::string& target, const std::string& key,
                                         const SecretString& value, int64_t generation) override {
    received.push_back(target + " " + key + " " + std::to_string(generation) + " " +
                       value.RevealForUse());
    return std::optional<int64_t>();
  }
  std::vector<std::string> received;
};

// Expands each job into one github delivery per entry of `keys`, or fails while `failure` is
// set; records which jobs it was asked to expand.
class ScriptedExpander final : public DeliveryExpander {
 public:
  Result<std::vector<DeliveryRequest>> Expand(const Delivery& job) override {
    expanded.push_back(job.target + " " + job.key);
    if (failure) return *failure;
    std::vector<DeliveryRequest> out;
    for (const auto& [key, value] : keys) {
      out.push_back({DeliveryKind::kGithub,
                     job.target,
                     key,
                     SecretString(value),
                     1,
                     job.account_id,
                     job.jti,
                     {}});
    }
    return out;
  }
  std::map<std::string, std::string> keys = {{kKey, kCanary}, {"db-url", "postgres://db"}};
  std::optional<Error> failure;
  std::vector<std::string> expanded;
};

class OutboxFollowUpTest : public OutboxTest {
 protected:
  Result<std::string> EnqueueWithRepos(int64_t generation) {
    DeliveryRequest request{DeliveryKind::kVault, kPath, kKey,    SecretString(kCanary),
                            generation,           "acc", "jti-9", {"bcgov/one", "bcgov/two"}};
    return InTransaction([&](store::Session& s) { return outbox_->Enqueue(s, request); });
  }
  Result<std::string> EnqueueJob(const std::string& repo) {
    return InTransaction([&](store::Session& s) {
      return outbox_->EnqueueJob(s, {DeliveryKind::kGithubSync, repo, kPath, "acc", ""});
    });
  }
  std::vector<Delivery> Rows(DeliveryKind kind) {
    std::vector<Delivery> rows;
    auto listed = outbox_->ListDeliveries("acc");
    EXPECT_TRUE(listed.ok());
    if (!listed.ok()) return rows;
    for (const Delivery& d : *listed) {
      if (d.kind == kind) rows.push_back(d);
    }
    return rows;
  }
  void Wire() {
    outbox_->SetDestination(DeliveryKind::kGithub, &github_);
    outbox_->SetExpander(DeliveryKind::kGithubSync, &expander_);
  }
  RecordingDestination github_;
  ScriptedExpander expander_;
};

TEST_P(OutboxFollowUpTest, RepositoriesAreSyncedOnlyOnceTheToolsPathHoldsTheToken) {
  Wire();
  fake_.AddFault({{"mode", "503"}, {"path_prefix", "apps/"}});
  auto id = EnqueueWithRepos(4);
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  ASSERT_TRUE(outbox_->RunDue().ok());
  EXPECT_EQ(Get(*id).state, "pending");
  EXPECT_TRUE(Rows(DeliveryKind::kGithubSync).empty()) << "no sync before Vault holds the token";
  EXPECT_EQ(Get(*id).then_github, (std::vector<std::string>{"bcgov/one", "bcgov/two"}));

  fake_.ClearFaults();
  clock_.AdvanceSeconds(60);
  ASSERT_TRUE(outbox_->RunDue().ok());
  EXPECT_EQ(Get(*id).state, "done");
  ASSERT_EQ(Rows(DeliveryKind::kGithubSync).size(), 2u);
  EXPECT_TRUE(expander_.expanded.empty()) << "rows queued during a pass wait for the next";

  ASSERT_TRUE(outbox_->RunDue().ok());
  std::sort(expander_.expanded.begin(), expander_.expanded.end());
  EXPECT_EQ(expander_.expanded, (std::vector<std::string>{"bcgov/one " + std::string(kPath),
                                                          "bcgov/two " + std::string(kPath)}));
  for (const Delivery& job : Rows(DeliveryKind::kGithubSync)) {
    EXPECT_EQ(job.state, "done");
    EXPECT_EQ(job.jti, "jti-9");
  }
  ASSERT_EQ(Rows(DeliveryKind::kGithub).size(), 4u) << "two keys for each of two repositories";

  ASSERT_TRUE(outbox_->RunDue().ok());
  std::sort(github_.received.begin(), github_.received.end());
  EXPECT_EQ(
      github_.received,
      (std::vector<std::string>{
          "bcgov/one " + std::string(kKey) + " 1 " + kCanary, "bcgov/one db-url 1 postgres://db",
          "bcgov/two " + std::string(kKey) + " 1 " + kCanary, "bcgov/two db-url 1 postgres://db"}));
  for (const Delivery& d : Rows(DeliveryKind::kGithub)) EXPECT_EQ(d.state, "done");
  github_.received.clear();  // the log canary in TearDown checks logs, not this vector
}

TEST_P(OutboxFollowUpTest, FollowUpsSurviveARestartBetweenVaultAndGithub) {
  auto id = EnqueueWithRepos(5);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(outbox_->RunDue().ok());  // nothing expands the jobs yet: they stay pending
  ASSERT_EQ(Rows(DeliveryKind::kGithubSync).size(), 2u);
  Reopen();
  Wire();
  clock_.AdvanceSeconds(60);
  ASSERT_TRUE(outbox_->RunDue().ok());
  ASSERT_TRUE(outbox_->RunDue().ok());
  EXPECT_EQ(github_.received.size(), 4u);
  for (const Delivery& d : Rows(DeliveryKind::kGithub)) EXPECT_EQ(d.state, "done");
  github_.received.clear();
}

TEST_P(OutboxFollowUpTest, AJobThatCannotReadTheToolsPathIsRetriedUntilItCan) {
  Wire();
  expander_.failure = Unavailable("Vault is sealed");
  auto id = EnqueueJob("bcgov/one");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(outbox_->RunDue().ok());
  Delivery job = Get(*id);
  EXPECT_EQ(job.state, "pending");
  EXPECT_EQ(job.last_error, "Vault is sealed");
  EXPECT_TRUE(Rows(DeliveryKind::kGithub).empty());

  expander_.failure.reset();
  ASSERT_TRUE(outbox_->RunDue().ok());
  EXPECT_EQ(expander_.expanded.size(), 1u) << "not due again before its backoff";
  clock_.AdvanceSeconds(60);
  ASSERT_TRUE(outbox_->RunDue().ok());
  EXPECT_EQ(Get(*id).state, "done");
  EXPECT_EQ(Rows(DeliveryKind::kGithub).size(), 2u);
}

TEST_P(OutboxFollowUpTest, ALaterJobSupersedesOneNotYetStarted) {
  Wire();
  auto first = EnqueueJob("bcgov/one");
  auto second = EnqueueJob("bcgov/one");
  auto other = EnqueueJob("bcgov/two");
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_EQ(Get(*first).state, "superseded");
  EXPECT_EQ(Get(*second).generation, Get(*first).generation + 1);
  EXPECT_EQ(Get(*other).generation, 1) << "generations count per repository and path";
  ASSERT_TRUE(outbox_->RunDue().ok());
  std::sort(expander_.expanded.begin(), expander_.expanded.end());
  EXPECT_EQ(expander_.expanded, (std::vector<std::string>{"bcgov/one " + std::string(kPath),
                                                          "bcgov/two " + std::string(kPath)}));

  // A job that has run does not swallow a later one: the later one reads what came since.
  auto third = EnqueueJob("bcgov/one");
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(outbox_->RunDue().ok());
  EXPECT_EQ(Get(*third).state, "done");
  EXPECT_EQ(expander_.expanded.size(), 3u);
  github_.received.clear();
}

INSTANTIATE_TEST_SUITE_P(Databases, OutboxFollowUpTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace broker::secrets
