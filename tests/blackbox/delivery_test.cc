// Issue 5 end to end: the real `broker` binary with tests/fakes/fake_vault.py and
// tests/fakes/fake_github.py. A generated token lands in the tools path of every service the
// account reaches (keeping the paths' other keys, and listing a service without a project as
// skipped), then every key of those paths reaches the GitHub Actions secrets of the services'
// synced repositories; Vault outages delay deliveries without failing generation, a restart
// loses none, racing generations leave the newest token, renewal by API distributes like the
// last generation, and POST /v1/collection/:collection/:id/sync syncs on demand, even while
// Vault is down (the sync waits in the outbox).

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "broker_process.h"
#include "core/encoding.h"
#include "secrets/fake_vault_fixture.h"
#include "support/temp_dir.h"

namespace broker::testing {
namespace {

using ::broker::secrets::testing::FakeControl;
using ::broker::secrets::testing::FakeProcess;

constexpr char kTokenKey[] = "broker-jwt:6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f";
constexpr char kSecretName[] = "BROKER_JWT_6D1C2F3A_0B4E_4C5D_8E6F_7A8B9C0D1E2F";
constexpr char kAppId[] = "Iv1.delivery-test";
const std::vector<std::string> kToolsPaths = {"tools/fluent/fluent-bit", "tools/fluent/fluentd",
                                              "tools/payments/billing-api"};

std::string FakeScript(const std::string& name) {
  return std::string(BROKER_SOURCE_DIR) + "/tests/fakes/" + name;
}

// A fresh RSA private key (PEM) for the GitHub App.
std::string NewRsaPem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

std::string JtiOf(const std::string& token) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  const auto payload = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  return payload ? Json::parse(*payload).value("jti", "") : "";
}

// Polls `done` every 100 ms for up to `seconds`.
bool WaitFor(const std::function<bool()>& done, int seconds = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

class DeliveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string pem_file = dir_->File("github-app.pem");
    std::ofstream(pem_file) << NewRsaPem();
    vault_ = new FakeProcess(FakeScript("fake_vault.py"), {});
    github_ = new FakeProcess(FakeScript("fake_github.py"), {"--client-id", kAppId});
    BrokerOptions options;
    options.import_file = std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/delivery_graph.json";
    options.env = {{"VAULT_ADDR", vault_->addr()},
                   {"BROKER_TOKEN", "root"},
                   {"GITHUB_SYNC_CLIENT_ID", kAppId},
                   {"GITHUB_SYNC_PRIVATE_KEY", pem_file},
                   {"BROKER_GITHUB_API_URL", github_->addr()},
                   {"BROKER_OUTBOX_RETRY_MS", "1500"},
                   {"BROKER_OUTBOX_MAX_RETRY_MS", "2000"}};
    broker_ = new BrokerProcess(options);
  }
  static void TearDownTestSuite() {
    delete broker_;
    delete github_;
    delete vault_;
    delete dir_;
  }

  void SetUp() override {
    FakeControl(vault_->addr(), "DELETE", "/_fake/faults", nullptr);
    alice_ = SignIn("alice", "alice-pass-1");
    account_ = AccountId();
  }

  static std::unique_ptr<HttpClient> SignIn(const std::string& user, const std::string& pass) {
    auto client = std::make_unique<HttpClient>(broker_->url());
    EXPECT_EQ(client->Login(user, pass).status, 200) << user;
    return client;
  }

  std::string ObjectId(const std::string& collection, const std::string& name) {
    const HttpResponse r =
        alice_->Post("/v1/collection/" + collection + "/search?offset=0&limit=50", "{}");
    const Json body = r.json();
    for (const Json& row : body["data"]) {
      if (row["collection"]["name"] == name) return row["collection"]["id"];
    }
    ADD_FAILURE() << "no " << collection << " " << name << " in " << r.body;
    return {};
  }
  std::string AccountId() { return ObjectId("broker-account", "ci-deployer"); }

  std::string Generate(HttpClient& client,
                       const std::string& flags = "patch=true&syncSecrets=true") {
    const HttpResponse r = client.Post("/v1/collection/broker-account/" + account_ +
                                       "/token?expiration=3600&" + flags);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json()["token"].get<std::string>() : std::string();
  }

  // Every delivery of the account, newest first.
  Json AllDeliveries() {
    return alice_->Get("/v1/collection/broker-account/" + account_ + "/deliveries").json();
  }
  // The deliveries of token `jti`.
  Json Deliveries(const std::string& jti) {
    Json mine = Json::array();
    for (const Json& d : AllDeliveries()) {
      if (d["jti"] == jti) mine.push_back(d);
    }
    return mine;
  }
  int Count(const Json& deliveries, const std::string& kind, const std::string& outcome) {
    int n = 0;
    for (const Json& d : deliveries) n += d["kind"] == kind && d["outcome"] == outcome;
    return n;
  }
  bool AllDelivered(const std::string& jti) {
    const Json d = Deliveries(jti);
    return Count(d, "vault", "delivered") == 3 && Count(d, "github", "delivered") == 2;
  }
  // Whether any delivery of the account satisfies `matches`.
  bool AnyDelivery(const std::function<bool(const Json&)>& matches) {
    const Json all = AllDeliveries();
    return std::any_of(all.begin(), all.end(), matches);
  }
  bool ShowsPendingWithError(const std::string& jti) {
    return AnyDelivery([&](const Json& d) {
      return d["jti"] == jti && d["kind"] == "vault" && d["outcome"] == "pending" &&
             d.contains("error");
    });
  }
  bool NothingPending() {
    return !AnyDelivery([](const Json& d) { return d["outcome"] == "pending"; });
  }

  // The data of a tools path as Vault's KV v2 API returns it.
  static Json VaultData(const std::string& path) {
    HttpClient vault(vault_->addr());
    vault.SetHeader("X-Vault-Token", "root");
    const HttpResponse r = vault.Get("/v1/apps/data/" + path);
    return r.status == 200 ? r.json()["data"]["data"] : Json();
  }
  // Adds `key` = `value` to a tools path in the fake Vault, keeping its other keys (a KV v2
  // merge-patch, as a person using Vault would).
  static long PatchVault(const std::string& path, const std::string& key,
                         const std::string& value) {
    HttpClient vault(vault_->addr());
    vault.SetHeader("X-Vault-Token", "root");
    return vault
        .Request("PATCH", "/v1/apps/data/" + path, Json{{"data", {{key, value}}}}.dump(),
                 "application/merge-patch+json")
        .status;
  }
  // The token generated with these flags, once its three tools-path deliveries are done.
  std::string GenerateAndStore(const std::string& flags) {
    std::string token = Generate(*alice_, flags);
    EXPECT_TRUE(
        WaitFor([&] { return Count(Deliveries(JtiOf(token)), "vault", "delivered") == 3; }));
    return token;
  }
  static Json GithubSecrets(const std::string& repo) {
    return FakeControl(github_->addr(), "GET", "/_fake/secrets/" + repo, nullptr);
  }

  static TempDir* dir_;
  static FakeProcess* vault_;
  static FakeProcess* github_;
  static BrokerProcess* broker_;
  std::unique_ptr<HttpClient> alice_;
  std::string account_;
};

TempDir* DeliveryTest::dir_ = nullptr;
FakeProcess* DeliveryTest::vault_ = nullptr;
FakeProcess* DeliveryTest::github_ = nullptr;
BrokerProcess* DeliveryTest::broker_ = nullptr;

TEST_F(DeliveryTest, TokenReachesEveryToolsPathAndTheSyncedRepositories) {
  HttpClient vault(vault_->addr());
  vault.SetHeader("X-Vault-Token", "root");
  ASSERT_EQ(
      vault.Post("/v1/apps/data/tools/fluent/fluent-bit", R"({"data":{"db-url":"keep"}})").status,
      200);

  const std::string token = Generate(*alice_);
  const std::string jti = JtiOf(token);
  ASSERT_TRUE(WaitFor([&] { return AllDelivered(jti); })) << Deliveries(jti).dump();

  for (const std::string& path : kToolsPaths) EXPECT_EQ(VaultData(path)[kTokenKey], token) << path;
  EXPECT_EQ(VaultData("tools/fluent/fluent-bit")["db-url"], "keep");
  std::set<std::string> targets;
  for (const Json& d : Deliveries(jti)) targets.insert(d["target"].get<std::string>());
  EXPECT_EQ(targets, (std::set<std::string>{"tools/fluent/fluent-bit", "tools/fluent/fluentd",
                                            "tools/payments/billing-api", "example/fluent-bit",
                                            "example/billing-api", "service:loose-worker"}));
  EXPECT_EQ(Count(Deliveries(jti), "vault", "skipped"), 1) << "a service without a project";
  EXPECT_EQ(GithubSecrets("example/fluent-bit")[kSecretName], token);
  EXPECT_EQ(GithubSecrets("example/billing-api")[kSecretName], token);
  EXPECT_TRUE(WaitFor([] { return GithubSecrets("example/fluent-bit")["DB_URL"] == "keep"; }))
      << "every key of the tools path is synced, not only the token";
  EXPECT_FALSE(GithubSecrets("example/fluentd").contains(kSecretName)) << "sync disabled";
}

TEST_F(DeliveryTest, WithoutSyncSecretsNothingGoesToGithub) {
  const std::string token = Generate(*alice_, "patch=true&syncSecrets=false");
  const std::string jti = JtiOf(token);
  ASSERT_TRUE(WaitFor([&] { return Count(Deliveries(jti), "vault", "delivered") == 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(
      Count(Deliveries(jti), "github", "delivered") + Count(Deliveries(jti), "github", "pending"),
      0);
  EXPECT_NE(GithubSecrets("example/fluent-bit")[kSecretName], token);
}

TEST_F(DeliveryTest, VaultOutageDelaysDeliveriesWithoutFailingGeneration) {
  // Nine requests = one failed round for the three paths (each call is tried three times).
  FakeControl(vault_->addr(), "POST", "/_fake/faults",
              {{"mode", "503"}, {"path_prefix", "apps/"}, {"count", 9}});
  const auto started = std::chrono::steady_clock::now();
  const std::string token = Generate(*alice_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  const std::string jti = JtiOf(token);
  ASSERT_TRUE(WaitFor([&] { return ShowsPendingWithError(jti); })) << Deliveries(jti).dump();
  ASSERT_TRUE(WaitFor([&] { return AllDelivered(jti); })) << Deliveries(jti).dump();
  for (const std::string& path : kToolsPaths) EXPECT_EQ(VaultData(path)[kTokenKey], token);
}

TEST_F(DeliveryTest, RestartDuringAnOutageLosesNoDelivery) {
  FakeControl(vault_->addr(), "POST", "/_fake/faults", {{"mode", "503"}, {"path_prefix", "apps/"}});
  const std::string token = Generate(*alice_);
  const std::string jti = JtiOf(token);
  ASSERT_TRUE(WaitFor([&] { return ShowsPendingWithError(jti); })) << Deliveries(jti).dump();

  broker_->Stop();
  FakeControl(vault_->addr(), "DELETE", "/_fake/faults", nullptr);
  broker_->Restart();
  alice_ = SignIn("alice", "alice-pass-1");
  ASSERT_TRUE(WaitFor([&] { return AllDelivered(jti); })) << Deliveries(jti).dump();
  for (const std::string& path : kToolsPaths) EXPECT_EQ(VaultData(path)[kTokenKey], token);
  EXPECT_EQ(GithubSecrets("example/billing-api")[kSecretName], token);
}

TEST_F(DeliveryTest, RacingGenerationsLeaveTheNewestToken) {
  // Every other Vault write is slowed down, so deliveries of the two tokens interleave.
  FakeControl(vault_->addr(), "POST", "/_fake/faults",
              {{"mode", "delay"}, {"delay_ms", 200}, {"every", 2}, {"path_prefix", "apps/data/"}});
  auto second = SignIn("alice", "alice-pass-1");
  std::string first_token;
  std::string second_token;
  std::thread racer([&] { second_token = Generate(*second); });
  first_token = Generate(*alice_);
  racer.join();
  ASSERT_FALSE(first_token.empty());
  ASSERT_FALSE(second_token.empty());
  ASSERT_TRUE(WaitFor([&] { return NothingPending(); })) << Deliveries(JtiOf(first_token)).dump();

  const Json rows = alice_->Get("/v1/collection/broker-account/" + account_ + "/token").json();
  const std::string newest_jti = rows[0]["jti"];
  const std::string newest = JtiOf(first_token) == newest_jti ? first_token : second_token;
  ASSERT_EQ(JtiOf(newest), newest_jti);
  for (const std::string& path : kToolsPaths) EXPECT_EQ(VaultData(path)[kTokenKey], newest);
  EXPECT_TRUE(WaitFor([&] { return GithubSecrets("example/fluent-bit")[kSecretName] == newest; }));
}

TEST_F(DeliveryTest, RenewalByApiDistributesLikeTheLastGeneration) {
  const std::string token = Generate(*alice_);
  ASSERT_TRUE(WaitFor([&] { return AllDelivered(JtiOf(token)); }));
  HttpClient machine(broker_->url());
  machine.SetBearer(token);
  const HttpResponse renewed = machine.Post("/v1/collection/broker-account/renewal?ttl=86400");
  ASSERT_EQ(renewed.status, 201) << renewed.body;
  const std::string fresh = renewed.json()["token"];
  ASSERT_TRUE(WaitFor([&] { return AllDelivered(JtiOf(fresh)); })) << Deliveries(JtiOf(fresh));
  for (const std::string& path : kToolsPaths) EXPECT_EQ(VaultData(path)[kTokenKey], fresh);
  EXPECT_EQ(GithubSecrets("example/fluent-bit")[kSecretName], fresh);

  // After a generation without distribution, a renewal does not distribute either.
  const std::string quiet = Generate(*alice_, "patch=false&syncSecrets=false");
  machine.SetBearer(quiet);
  const HttpResponse again = machine.Post("/v1/collection/broker-account/renewal?ttl=86400");
  ASSERT_EQ(again.status, 201) << again.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(Deliveries(JtiOf(again.json()["token"])).empty());
  EXPECT_EQ(VaultData("tools/fluent/fluentd")[kTokenKey], fresh);
}

TEST_F(DeliveryTest, SyncOnDemandPushesEveryKeyOfTheToolsPath) {
  const std::string token = GenerateAndStore("patch=true&syncSecrets=false");
  ASSERT_EQ(PatchVault("tools/payments/billing-api", "stripe-key", "sk_test_1"), 200);
  const std::string repository = ObjectId("repository", "billing-api");
  const std::string path = "/v1/collection/repository/" + repository + "/sync";

  EXPECT_EQ(alice_->Post(path).status, 400) << "neither queue nor type";
  auto bob = SignIn("bob", "bob-pass-12");
  EXPECT_EQ(bob->Post(path + "?type=secrets").status, 403);
  auto dave = SignIn("dave", "dave-pass-12");
  const HttpResponse dry = dave->Post(path + "?type=secrets&dryRun=true");
  ASSERT_EQ(dry.status, 201) << dry.body;
  ASSERT_EQ(dry.json().size(), 1u);
  EXPECT_EQ(dry.json()[0]["name"], "billing-api");
  EXPECT_EQ(dave->Post(path + "?queue=GITHUB_SYNC_USERS").status, 404);

  const HttpResponse synced = dave->Post(path + "?queue=GITHUB_SYNC_SECRETS");
  ASSERT_EQ(synced.status, 201) << synced.body;
  EXPECT_TRUE(WaitFor([&] {
    const Json secrets = GithubSecrets("example/billing-api");
    return secrets["STRIPE_KEY"] == "sk_test_1" && secrets[kSecretName] == token;
  }));
}

TEST_F(DeliveryTest, SyncOnDemandDuringAVaultOutageIsQueuedAndRunsOnRecovery) {
  const std::string token = GenerateAndStore("patch=true&syncSecrets=false");
  ASSERT_EQ(PatchVault("tools/fluent/fluent-bit", "api-key", "outage-test"), 200);
  FakeControl(vault_->addr(), "POST", "/_fake/faults", {{"mode", "503"}, {"path_prefix", "apps/"}});

  const HttpResponse synced =
      alice_->Post("/v1/collection/broker-account/" + account_ + "/sync?type=secrets");
  ASSERT_EQ(synced.status, 201) << synced.body;
  ASSERT_TRUE(WaitFor([&] {
    return AnyDelivery([](const Json& d) {
      return d["kind"] == "github-sync" && d["outcome"] == "pending" && d.contains("error") &&
             d["target"] == "example/fluent-bit" && d["path"] == "tools/fluent/fluent-bit";
    });
  }));
  EXPECT_NE(GithubSecrets("example/fluent-bit")["API_KEY"], "outage-test");

  FakeControl(vault_->addr(), "DELETE", "/_fake/faults", nullptr);
  EXPECT_TRUE(WaitFor([&] {
    const Json secrets = GithubSecrets("example/fluent-bit");
    return secrets["API_KEY"] == "outage-test" && secrets[kSecretName] == token;
  }));
}

}  // namespace
}  // namespace broker::testing
