// Which repositories receive a service's tools secrets, the on-demand sync jobs, and their
// expansion into one delivery per key, over a real graph and the local tools store.

#include "sync/targets.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "core/encoding.h"
#include "graph/test_util.h"
#include "secrets/local_tools_store.h"
#include "secrets/sealer.h"

namespace broker::sync {
namespace {

using graph::Vertex;

// A JWT-shaped value whose payload names `jti` (the signature is not checked here).
std::string FakeJwt(const std::string& jti) {
  return Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(Json{{"jti", jti}}.dump()) +
         ".sig";
}

class TargetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(secrets::MigrateSecrets(fx_.db()).ok());
    account_ = fx_.Add("brokerAccount", {{"name", "ci"},
                                         {"email", "ci@example.com"},
                                         {"clientId", "6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f"}});
    project_ = fx_.Add("project", {{"name", "fluent"}});
    service_ = fx_.Add("service", {{"name", "fluent-bit"}});
    synced_ = Repo("fluent-bit", "https://github.com/example/fluent-bit", true);
    disabled_ = Repo("fluent-old", "https://github.com/example/fluent-old", false);
    unmanaged_ = Repo("fluent-gl", "https://gitlab.com/example/fluent-gl", true);
    fx_.Link("authorized", account_, project_);
    fx_.Link("component", project_, service_);
    for (const Vertex& repo : {synced_, disabled_, unmanaged_}) fx_.Link("source", service_, repo);
  }

  Vertex Repo(const std::string& name, const std::string& url, bool enabled) {
    return fx_.Add("repository", {{"name", name}, {"scmUrl", url}, {"enableSyncSecrets", enabled}});
  }

  const Vertex& Find(const Vertex& v) { return *fx_.snap()->FindVertex(v.id); }

  graph::testing::GraphFixture fx_;
  Vertex account_, project_, service_, synced_, disabled_, unmanaged_;
};

TEST_F(TargetsTest, OnlyEnabledManagedSourceRepositoriesOfAServiceAreSynced) {
  auto repos = SyncedRepositoriesOf(*fx_.snap(), Find(service_), kDefaultManagedUrlRegex);
  ASSERT_TRUE(repos.ok()) << repos.error().ToString();
  EXPECT_EQ(*repos, std::vector<std::string>{"example/fluent-bit"});
}

TEST_F(TargetsTest, ACustomManagedRegexChangesWhichRepositoriesCount) {
  auto repos =
      SyncedRepositoriesOf(*fx_.snap(), Find(service_), "^https://gitlab.com/([a-z_-]+/[a-z_-]+)$");
  ASSERT_TRUE(repos.ok());
  EXPECT_EQ(*repos, std::vector<std::string>{"example/fluent-gl"});
  auto bad = SyncedRepositoriesOf(*fx_.snap(), Find(service_), "([");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(TargetsTest, AccountAndRepositoryReachTheSyncedRepositoryWithItsService) {
  for (const Vertex* start : {&account_, &synced_}) {
    auto targets = SyncTargets(*fx_.snap(), Find(*start), kDefaultManagedUrlRegex);
    ASSERT_TRUE(targets.ok()) << targets.error().ToString();
    ASSERT_EQ(targets->size(), 1u) << start->collection;
    EXPECT_EQ((*targets)[0].repo, "example/fluent-bit");
    ASSERT_EQ((*targets)[0].services.size(), 1u);
    EXPECT_EQ((*targets)[0].services[0].service->name, "fluent-bit");
    EXPECT_EQ((*targets)[0].services[0].project->name, "fluent");
  }
}

TEST_F(TargetsTest, CollectionsWithoutASecretsRuleAreNotFound) {
  auto targets = SyncTargets(*fx_.snap(), Find(service_), kDefaultManagedUrlRegex);
  ASSERT_FALSE(targets.ok());
  EXPECT_EQ(targets.error().code(), ErrorCode::kNotFound);
}

TEST_F(TargetsTest, AServiceWithTwoProjectsGivesTheRepositoryNoSource) {
  const Vertex other = fx_.Add("project", {{"name", "other"}});
  fx_.Link("component", other, service_);
  auto targets = SyncTargets(*fx_.snap(), Find(synced_), kDefaultManagedUrlRegex);
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 1u);
  EXPECT_TRUE((*targets)[0].services.empty());
}

TEST_F(TargetsTest, EnqueueSyncQueuesOneJobPerRepositoryAndToolsPathWithoutReadingIt) {
  auto sealer = secrets::Sealer::FromKey(SecretString(std::string(32, 'k')));
  secrets::Outbox outbox(fx_.db(), *sealer, fx_.clock(), OsRandom::Instance());
  auto tpl = secrets::ToolsPathTemplate::Parse(secrets::kDefaultToolsPathTemplate);
  ASSERT_TRUE(tpl.ok());
  auto targets = SyncTargets(*fx_.snap(), Find(account_), kDefaultManagedUrlRegex);
  ASSERT_TRUE(targets.ok());

  // No tools store is involved: the path does not even exist yet.
  auto queued = EnqueueSync(*targets, *tpl, outbox, fx_.db(), account_.object_id);
  ASSERT_TRUE(queued.ok()) << queued.error().ToString();
  EXPECT_EQ(*queued, 1);
  auto listed = outbox.ListDeliveries(account_.object_id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const secrets::Delivery& job = (*listed)[0];
  EXPECT_EQ(job.kind, secrets::DeliveryKind::kGithubSync);
  EXPECT_EQ(job.target, "example/fluent-bit");
  EXPECT_EQ(job.key, "tools/fluent/fluent-bit");
  EXPECT_EQ(job.state, "pending");
}

class ExpanderTest : public TargetsTest {
 protected:
  secrets::Delivery Job() {
    secrets::Delivery job;
    job.kind = secrets::DeliveryKind::kGithubSync;
    job.target = "example/fluent-bit";
    job.key = "tools/fluent/fluent-bit";
    return job;
  }
  std::unique_ptr<secrets::Sealer> sealer_ =
      secrets::Sealer::FromKey(SecretString(std::string(32, 'k')));
  secrets::LocalToolsStore tools_{fx_.db(), *sealer_, fx_.clock()};
  GithubSyncExpander expander_{tools_, fx_.graph()};
};

TEST_F(ExpanderTest, EveryKeyOfThePathGoesToTheRepositoryInItsOwnOrder) {
  const std::string key = "broker-jwt:6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f";
  ASSERT_TRUE(tools_
                  .Write("tools/fluent/fluent-bit", key, SecretString(FakeJwt("jti-7")),
                         secrets::WriteOptions{7})
                  .ok());
  ASSERT_TRUE(tools_.Write("tools/fluent/fluent-bit", "db-password", SecretString("pw"), {}).ok());
  auto version = tools_.Read("tools/fluent/fluent-bit");
  ASSERT_TRUE(version.ok());

  auto deliveries = expander_.Expand(Job());
  ASSERT_TRUE(deliveries.ok()) << deliveries.error().ToString();
  ASSERT_EQ(deliveries->size(), 2u);
  std::map<std::string, secrets::DeliveryRequest> by_key;
  for (const auto& d : *deliveries) by_key.emplace(d.key, d);
  const secrets::DeliveryRequest& token = by_key.at(key);
  EXPECT_EQ(token.kind, secrets::DeliveryKind::kGithub);
  EXPECT_EQ(token.target, "example/fluent-bit");
  EXPECT_EQ(token.value.RevealForUse(), FakeJwt("jti-7"));
  EXPECT_EQ(token.generation, 7) << "ordered against the account's token generations";
  EXPECT_EQ(token.account_id, account_.object_id);
  EXPECT_EQ(token.jti, "jti-7");
  const secrets::DeliveryRequest& plain = by_key.at("db-password");
  EXPECT_EQ(plain.value.RevealForUse(), "pw");
  EXPECT_EQ(plain.generation, version->version) << "ordered by the path's version";
  EXPECT_EQ(plain.account_id, "") << "belongs to no account";
  EXPECT_EQ(plain.jti, "");
}

TEST_F(ExpanderTest, APathThatDoesNotExistYetExpandsToNothing) {
  auto deliveries = expander_.Expand(Job());
  ASSERT_TRUE(deliveries.ok());
  EXPECT_TRUE(deliveries->empty());
}

}  // namespace
}  // namespace broker::sync
