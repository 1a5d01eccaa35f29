// Which repositories receive a service's tools secrets, and the on-demand sync enqueueing,
// over a real graph and the local tools store.

#include "sync/targets.h"

#include <gtest/gtest.h>

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

TEST_F(TargetsTest, EnqueueSyncQueuesEveryKeyOfTheToolsPathWithItsGenerationAndAccount) {
  auto sealer = secrets::Sealer::FromKey(SecretString(std::string(32, 'k')));
  secrets::LocalToolsStore tools(fx_.db(), *sealer, fx_.clock());
  const std::string key = "broker-jwt:6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f";
  ASSERT_TRUE(tools
                  .Write("tools/fluent/fluent-bit", key, SecretString(FakeJwt("jti-7")),
                         secrets::WriteOptions{7})
                  .ok());
  ASSERT_TRUE(tools.Write("tools/fluent/fluent-bit", "db-password", SecretString("pw"), {}).ok());
  secrets::Outbox outbox(fx_.db(), *sealer, fx_.clock(), OsRandom::Instance());
  auto tpl = secrets::ToolsPathTemplate::Parse(secrets::kDefaultToolsPathTemplate);
  ASSERT_TRUE(tpl.ok());
  auto targets = SyncTargets(*fx_.snap(), Find(account_), kDefaultManagedUrlRegex);
  ASSERT_TRUE(targets.ok());

  auto queued = EnqueueSync(*fx_.snap(), *targets, *tpl, tools, outbox, fx_.db());
  ASSERT_TRUE(queued.ok()) << queued.error().ToString();
  EXPECT_EQ(*queued, 2);
  auto listed = outbox.ListDeliveries(account_.object_id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);  // db-password belongs to no account
  EXPECT_EQ((*listed)[0].kind, secrets::DeliveryKind::kGithub);
  EXPECT_EQ((*listed)[0].target, "example/fluent-bit");
  EXPECT_EQ((*listed)[0].generation, 7);
  EXPECT_EQ((*listed)[0].jti, "jti-7");
}

TEST_F(TargetsTest, EnqueueSyncSkipsToolsPathsThatDoNotExistYet) {
  auto sealer = secrets::Sealer::FromKey(SecretString(std::string(32, 'k')));
  secrets::LocalToolsStore tools(fx_.db(), *sealer, fx_.clock());
  secrets::Outbox outbox(fx_.db(), *sealer, fx_.clock(), OsRandom::Instance());
  auto tpl = secrets::ToolsPathTemplate::Parse(secrets::kDefaultToolsPathTemplate);
  auto targets = SyncTargets(*fx_.snap(), Find(synced_), kDefaultManagedUrlRegex);
  ASSERT_TRUE(targets.ok());
  auto queued = EnqueueSync(*fx_.snap(), *targets, *tpl, tools, outbox, fx_.db());
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(*queued, 0);
}

}  // namespace
}  // namespace broker::sync
