// Intentions and provisioning against the running `broker` binary (issue 6): every rule's
// failure message and key (reference 6.4, 6.5), TTL bounds, quickstart, the lifecycle errors
// (6.7, 6.8), close, expiry by the job, each provisioning guard with tests/fakes/fake_vault.py
// behind the binary, and the audit trail in the shipped audit files.
//
// Fixture: tests/blackbox/intentions.json (the graph of src/intentions/test_env.cc, with
// passwords, and henry in place of hgoddard@idp: a full-access member of platform).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "broker_process.h"
#include "core/secret.h"
#include "core/time_format.h"
#include "secrets/fake_vault_fixture.h"
#include "store/database.h"

namespace broker::testing {
namespace {

constexpr char kVaultToken[] = "root";
constexpr char kUserSet[] =
    "Unknown user. All actions required to be mapped to user. Does user exist with provided id "
    "or name and domain?";
constexpr char kVaultEnv[] =
    "Explicitly set action.vaultEnvironment when service environment is not valid for Vault. "
    "Vault environment must be production, test or development.";
constexpr char kSemver[] =
    "Package actions must specify a valid semver version. See: https://semver.org";

std::string Fixture() { return std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/intentions.json"; }

std::string FakeVaultScript() {
  return std::string(BROKER_SOURCE_DIR) + "/tests/fakes/fake_vault.py";
}

Json Service(const std::string& name, const std::string& environment,
             const std::string& project = "fluent") {
  return {{"name", name}, {"project", project}, {"environment", environment}};
}

Json Backup(const std::string& id = "backup") {
  return {{"action", "backup"},
          {"id", id},
          {"provision", {"token/self"}},
          {"service", Service("fluent-bit", "production")}};
}

Json Build(const Json& package) {
  return {{"action", "package-build"},
          {"id", "build"},
          {"provision", {"approle/secret-id"}},
          {"service", Service("fluent-bit", "tools")},
          {"package", package}};
}

Json Install(const std::string& env, const std::string& version, const std::string& hash) {
  Json package = {{"name", "fluent-bit"}, {"version", version}};
  if (!hash.empty()) package["buildVersion"] = hash;
  return {{"action", "package-installation"},
          {"id", "install"},
          {"provision", Json::array()},
          {"service", Service("fluent-bit", env)},
          {"package", package}};
}

Json Body(const Json& actions, const std::string& user = "henry") {
  return {{"event", {{"provider", "blackbox-test"}, {"reason", "Issue 6 black-box test"}}},
          {"actions", actions.is_array() ? actions : Json::array({actions})},
          {"user", {{"name", user}}}};
}

// A random 40-hex "git hash", so tests sharing one broker never see each other's builds.
std::string GitHash() { return Sha256Hex(std::to_string(std::rand()) + "-hash").substr(0, 40); }

// Starts a broker on the fixture with the fake Vault behind it and a one-second job interval,
// and issues one token per account through the CLI.
class Deployment {
 public:
  explicit Deployment(secrets::testing::FakeVault& vault) {
    BrokerOptions options;
    options.import_file = Fixture();
    options.extra_args = {"--job-interval", "1"};
    options.env = {{"VAULT_ADDR", vault.addr()}, {"BROKER_TOKEN", kVaultToken}};
    process_ = std::make_unique<BrokerProcess>(options);
    for (const char* account : {"ci-deployer", "loose", "strict", "guarded"}) Issue(account);
  }

  BrokerProcess& process() { return *process_; }
  const std::string& Token(const std::string& account) { return tokens_[account]; }

  // A fresh token for `account` (the CLI prints only the token on standard output).
  void Issue(const std::string& account) {
    std::string printed;
    const auto [code, output] =
        process_->RunCli({"token", "generate", account, "--no-vault"}, "", &printed);
    if (code != 0) throw std::runtime_error("token generate failed: " + output);
    tokens_[account] = printed.substr(0, printed.find('\n'));
  }

 private:
  std::unique_ptr<BrokerProcess> process_;
  std::map<std::string, std::string> tokens_;
};

class IntentionBlackBoxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vault_ = new secrets::testing::FakeVault(FakeVaultScript());
    deployment_ = new Deployment(*vault_);
    for (const char* role : {"fluent_fluent-bit_prod", "fluent_fluent-ui_prod",
                             "fluent_fluent-bit_tools", "fluent_fluent-bit_test"}) {
      CreateRole(role);
    }
  }
  static void TearDownTestSuite() {
    delete deployment_;
    delete vault_;
  }

  static void CreateRole(const std::string& role) {
    HttpClient vault(vault_->addr());
    vault.SetHeader("X-Vault-Token", kVaultToken);
    const HttpResponse created = vault.Post("/v1/auth/vs_apps_approle/role/" + role, "{}");
    ASSERT_LT(created.status, 300) << created.body;
  }

  static std::string RoleId(const std::string& role) {
    HttpClient vault(vault_->addr());
    vault.SetHeader("X-Vault-Token", kVaultToken);
    return vault.Get("/v1/auth/vs_apps_approle/role/" + role + "/role-id")
        .json()["data"]["role_id"];
  }

  static BrokerProcess& broker() { return deployment_->process(); }

  static HttpResponse Open(const std::string& account, const Json& body,
                           const std::string& query = "") {
    HttpClient client(broker().url());
    client.SetBearer(deployment_->Token(account));
    return client.Post("/v1/intention/open" + (query.empty() ? "" : "?" + query), body.dump());
  }

  static Json OpenOk(const std::string& account, const Json& body, const std::string& query = "") {
    const HttpResponse r = Open(account, body, query);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json() : Json::object();
  }

  // The first rule failure of a rejected open: {message, data:{action, action_id, key, value}}.
  static Json Rejection(const std::string& account, const Json& action,
                        const std::string& user = "henry") {
    const HttpResponse r = Open(account, Body(action, user));
    EXPECT_EQ(r.status, 400) << r.body;
    const Json body = r.json();
    EXPECT_EQ(body["message"], "Authorization failed") << r.body;
    if (!body["error"].is_array() || body["error"].empty()) return Json::object();
    return body["error"][0];
  }

  // POST with X-Broker-Token (an intention or action token).
  static HttpResponse WithToken(const std::string& path, const std::string& token,
                                const std::string& body = "") {
    HttpClient client(broker().url());
    client.SetHeader("X-Broker-Token", token);
    return body.empty() ? client.Post(path, "", "") : client.Post(path, body);
  }

  // The stored intention, read with an account token.
  static Json Get(const std::string& id) {
    HttpClient client(broker().url());
    client.SetBearer(deployment_->Token("ci-deployer"));
    const HttpResponse r = client.Get("/v1/intention/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Opens, starts, ends and closes one action successfully.
  static void RunToSuccess(const std::string& account, const Json& action,
                           const std::string& user = "henry") {
    const Json opened = OpenOk(account, Body(action, user));
    const std::string token = opened["actions"][action["id"].get<std::string>()]["token"];
    EXPECT_EQ(WithToken("/v1/intention/action/start", token).status, 201);
    EXPECT_EQ(WithToken("/v1/intention/action/end", token).status, 201);
    EXPECT_EQ(WithToken("/v1/intention/close", opened["token"]).status, 201);
  }

  static secrets::testing::FakeVault* vault_;
  static Deployment* deployment_;
};

secrets::testing::FakeVault* IntentionBlackBoxTest::vault_ = nullptr;
Deployment* IntentionBlackBoxTest::deployment_ = nullptr;

void ExpectError(const HttpResponse& r, long status, const std::string& message,
                 const std::string& error) {
  EXPECT_EQ(r.status, status) << r.body;
  const Json body = r.json();
  EXPECT_EQ(body["statusCode"], status) << r.body;
  EXPECT_EQ(body["message"], message) << r.body;
  if (!error.empty()) {
    EXPECT_EQ(body["error"], error) << r.body;
  }
}

// --- Opening -------------------------------------------------------------------------------

TEST_F(IntentionBlackBoxTest, OpenAnswersTokensThatAreStoredOnlyAsDigests) {
  const HttpResponse r = Open("ci-deployer", Body(Backup()));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.headers.at("cache-control"), "no-store");
  const Json opened = r.json();
  const std::string token = opened["token"];
  const std::string action_token = opened["actions"]["backup"]["token"];
  EXPECT_EQ(opened["transaction_id"], Sha256Hex(token));
  EXPECT_EQ(opened["actions"]["backup"]["trace_id"], Sha256Hex(action_token));
  EXPECT_EQ(opened["actions"]["backup"]["outcome"], "success");
  const Json doc = Get(opened["id"]);
  EXPECT_EQ(doc["user"]["name"], "henry");
  EXPECT_EQ(doc["user"]["group"]["name"], "ci-deployer");
  EXPECT_EQ(doc["actions"][0]["vaultEnvironment"], "production");
  EXPECT_EQ(doc.dump().find(token), std::string::npos);
  EXPECT_EQ(doc.dump().find(action_token), std::string::npos);
  std::ifstream db(broker().data_dir() + "/broker.db", std::ios::binary);
  std::stringstream bytes;
  bytes << db.rdbuf();
  EXPECT_EQ(bytes.str().find(token), std::string::npos) << "the database holds only digests";
  EXPECT_EQ(broker().Output().find(token), std::string::npos) << "the log never sees tokens";
}

TEST_F(IntentionBlackBoxTest, BodyValidation) {
  Json unknown = Body(Backup());
  unknown["event"]["colour"] = "red";
  ExpectError(Open("ci-deployer", unknown), 400, "Intention validation error",
              "Property .event.colour has failed the following constraints: whitelistValidation");
  Json no_provider = Body(Backup());
  no_provider["event"].erase("provider");
  ExpectError(Open("ci-deployer", no_provider), 400, "Intention validation error",
              "Property .event.provider has failed the following constraints: isDefined");
  Json no_reason = Body(Backup());
  no_reason["event"].erase("reason");
  ExpectError(Open("ci-deployer", no_reason), 400, "Intention validation error",
              "Property .event.reason has failed the following constraints: isDefined");
  Json empty_reason = Body(Backup());
  empty_reason["event"]["reason"] = "";
  ExpectError(Open("ci-deployer", empty_reason), 400, "Intention validation error",
              "Property .event.reason has failed the following constraints: isNotEmpty");
  Json bad_provision = Backup();
  bad_provision["provision"] = {"approle/secret-id"};
  ExpectError(Open("ci-deployer", Body(bad_provision)), 400, "Intention validation error",
              "Property .actions.0.provision has failed the following constraints: isIn");
}

TEST_F(IntentionBlackBoxTest, TtlBoundsAndDefault) {
  for (const char* ttl : {"29", "1801", "0"}) {
    ExpectError(Open("ci-deployer", Body(Backup()), std::string("ttl=") + ttl), 400,
                "TTL out of bounds", "TTL must be between 30 and 1800");
  }
  EXPECT_EQ(Open("ci-deployer", Body(Backup()), "ttl=ten").status, 400);
  for (const auto& [query, seconds] : {std::pair{"ttl=30", 30}, {"ttl=1800", 1800}, {"", 600}}) {
    const Json doc = Get(OpenOk("ci-deployer", Body(Backup()), query)["id"]);
    // The stored expiry is the open time plus the TTL, to the millisecond.
    const auto start = ParseIso8601(doc["transaction"]["start"].get<std::string>());
    ASSERT_TRUE(start.has_value()) << doc.dump();
    EXPECT_EQ(doc["expiry"].get<int64_t>() - *start, int64_t{seconds} * 1000) << query;
  }
}

TEST_F(IntentionBlackBoxTest, Quickstart) {
  const Json two = Body(Json::array({Backup("one"), Backup("two")}));
  ExpectError(Open("ci-deployer", two, "quickstart=true"), 400, "Quick start failure",
              "Quick start intentions must have 1 action");
  // Our difference from the reference: quickstart=false means no quickstart.
  const Json plain = OpenOk("ci-deployer", two, "quickstart=false");
  EXPECT_FALSE(Get(plain["id"])["actions"][0].contains("lifecycle"));
  const Json quick = OpenOk("ci-deployer", Body(Backup()), "ttl=60&quickstart=true");
  EXPECT_EQ(Get(quick["id"])["actions"][0]["lifecycle"], "started");
  ExpectError(WithToken("/v1/intention/action/start", quick["actions"]["backup"]["token"]), 400,
              "Illegal lifecycle request",
              "Action's current lifecycle state (started) can not do transition: start");
}

TEST_F(IntentionBlackBoxTest, IntentionUserMustExistUnlessTheAccountSkipsUsers) {
  const HttpResponse r = Open("ci-deployer", Body(Backup(), "ghost@idp"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["message"], "User not found");
  EXPECT_EQ(r.json()["data"], (Json{{"name", "ghost@idp"}}));
  EXPECT_EQ(OpenOk("loose", Body(Backup(), "ghost@idp"))["actions"]["backup"]["outcome"],
            "success");
}

// Reference 6.4: the binary's bearer guard refuses a revoked token before the intention-level
// rules run (those two rules are pinned in src/intentions/service_test.cc); nothing is stored.
TEST_F(IntentionBlackBoxTest, RevokedTokenCannotOpen) {
  ASSERT_EQ(broker().RunCli({"token", "revoke", "strict"}).first, 0);
  Json action = Backup();
  action["service"]["name"] = "svc-" + GitHash().substr(0, 8);
  ExpectError(Open("strict", Body(action)), 403, "Invalid JWT", "Block list has match");
  deployment_->Issue("strict");
  HttpClient reader(broker().url());
  reader.SetBearer(deployment_->Token("strict"));
  const HttpResponse found =
      reader.Post("/v1/intention/search", Json{{"service", action["service"]["name"]}}.dump());
  ASSERT_EQ(found.status, 201) << found.body;
  EXPECT_EQ(found.json()["meta"]["total"], 0) << "nothing was stored: " << found.body;
  EXPECT_EQ(OpenOk("strict", Body(Backup()))["actions"]["backup"]["outcome"], "success");
}

// --- Action rules (reference 6.5), in priority order ----------------------------------------

TEST_F(IntentionBlackBoxTest, RuleUserSet) {
  Json action = Backup();
  action["user"] = {{"name", "ghost@idp"}};
  EXPECT_EQ(Rejection("ci-deployer", action), (Json{{"message", kUserSet},
                                                    {"data",
                                                     {{"action", "backup"},
                                                      {"action_id", "backup"},
                                                      {"key", "user.id"},
                                                      {"value", nullptr}}}}));
}

TEST_F(IntentionBlackBoxTest, RuleVaultEnvironment) {
  Json action = Backup();
  action["service"]["environment"] = "staging";
  Json failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure["message"], kVaultEnv);
  EXPECT_EQ(failure["data"]["key"], "service.environment");
  EXPECT_EQ(failure["data"]["value"], "staging");
  action["service"]["target"] = Service("fluent-ui", "qa");
  failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure["message"], kVaultEnv);
  EXPECT_EQ(failure["data"]["key"], "service.target.environment");
  EXPECT_EQ(failure["data"]["value"], "qa");
  action["vaultEnvironment"] = "test";
  OpenOk("ci-deployer", Body(action));
}

TEST_F(IntentionBlackBoxTest, RuleAccountBoundProjectAndService) {
  Json action = Backup();
  action["service"]["project"] = "vault2";
  EXPECT_EQ(Rejection("ci-deployer", action),
            (Json{{"message", "Token not authorized for this project"},
                  {"data",
                   {{"action", "backup"},
                    {"action_id", "backup"},
                    {"key", "service.project"},
                    {"value", "vault2"}}}}));
  action = Backup();
  action["service"]["name"] = "fluent-proxy";
  const Json failure = Rejection("strict", action);
  EXPECT_EQ(failure["message"], "Token not authorized for this service");
  EXPECT_EQ(failure["data"]["key"], "service.name");
  EXPECT_EQ(failure["data"]["value"], "fluent-proxy");
  OpenOk("ci-deployer", Body(action));  // without requireServiceExists the project suffices
}

TEST_F(IntentionBlackBoxTest, RuleTargetService) {
  Json action = Backup();
  action["service"]["target"] = Service("fluent-proxy", "production");
  const Json failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure["message"], "Service not configured for target");
  EXPECT_EQ(failure["data"]["key"], "service.target.name");
  EXPECT_EQ(failure["data"]["value"], "fluent-proxy");
  action["service"]["target"]["name"] = "fluent-ui";  // fluent-bit -provision-token-> fluent-ui
  OpenOk("ci-deployer", Body(action));
}

TEST_F(IntentionBlackBoxTest, RuleDatabaseAccessAndAssistedDelivery) {
  Json action = Backup("db");
  action["action"] = "database-access";
  action["user"] = {{"name", "ghost@idp"}};
  // Even an account that skips user validation needs a known user for database access.
  Json failure = Rejection("loose", action);
  EXPECT_EQ(failure["message"], kUserSet);
  EXPECT_EQ(failure["data"]["key"], "user.id");
  action.erase("user");
  failure = Rejection("ci-deployer", action, "alice");  // lead-developer: not for production
  EXPECT_EQ(failure["message"], "User is not authorized to access this environment");
  EXPECT_EQ(failure["data"]["key"], "user.id");
  OpenOk("ci-deployer", Body(action, "henry"));  // full-access may
  action["service"] = Service("fluent-proxy", "production");
  failure = Rejection("loose", action);
  EXPECT_EQ(failure["message"], "Cannot find component edge");
  EXPECT_EQ(failure["data"]["key"], "service.name");
  EXPECT_EQ(failure["data"]["value"], "fluent-proxy");
}

TEST_F(IntentionBlackBoxTest, RulePackageBuild) {
  const std::string name = "fb-" + GitHash().substr(0, 8);
  auto failure = [&](const Json& package) { return Rejection("ci-deployer", Build(package)); };
  Json f = failure({{"name", name}, {"buildVersion", "abc"}});
  EXPECT_EQ(f["message"],
            "No package version set. If using source intention, check action.source values.");
  EXPECT_EQ(f["data"]["key"], "package.version");
  f = failure({{"name", name}, {"version", "1.0"}, {"buildVersion", "abc"}});
  EXPECT_EQ(f["message"], kSemver);
  EXPECT_EQ(f["data"]["value"], "1.0");
  f = failure({{"version", "1.0.0"}, {"buildVersion", "abc"}});
  EXPECT_EQ(f["message"], "Package actions must specify a name.");
  EXPECT_EQ(f["data"]["key"], "package.name");
  f = failure({{"name", name}, {"version", "1.0.0"}});
  EXPECT_EQ(f["message"], "Package actions must specify scm hash.");
  EXPECT_EQ(f["data"]["key"], "package.buildVersion");
  const std::string hash = GitHash();
  RunToSuccess("ci-deployer",
               Build({{"name", name}, {"version", "1.0.0"}, {"buildVersion", hash}}));
  f = failure({{"name", name}, {"version", "1.0.0"}, {"buildVersion", GitHash()}});
  EXPECT_EQ(f["message"], "Release package build version (git commit hash) may not be altered.");
  EXPECT_EQ(f["data"]["key"], "package.version");
  EXPECT_EQ(f["data"]["value"], "1.0.0");
  // The same hash may be built again; a prerelease may be rebuilt from any hash.
  RunToSuccess("ci-deployer",
               Build({{"name", name}, {"version", "1.0.0"}, {"buildVersion", hash}}));
  RunToSuccess("ci-deployer",
               Build({{"name", name}, {"version", "1.1.0-rc.1"}, {"buildVersion", "a1"}}));
  RunToSuccess("ci-deployer",
               Build({{"name", name}, {"version", "1.1.0-rc.1"}, {"buildVersion", "a2"}}));
}

TEST_F(IntentionBlackBoxTest, RulesEnvironmentPromotionAndInstallation) {
  const std::string hash = GitHash();
  Json f = Rejection("ci-deployer", Install("production", "1.0.0", ""));
  EXPECT_EQ(f["message"],
            "Package build version is required for environment promotion validation.");
  EXPECT_EQ(f["data"]["key"], "package.buildVersion");
  f = Rejection("ci-deployer", Install("test", "1.0.0", hash));
  EXPECT_EQ(f["message"], "Build with git hash " + hash.substr(0, 8) +
                              " must be deployed to development environment before deploying to "
                              "test. Deploy to development first, then retry this installation.");
  EXPECT_EQ(f["data"]["key"], "service.environment");
  EXPECT_EQ(f["data"]["value"], "test");
  f = Rejection("ci-deployer", Install("moon", "1.0.0", hash));
  EXPECT_EQ(f["message"], "Package installation must specify a valid environment.");
  EXPECT_EQ(f["data"]["key"], "service.environment");
  f = Rejection("ci-deployer", Install("development", "1.0", hash));
  EXPECT_EQ(f["message"], kSemver);
  EXPECT_EQ(f["data"]["key"], "package.version");
  f = Rejection("ci-deployer", Install("development", "1.0.0-rc.1", hash), "erin");
  EXPECT_EQ(f["message"], "User is not authorized to access this environment");

  RunToSuccess("ci-deployer", Install("development", "1.0.0-rc.1", hash), "bob");
  RunToSuccess("ci-deployer", Install("test", "1.0.0-rc.1", hash), "bob");
  f = Rejection("ci-deployer", Install("production", "1.0.0-rc.1", hash));
  EXPECT_EQ(f["message"],
            "Only release versions may be installed in production. See: "
            "https://semver.org/#spec-item-9");
  EXPECT_EQ(f["data"]["key"], "package.version");
  EXPECT_EQ(Rejection("ci-deployer", Install("production", "1.0.0", hash), "bob")["message"],
            "User is not authorized to access this environment");
  RunToSuccess("ci-deployer", Install("production", "1.0.0", hash));
}

// A rejected intention is stored closed, with outcome "rejected", and its tokens never work.
TEST_F(IntentionBlackBoxTest, RejectedIntentionIsRecordedAndSearchable) {
  Json action = Backup();
  action["service"]["project"] = "rejected-" + GitHash().substr(0, 6);
  Rejection("ci-deployer", action);
  HttpClient reader(broker().url());
  reader.SetBearer(deployment_->Token("ci-deployer"));
  const HttpResponse found =
      reader.Post("/v1/intention/search", Json{{"project", action["service"]["project"]}}.dump());
  ASSERT_EQ(found.status, 201) << found.body;
  const Json page = found.json();
  ASSERT_EQ(page["meta"]["total"], 1) << found.body;
  EXPECT_EQ(page["data"][0]["transaction"]["outcome"], "rejected");
  EXPECT_EQ(page["data"][0]["closed"], true);
  EXPECT_EQ(page["data"][0]["actions"][0]["ruleViolation"]["key"], "service.project");
}

// --- Lifecycle, artifacts, patch, close (reference 6.7, 6.8) ---------------------------------

TEST_F(IntentionBlackBoxTest, LifecycleErrors) {
  const Json opened = OpenOk("ci-deployer", Body(Backup()));
  const std::string token = opened["actions"]["backup"]["token"];
  ExpectError(WithToken("/v1/intention/action/end?outcome=bogus", token), 400, "Illegal outcome",
              "");
  const HttpResponse started = WithToken("/v1/intention/action/start", token);
  EXPECT_EQ(started.status, 201);
  EXPECT_EQ(started.body, "");
  ExpectError(WithToken("/v1/intention/action/start", token), 400, "Illegal lifecycle request",
              "Action's current lifecycle state (started) can not do transition: start");
  EXPECT_EQ(WithToken("/v1/intention/action/end", token, R"({"outcome":"failure"})").status, 201);
  ExpectError(WithToken("/v1/intention/action/end", token), 400, "Illegal lifecycle request",
              "Action's current lifecycle state (ended) can not do transition: end");
  const Json action = Get(opened["id"])["actions"][0];
  EXPECT_EQ(action["lifecycle"], "ended");
  EXPECT_EQ(action["trace"]["outcome"], "failure");
  ExpectError(WithToken("/v1/intention/action/start", "no-such-token"), 404, "Action not found",
              "");
  HttpClient no_header(broker().url());
  EXPECT_EQ(no_header.Post("/v1/intention/action/start", "", "").status, 404);
}

TEST_F(IntentionBlackBoxTest, ArtifactsOnlyOnStartedBackupsAndBuilds) {
  const Json opened = OpenOk("ci-deployer", Body(Backup()));
  const std::string token = opened["actions"]["backup"]["token"];
  const std::string artifact =
      Json{{"name", "dump.tgz"}, {"checksum", "sha256:00ff"}, {"size", 12}, {"type", "tgz"}}.dump();
  ExpectError(WithToken("/v1/intention/action/artifact", token, artifact), 400,
              "Illegal lifecycle request", "");
  ASSERT_EQ(WithToken("/v1/intention/action/start", token).status, 201);
  const HttpResponse added = WithToken("/v1/intention/action/artifact", token, artifact);
  EXPECT_EQ(added.status, 201) << added.body;
  EXPECT_TRUE(added.json().contains("buildGuid")) << added.body;
  const HttpResponse twice = WithToken("/v1/intention/action/artifact", token, artifact);
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.json()["error"], "Artifact name must be unique") << twice.body;
  EXPECT_EQ(Get(opened["id"])["actions"][0]["artifacts"][0]["checksum"], "sha256:00ff");
  ExpectError(WithToken("/v1/intention/action/patch", token, R"({"package":{"name":"x"}})"), 400,
              "Illegal action", "");

  Json db = Backup("db");
  db["action"] = "database-access";
  const Json other = OpenOk("ci-deployer", Body(db), "quickstart=true");
  ExpectError(WithToken("/v1/intention/action/artifact", other["actions"]["db"]["token"], artifact),
              400, "Illegal action", "");
}

TEST_F(IntentionBlackBoxTest, PatchMergesThenRevalidates) {
  const std::string name = "patched-" + GitHash().substr(0, 8);
  const Json build =
      OpenOk("ci-deployer",
             Body(Build({{"name", name}, {"version", "2.0.0-snapshot"}, {"buildVersion", "a"}})),
             "quickstart=true");
  const std::string token = build["actions"]["build"]["token"];
  ExpectError(WithToken("/v1/intention/action/patch", token, R"({"cloud":{"target":{}}})"), 400,
              "Nothing to patch", "");
  const HttpResponse patched = WithToken("/v1/intention/action/patch", token,
                                         R"({"package":{"checksum":"sha256:abcd","size":99}})");
  ASSERT_EQ(patched.status, 201) << patched.body;
  EXPECT_EQ(patched.json()["package"]["checksum"], "sha256:abcd");
  EXPECT_EQ(patched.json()["package"]["name"], name);
  ASSERT_EQ(WithToken("/v1/intention/close", build["token"]).status, 201);
  // A successful build's package is registered as an artifact on close.
  EXPECT_EQ(Get(build["id"])["actions"][0]["artifacts"][0]["name"], name);

  const Json again =
      OpenOk("ci-deployer",
             Body(Build({{"name", name}, {"version", "2.0.0-snapshot"}, {"buildVersion", "b"}})),
             "quickstart=true");
  const HttpResponse rejected =
      WithToken("/v1/intention/action/patch", again["actions"]["build"]["token"],
                R"({"package":{"version":"not-semver"}})");
  EXPECT_EQ(rejected.status, 400) << rejected.body;
  EXPECT_EQ(rejected.json()["message"], "Authorization failed");
  EXPECT_EQ(rejected.json()["error"][0]["message"], kSemver);
  const Json doc = Get(again["id"]);
  EXPECT_EQ(doc["transaction"]["outcome"], "rejected");
  EXPECT_EQ(doc["closed"], true);
  ExpectError(WithToken("/v1/intention/close", again["token"]), 404, "Intention not found", "");
}

TEST_F(IntentionBlackBoxTest, CloseEndsStartedActionsAndSpendsTheTokens) {
  const Json opened = OpenOk("ci-deployer", Body(Json::array({Backup("a"), Backup("b")})));
  const std::string token = opened["token"];
  ASSERT_EQ(WithToken("/v1/intention/action/start", opened["actions"]["a"]["token"]).status, 201);
  ExpectError(WithToken("/v1/intention/close?outcome=maybe", token), 400, "Illegal outcome", "");
  const HttpResponse closed = WithToken("/v1/intention/close?reason=All%20done", token);
  ASSERT_EQ(closed.status, 201) << closed.body;
  EXPECT_EQ(closed.json()["statusCode"], 200);
  EXPECT_EQ(closed.json()["message"], "Intention closed");
  EXPECT_TRUE(closed.json().contains("audit"));
  ExpectError(WithToken("/v1/intention/close", token), 404, "Intention not found", "");
  ExpectError(WithToken("/v1/intention/action/end", opened["actions"]["a"]["token"]), 404,
              "Action not found", "");
  const Json doc = Get(opened["id"]);
  EXPECT_EQ(doc["closed"], true);
  EXPECT_EQ(doc["transaction"]["outcome"], "success");
  EXPECT_EQ(doc["actions"][0]["lifecycle"], "ended");
  EXPECT_EQ(doc["actions"][0]["trace"]["outcome"], "success");
  EXPECT_FALSE(doc["actions"][1].contains("lifecycle")) << "never started, so never ended";
}

TEST_F(IntentionBlackBoxTest, SuccessfulCloseRecordsProjectAndServiceInTheGraph) {
  const std::string suffix = GitHash().substr(0, 6);
  auto open_new = [&](const std::string& tag) {
    Json action = Backup();
    action["service"] = Service("svc-" + tag + suffix, "production", "proj-" + tag + suffix);
    return OpenOk("loose", Body(action));
  };
  const Json good = open_new("ok");
  const Json bad = open_new("ko");
  ASSERT_EQ(WithToken("/v1/intention/close", good["token"]).status, 201);
  ASSERT_EQ(WithToken("/v1/intention/close?outcome=failure", bad["token"]).status, 201);
  HttpClient dave(broker().url());
  ASSERT_EQ(dave.Login("dave", "dave-pass-12").status, 200);
  auto count = [&](const std::string& collection, const std::string& name) {
    const HttpResponse r =
        dave.Post("/v1/collection/" + collection + "/search?offset=0&limit=10&q=" + name, "{}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["data"].size();
  };
  EXPECT_EQ(count("project", "proj-ok" + suffix), 1u);
  EXPECT_EQ(count("service", "svc-ok" + suffix), 1u);
  EXPECT_EQ(count("project", "proj-ko" + suffix), 0u) << "only a success changes the graph";
  EXPECT_EQ(count("service", "svc-ko" + suffix), 0u);
}

// --- Provisioning (reference 7) with the fake Vault behind the binary ------------------------

TEST_F(IntentionBlackBoxTest, ProvisionSecretIdAndTokenSelfAnswerWrappedResponses) {
  Json build = Build({{"name", "p-" + GitHash().substr(0, 6)},
                      {"version", "1.0.0-rc.1"},
                      {"buildVersion", GitHash()}});
  const Json opened = OpenOk("ci-deployer", Body(build), "quickstart=true");
  const HttpResponse wrapped =
      WithToken("/v1/provision/approle/secret-id", opened["actions"]["build"]["token"]);
  ASSERT_EQ(wrapped.status, 201) << wrapped.body;
  EXPECT_EQ(wrapped.json()["wrap_info"]["ttl"], 60);
  HttpClient unwrap(vault_->addr());
  unwrap.SetHeader("X-Vault-Token", wrapped.json()["wrap_info"]["token"]);
  const HttpResponse secret = unwrap.Post("/v1/sys/wrapping/unwrap", "{}");
  ASSERT_EQ(secret.status, 200) << secret.body;
  EXPECT_FALSE(secret.json()["data"]["secret_id"].get<std::string>().empty());
  // Only the SHA-256 of the wrapping token may reach the log.
  EXPECT_EQ(broker().Output().find(wrapped.json()["wrap_info"]["token"].get<std::string>()),
            std::string::npos);

  const Json backup = OpenOk("ci-deployer", Body(Backup()), "quickstart=true");
  const HttpResponse login =
      WithToken("/v1/provision/token/self", backup["actions"]["backup"]["token"]);
  ASSERT_EQ(login.status, 201) << login.body;
  EXPECT_EQ(login.json()["wrap_info"]["creation_path"], "auth/vs_apps_approle/login");
}

TEST_F(IntentionBlackBoxTest, ProvisionUsesTheTargetServiceRole) {
  Json action = Backup();
  action["service"]["target"] = Service("fluent-ui", "production");
  const Json opened = OpenOk("ci-deployer", Body(action), "quickstart=true");
  const int before =
      vault_->Requests("POST auth/vs_apps_approle/role/fluent_fluent-ui_prod/secret-id");
  ASSERT_EQ(WithToken("/v1/provision/token/self", opened["actions"]["backup"]["token"]).status,
            201);
  EXPECT_EQ(vault_->Requests("POST auth/vs_apps_approle/role/fluent_fluent-ui_prod/secret-id"),
            before + 1);
}

TEST_F(IntentionBlackBoxTest, ProvisionGuardCapabilityAndRole) {
  const Json opened = OpenOk("ci-deployer", Body(Backup()), "quickstart=true");
  const std::string token = opened["actions"]["backup"]["token"];
  ExpectError(WithToken("/v1/provision/approle/secret-id", token), 403, "Forbidden resource", "");
  ExpectError(WithToken("/v1/provision/token/self", "no-such-token"), 404, "Action not found", "");
  Json dev = Backup();
  dev["service"]["environment"] = "development";  // no fluent_fluent-bit_dev role in Vault
  const Json no_role = OpenOk("ci-deployer", Body(dev), "quickstart=true");
  ExpectError(WithToken("/v1/provision/token/self", no_role["actions"]["backup"]["token"]), 404,
              "Not Found", "Check approle exists for fluent : fluent-bit : development");
}

TEST_F(IntentionBlackBoxTest, ProvisionGuardRoleId) {
  const Json opened = OpenOk("guarded", Body(Backup()), "quickstart=true");
  const std::string token = opened["actions"]["backup"]["token"];
  ExpectError(WithToken("/v1/provision/token/self", token), 403, "Forbidden resource", "");
  HttpClient client(broker().url());
  client.SetHeader("X-Broker-Token", token);
  client.SetHeader("X-Vault-Role-Id", "not-the-role-id");
  const HttpResponse wrong = client.Post("/v1/provision/token/self", "", "");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(wrong.json(),
            (Json{{"statusCode", 403},
                  {"message", "Broker forbidden access"},
                  {"error",
                   "Request (header: x-vault-role-id) must match role id in Vault for fluent : "
                   "fluent-bit : production"}}));
  client.SetHeader("X-Vault-Role-Id", RoleId("fluent_fluent-bit_prod"));
  const HttpResponse right = client.Post("/v1/provision/token/self", "", "");
  EXPECT_EQ(right.status, 201) << right.body;
}

TEST_F(IntentionBlackBoxTest, ProvisionGuardEndedClosedAndRevoked) {
  const Json opened = OpenOk("ci-deployer", Body(Json::array({Backup("a"), Backup("b")})));
  const std::string a = opened["actions"]["a"]["token"];
  ASSERT_EQ(WithToken("/v1/intention/action/start", a).status, 201);
  ASSERT_EQ(WithToken("/v1/intention/action/end", a).status, 201);
  ExpectError(WithToken("/v1/provision/token/self", a), 409, "Action ended", "");
  ASSERT_EQ(WithToken("/v1/intention/close", opened["token"]).status, 201);
  ExpectError(WithToken("/v1/provision/token/self", opened["actions"]["b"]["token"]), 404,
              "Action not found", "");

  // A revoke stops automation that is already mid-intention.
  const Json running = OpenOk("loose", Body(Backup(), "henry"), "quickstart=true");
  const std::string token = running["actions"]["backup"]["token"];
  ASSERT_EQ(broker().RunCli({"token", "revoke", "loose"}).first, 0);
  const HttpResponse refused = WithToken("/v1/provision/token/self", token);
  deployment_->Issue("loose");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.json()["message"], "Account token of this intention is no longer accepted");
}

// --- Audit (issue 6 item 5): the shipped audit files of the binary ---------------------------

std::vector<Json> AuditRecordsOf(const std::string& data_dir, const std::string& transaction) {
  std::vector<Json> records;
  if (!std::filesystem::exists(data_dir + "/audit")) return records;  // nothing shipped yet
  for (const auto& file : std::filesystem::directory_iterator(data_dir + "/audit")) {
    std::ifstream in(file.path());
    for (std::string line; std::getline(in, line);) {
      if (line.find(transaction) == std::string::npos) continue;
      records.push_back(Json::parse(line));
    }
  }
  return records;
}

std::multiset<std::string> ActionsOf(const std::vector<Json>& records) {
  std::multiset<std::string> actions;
  for (const Json& r : records) actions.insert(r["event"]["action"].get<std::string>());
  return actions;
}

TEST_F(IntentionBlackBoxTest, EveryStepIsAuditedWithTransactionTraceAndReason) {
  const Json opened = OpenOk("ci-deployer", Body(Backup()));
  const std::string token = opened["actions"]["backup"]["token"];
  ASSERT_EQ(WithToken("/v1/intention/action/start", token).status, 201);
  const HttpResponse wrapped = WithToken("/v1/provision/token/self", token);
  ASSERT_EQ(wrapped.status, 201) << wrapped.body;
  ASSERT_EQ(WithToken("/v1/intention/action/end", token).status, 201);
  ASSERT_EQ(WithToken("/v1/intention/close", opened["token"]).status, 201);
  const std::multiset<std::string> expected = {"intention-open", "auth-backup",    "action-backup",
                                               "action-backup",  "generate-token", "generate-token",
                                               "intention-close"};
  std::vector<Json> records;
  for (int i = 0; i < 100 && ActionsOf(records) != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the shipper is periodic
    records = AuditRecordsOf(broker().data_dir(), opened["transaction_id"]);
  }
  ASSERT_EQ(ActionsOf(records), expected);
  const std::string wrap_token = wrapped.json()["wrap_info"]["token"];
  for (const Json& r : records) {
    EXPECT_EQ(r["transaction"]["id"], opened["transaction_id"]);
    EXPECT_EQ(r["event"]["reason"], "Issue 6 black-box test") << r.dump();
    EXPECT_EQ(r["event"]["provider"], "blackbox-test") << r.dump();
    EXPECT_EQ(r["auth"]["client_id"], "6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f") << r.dump();
    EXPECT_EQ(r.dump().find(wrap_token), std::string::npos);
    EXPECT_EQ(r.dump().find(token), std::string::npos);
    const std::string action = r["event"]["action"];
    if (action == "auth-backup" || action == "action-backup" || action == "generate-token") {
      EXPECT_EQ(r["trace"]["id"], opened["actions"]["backup"]["trace_id"]) << r.dump();
    }
    if (action == "generate-token" && r["event"]["type"] == "creation") {
      EXPECT_EQ(r["auth"]["client_token"], Sha256Hex(wrap_token)) << r.dump();
    }
  }
}

// --- Expiry by the job, to the millisecond -------------------------------------------------
//
// The server's clock never runs backwards: it is max(wall clock, a persisted high-water mark),
// and the mark is loaded at start. Raising the stored mark while the broker is stopped moves
// its clock forward exactly, so the job's rule (close intentions whose expiry < now) is
// checked at the boundary without sleeping out the 30 s TTL.

void SetClockMark(const std::string& data_dir, int64_t millis) {
  auto db = store::Open("sqlite:" + data_dir + "/broker.db");
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  auto updated = (*db)->Execute("UPDATE clock_high_water SET millis = $1 WHERE id = 1", {millis});
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
}

TEST(IntentionExpiryBlackBoxTest, JobClosesAnUnclosedIntentionOnceItsExpiryHasPassed) {
  secrets::testing::FakeVault vault(FakeVaultScript());
  Deployment deployment(vault);
  BrokerProcess& broker = deployment.process();
  auto open = [&] {
    HttpClient client(broker.url());
    client.SetBearer(deployment.Token("ci-deployer"));
    return client.Post("/v1/intention/open?ttl=30&quickstart=true", Body(Backup()).dump()).json();
  };
  auto read = [&](const std::string& id) {
    HttpClient client(broker.url());
    client.SetBearer(deployment.Token("ci-deployer"));
    return client.Get("/v1/intention/" + id).json();
  };
  const Json opened = open();
  const std::string id = opened["id"];
  const int64_t expiry = read(id)["expiry"];

  // At exactly the expiry the intention is still open, even after jobs have run.
  broker.Stop();
  SetClockMark(broker.data_dir(), expiry);
  broker.Restart();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two job intervals
  EXPECT_EQ(read(id)["closed"], false);

  broker.Stop();
  SetClockMark(broker.data_dir(), expiry + 1);
  broker.Restart();
  Json doc = Json::object();
  for (int i = 0; i < 50 && !(doc.is_object() && doc.value("closed", false)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    doc = read(id);
  }
  EXPECT_EQ(doc["closed"], true) << doc.dump();
  EXPECT_EQ(doc["transaction"]["outcome"], "unknown");
  EXPECT_EQ(doc["actions"][0]["lifecycle"], "ended");
  EXPECT_EQ(doc["actions"][0]["trace"]["outcome"], "unknown");
  HttpClient client(broker.url());
  client.SetHeader("X-Broker-Token", opened["token"]);
  EXPECT_EQ(client.Post("/v1/intention/close", "", "").status, 404);
  client.SetHeader("X-Broker-Token", opened["actions"]["backup"]["token"]);
  EXPECT_EQ(client.Post("/v1/provision/token/self", "", "").status, 404);
  bool reason_audited = false;
  for (int i = 0; i < 50 && !reason_audited; ++i) {
    for (const Json& r : AuditRecordsOf(broker.data_dir(), opened["transaction_id"])) {
      reason_audited |= r["event"]["action"] == "intention-close" &&
                        r.dump().find("TTL expiry") != std::string::npos;
    }
    if (!reason_audited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reason_audited);
}

}  // namespace
}  // namespace broker::testing
