#include "intentions/service.h"

#include <gtest/gtest.h>

#include "core/ids.h"
#include "core/secret.h"
#include "intentions/test_env.h"
#include "support/pg_cluster.h"

namespace broker::intentions {
namespace {

using testing::BackupAction;
using testing::IntentionBody;
using testing::IntentionEnv;

class IntentionServiceTest : public ::testing::Test {
 protected:
  Result<Reply> Open(const std::string& account, const Json& body,
                     std::optional<std::string_view> ttl = std::nullopt,
                     std::optional<std::string_view> quickstart = std::nullopt) {
    return env_.service().Open(env_.OpenerFor(account), body, ttl, quickstart, {"10.0.0.1", "t"});
  }

  Json OpenOk(const std::string& account, const Json& body,
              std::optional<std::string_view> ttl = std::nullopt,
              std::optional<std::string_view> quickstart = std::nullopt) {
    auto reply = Open(account, body, ttl, quickstart);
    EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().ToString());
    if (!reply.ok()) return {};
    EXPECT_EQ(reply->status, 201) << reply->body.dump();
    return reply->body;
  }

  // The first rule failure of a rejected open: {message, data:{action, action_id, key, value}}.
  Json Rejection(const std::string& account, const Json& action,
                 const char* user = "hgoddard@idp") {
    Json body = IntentionBody(action);
    body["user"] = {{"name", user}};
    auto reply = Open(account, body);
    EXPECT_TRUE(reply.ok());
    if (!reply.ok()) return {};
    EXPECT_EQ(reply->status, 400) << reply->body.dump();
    EXPECT_EQ(reply->body["message"], "Authorization failed");
    if (!reply->body["error"].is_array() || reply->body["error"].empty()) return {};
    return reply->body["error"][0];
  }

  // Opens, starts, ends and closes one action successfully.
  void RunToSuccess(const std::string& account, const Json& action) {
    Json opened = OpenOk(account, IntentionBody(action));
    const std::string token = opened["actions"][action["id"].get<std::string>()]["token"];
    ASSERT_TRUE(env_.service().StartAction(token).ok());
    ASSERT_TRUE(env_.service().EndAction(token, std::nullopt).ok());
    ASSERT_TRUE(
        env_.service().Close(opened["token"].get<std::string>(), std::nullopt, std::nullopt).ok());
  }

  IntentionEnv env_;
};

Json Install(const std::string& env, const std::string& version, const std::string& build) {
  Json package = {{"name", "fluent-bit"}, {"version", version}};
  if (!build.empty()) package["buildVersion"] = build;
  return {{"action", "package-installation"},
          {"id", "install"},
          {"provision", Json::array()},
          {"service", {{"name", "fluent-bit"}, {"project", "fluent"}, {"environment", env}}},
          {"package", package}};
}

Json Build(const Json& package) {
  return {{"action", "package-build"},
          {"id", "build"},
          {"provision", {"approle/secret-id"}},
          {"service", {{"name", "fluent-bit"}, {"project", "fluent"}, {"environment", "tools"}}},
          {"package", package}};
}

TEST_F(IntentionServiceTest, OpenAnswersTokensAndHashes) {
  const UnixMillis now = env_.clock().NowMillis();
  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()));
  const std::string token = opened["token"];
  const std::string action_token = opened["actions"]["backup"]["token"];
  EXPECT_EQ(opened["transaction_id"], Sha256Hex(token));
  EXPECT_EQ(opened["actions"]["backup"]["trace_id"], Sha256Hex(action_token));
  EXPECT_EQ(opened["actions"]["backup"]["outcome"], "success");
  EXPECT_TRUE(IsObjectId(opened["id"].get<std::string>()));
  EXPECT_EQ(token.size(), 43u);  // 32 random bytes, base64url
  EXPECT_NE(token, action_token);
  EXPECT_EQ(opened["expiry"], "Tue, 14 Nov 2023 22:23:20 GMT");  // 1700000000 + 600 s
  auto doc = env_.service().Get(opened["id"]);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["expiry"], now + int64_t{600} * 1000);
  EXPECT_EQ((*doc)["user"]["name"], "hgoddard");
  EXPECT_EQ((*doc)["user"]["id"], "G-HGODDARD");
  EXPECT_EQ((*doc)["user"]["group"]["name"], "ci-deployer");
  EXPECT_EQ((*doc)["actions"][0]["vaultEnvironment"], "production");
  EXPECT_EQ((*doc)["auditUrl"], "https://audit.example/" + opened["id"].get<std::string>());
  EXPECT_EQ(env_.AuditCount("intention-open"), 1);
  EXPECT_EQ(env_.AuditCount("auth-backup"), 1);
}

TEST_F(IntentionServiceTest, TokensAreStoredOnlyAsHashes) {
  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()));
  const std::string token = opened["token"];
  const std::string action_token = opened["actions"]["backup"]["token"];
  ASSERT_TRUE(env_.service().StartAction(action_token).ok());
  const std::string dump = env_.DumpIntentionTables();
  EXPECT_EQ(dump.find(token), std::string::npos);
  EXPECT_EQ(dump.find(action_token), std::string::npos);
  EXPECT_NE(dump.find(Sha256Hex(token)), std::string::npos);
  auto doc = env_.service().Get(opened["id"]);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->dump().find(token), std::string::npos);
  EXPECT_EQ(doc->dump().find(action_token), std::string::npos);
  EXPECT_FALSE((*doc)["transaction"].contains("token"));
}

TEST_F(IntentionServiceTest, TtlBounds) {
  const Json body = IntentionBody(BackupAction());
  for (const char* bad : {"29", "1801", "0", "-5"}) {
    auto reply = Open("ci-deployer", body, bad);
    ASSERT_FALSE(reply.ok()) << bad;
    EXPECT_EQ(reply.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(reply.error().message(), "TTL out of bounds");
    EXPECT_EQ(reply.error().label().value_or(""), "TTL must be between 30 and 1800");
  }
  auto not_a_number = Open("ci-deployer", body, "ten");
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_EQ(not_a_number.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(OpenOk("ci-deployer", body, "30")["expiry"], "Tue, 14 Nov 2023 22:13:50 GMT");
  EXPECT_EQ(OpenOk("ci-deployer", body, "1800")["expiry"], "Tue, 14 Nov 2023 22:43:20 GMT");
}

TEST_F(IntentionServiceTest, Quickstart) {
  Json two = IntentionBody(BackupAction("one"));
  two["actions"].push_back(BackupAction("two"));
  auto refused = Open("ci-deployer", two, std::nullopt, "true");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "Quick start failure");
  EXPECT_EQ(refused.error().label().value_or(""), "Quick start intentions must have 1 action");
  OpenOk("ci-deployer", two, std::nullopt, "false");  // false means no quickstart

  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()), std::nullopt, "true");
  auto doc = env_.service().Get(opened["id"]);
  EXPECT_EQ((*doc)["actions"][0]["lifecycle"], "started");
  const Status again =
      env_.service().StartAction(opened["actions"]["backup"]["token"].get<std::string>());
  EXPECT_EQ(again.error().message(), "Illegal lifecycle request");
}

TEST_F(IntentionServiceTest, LifecycleErrors) {
  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()));
  const std::string token = opened["actions"]["backup"]["token"];
  EXPECT_EQ(env_.service().EndAction(token, "bogus").error().message(), "Illegal outcome");
  ASSERT_TRUE(env_.service().StartAction(token).ok());
  const Status twice = env_.service().StartAction(token);
  EXPECT_EQ(twice.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(twice.error().label().value_or(""),
            "Action's current lifecycle state (started) can not do transition: start");
  env_.clock().AdvanceSeconds(3);
  ASSERT_TRUE(env_.service().EndAction(token, "failure").ok());
  EXPECT_EQ(env_.service().EndAction(token, std::nullopt).error().label().value_or(""),
            "Action's current lifecycle state (ended) can not do transition: end");
  auto doc = env_.service().Get(opened["id"]);
  EXPECT_EQ((*doc)["actions"][0]["trace"]["outcome"], "failure");
  EXPECT_EQ((*doc)["actions"][0]["trace"]["duration"], 3000);
  EXPECT_EQ(env_.AuditCount("action-backup"), 2);
  const Status unknown = env_.service().StartAction("no-such-token");
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message(), "Action not found");
}

TEST_F(IntentionServiceTest, CloseEndsStartedActionsAndForgetsTokens) {
  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()));
  const std::string token = opened["token"];
  const std::string action_token = opened["actions"]["backup"]["token"];
  ASSERT_TRUE(env_.service().StartAction(action_token).ok());
  EXPECT_EQ(env_.service().Close(token, "maybe", std::nullopt).error().message(),
            "Illegal outcome");
  auto closed = env_.service().Close(token, std::nullopt, "done");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed, (Json{{"statusCode", 200},
                           {"message", "Intention closed"},
                           {"audit", "https://audit.example/" + opened["id"].get<std::string>()}}));
  auto again = env_.service().Close(token, std::nullopt, std::nullopt);
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(again.error().message(), "Intention not found");
  EXPECT_EQ(env_.service().StartAction(action_token).error().message(), "Action not found");
  auto doc = env_.service().Get(opened["id"]);
  EXPECT_EQ((*doc)["closed"], true);
  EXPECT_EQ((*doc)["transaction"]["outcome"], "success");
  EXPECT_EQ((*doc)["actions"][0]["lifecycle"], "ended");
  EXPECT_EQ((*doc)["actions"][0]["trace"]["outcome"], "success");
  EXPECT_EQ(env_.AuditCount("intention-close"), 1);
}

TEST_F(IntentionServiceTest, SuccessfulCloseUpdatesTheGraph) {
  Json action = BackupAction();
  action["service"] = {{"name", "newsvc"}, {"project", "newproj"}, {"environment", "production"}};
  Json opened = OpenOk("loose", IntentionBody(action));
  ASSERT_TRUE(
      env_.service().Close(opened["token"].get<std::string>(), std::nullopt, std::nullopt).ok());
  auto snap = env_.graph().snapshot();
  const graph::Vertex* project = snap->FindByKey("project", "newproj");
  const graph::Vertex* service = snap->FindByKey("service", "newsvc");
  const graph::Vertex* account = snap->FindByKey("brokerAccount", "loose");
  ASSERT_NE(project, nullptr);
  ASSERT_NE(service, nullptr);
  EXPECT_NE(snap->FindEdge(project->id, service->id, "component"), nullptr);
  EXPECT_NE(snap->FindEdge(account->id, project->id, "authorized"), nullptr);
}

TEST_F(IntentionServiceTest, FailedCloseLeavesTheGraphAlone) {
  Json action = BackupAction();
  action["service"] = {{"name", "othersvc"}, {"project", "otherproj"}, {"environment", "test"}};
  Json opened = OpenOk("loose", IntentionBody(action));
  ASSERT_TRUE(
      env_.service().Close(opened["token"].get<std::string>(), "failure", std::nullopt).ok());
  EXPECT_EQ(env_.graph().snapshot()->FindByKey("project", "otherproj"), nullptr);
}

TEST_F(IntentionServiceTest, ExpiryClosesAsUnknown) {
  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()), "30");
  ASSERT_TRUE(
      env_.service().StartAction(opened["actions"]["backup"]["token"].get<std::string>()).ok());
  env_.clock().AdvanceSeconds(29);
  EXPECT_EQ(*env_.service().ExpireDue(), 0);
  env_.clock().AdvanceSeconds(2);
  EXPECT_EQ(*env_.service().ExpireDue(), 1);
  EXPECT_EQ(*env_.service().ExpireDue(), 0);
  auto doc = env_.service().Get(opened["id"]);
  EXPECT_EQ((*doc)["transaction"]["outcome"], "unknown");
  EXPECT_EQ((*doc)["actions"][0]["trace"]["outcome"], "unknown");
  EXPECT_EQ((*doc)["closed"], true);
  EXPECT_EQ(env_.service()
                .Close(opened["token"].get<std::string>(), std::nullopt, std::nullopt)
                .error()
                .code(),
            ErrorCode::kNotFound);
}

TEST_F(IntentionServiceTest, CleanupRemovesOldTransientAndRejected) {
  Json transient = IntentionBody(BackupAction());
  transient["event"]["transient"] = true;
  Json opened = OpenOk("ci-deployer", transient);
  ASSERT_TRUE(
      env_.service().Close(opened["token"].get<std::string>(), std::nullopt, std::nullopt).ok());
  Json rejected_action = BackupAction();
  rejected_action["service"]["project"] = "elsewhere";
  Rejection("ci-deployer", rejected_action);
  Json kept = OpenOk("ci-deployer", IntentionBody(BackupAction()));
  EXPECT_EQ(*env_.service().CleanupStale(), 0);
  env_.clock().AdvanceSeconds(24 * 3600 + 1);
  EXPECT_EQ(*env_.service().CleanupStale(), 1);  // the rejected one
  env_.clock().AdvanceSeconds(6 * 24 * 3600 + 3600);
  EXPECT_EQ(*env_.service().CleanupStale(), 1);  // the transient one
  EXPECT_EQ(env_.service().Get(opened["id"]).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(env_.service().Get(kept["id"]).ok());
}

TEST_F(IntentionServiceTest, IntentionLevelRules) {
  intentions::Opener unbound = env_.OpenerFor("nobody");
  auto reply =
      env_.service().Open(unbound, IntentionBody(BackupAction()), std::nullopt, std::nullopt, {});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->body["message"], "Token must be bound to a broker account");
  EXPECT_EQ(reply->body["data"],
            (Json{{"action", ""}, {"action_id", ""}, {"key", "jwt.jti"}, {"value", "jti-nobody"}}));
  env_.Revoke("jti-ci-deployer");
  auto revoked = Open("ci-deployer", IntentionBody(BackupAction()));
  EXPECT_EQ(revoked->status, 400);
  EXPECT_EQ(revoked->body["message"], "Authorization failed");
  EXPECT_EQ(revoked->body["data"], Json::array());
}

TEST_F(IntentionServiceTest, UnknownIntentionUser) {
  Json body = IntentionBody(BackupAction());
  body["user"] = {{"name", "ghost@idp"}};
  auto reply = Open("ci-deployer", body);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->body["message"], "User not found");
  EXPECT_EQ(reply->body["data"], body["user"]);
  EXPECT_EQ(OpenOk("loose", body)["actions"]["backup"]["outcome"], "success");  // skips users
  body["user"] = {{"id", "G-HGODDARD"}};
  OpenOk("ci-deployer", body);
}

TEST_F(IntentionServiceTest, RuleUserSet) {
  Json action = BackupAction();
  action["user"] = {{"name", "ghost@idp"}};
  Json failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure["message"],
            "Unknown user. All actions required to be mapped to user. Does user exist with "
            "provided id or name and domain?");
  EXPECT_EQ(failure["data"]["key"], "user.id");
  EXPECT_EQ(failure["data"]["action"], "backup");
  EXPECT_EQ(failure["data"]["action_id"], "backup");
}

TEST_F(IntentionServiceTest, RuleVaultEnv) {
  const char* kMessage =
      "Explicitly set action.vaultEnvironment when service environment is not valid for Vault. "
      "Vault environment must be production, test or development.";
  Json action = BackupAction();
  action["service"]["environment"] = "staging";
  Json failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure["message"], kMessage);
  EXPECT_EQ(failure["data"]["key"], "service.environment");
  EXPECT_EQ(failure["data"]["value"], "staging");
  action["service"]["target"] = {
      {"name", "fluent-ui"}, {"project", "fluent"}, {"environment", "qa"}};
  EXPECT_EQ(Rejection("ci-deployer", action)["data"]["key"], "service.target.environment");
  action["vaultEnvironment"] = "test";
  OpenOk("ci-deployer", IntentionBody(action));
}

TEST_F(IntentionServiceTest, RuleAccountBoundProject) {
  Json action = BackupAction();
  action["service"]["project"] = "vault2";
  Json failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure, (Json{{"message", "Token not authorized for this project"},
                           {"data",
                            {{"action", "backup"},
                             {"action_id", "backup"},
                             {"key", "service.project"},
                             {"value", "vault2"}}}}));
  action = BackupAction();
  action["service"]["name"] = "fluent-proxy";
  failure = Rejection("strict", action);
  EXPECT_EQ(failure["message"], "Token not authorized for this service");
  EXPECT_EQ(failure["data"]["key"], "service.name");
}

TEST_F(IntentionServiceTest, RuleTargetService) {
  Json action = BackupAction();
  action["service"]["target"] = {
      {"name", "fluent-proxy"}, {"project", "fluent"}, {"environment", "production"}};
  Json failure = Rejection("ci-deployer", action);
  EXPECT_EQ(failure["message"], "Service not configured for target");
  EXPECT_EQ(failure["data"]["key"], "service.target.name");
  EXPECT_EQ(failure["data"]["value"], "fluent-proxy");
  action["service"]["target"]["name"] = "fluent-ui";
  OpenOk("ci-deployer", IntentionBody(action));
}

TEST_F(IntentionServiceTest, RuleDatabaseAccessAndAssistedDelivery) {
  Json action = BackupAction("db");
  action["action"] = "database-access";
  action["user"] = {{"name", "ghost@idp"}};
  // Even an account that skips user validation needs a known user for database access.
  EXPECT_EQ(Rejection("loose", action)["data"]["key"], "user.id");
  action.erase("user");
  Json failure = Rejection("ci-deployer", action, "alice");  // lead-developer: not for prod
  EXPECT_EQ(failure["message"], "User is not authorized to access this environment");
  EXPECT_EQ(failure["data"]["key"], "user.id");
  action["service"]["environment"] = "test";
  action["vaultEnvironment"] = "test";
  Json body = IntentionBody(action);
  body["user"] = {{"name", "alice"}};
  OpenOk("ci-deployer", body);  // lead-developer may change test
  action["service"] = {
      {"name", "fluent-proxy"}, {"project", "fluent"}, {"environment", "production"}};
  action.erase("vaultEnvironment");
  failure = Rejection("loose", action);
  EXPECT_EQ(failure["message"], "Cannot find component edge");
  EXPECT_EQ(failure["data"]["key"], "service.name");
}

TEST_F(IntentionServiceTest, RulePackageBuild) {
  auto message = [&](const Json& package) {
    return Rejection("ci-deployer", Build(package))["message"].get<std::string>();
  };
  EXPECT_EQ(message({{"name", "fb"}, {"buildVersion", "abc"}}),
            "No package version set. If using source intention, check action.source values.");
  EXPECT_EQ(message({{"name", "fb"}, {"version", "1.0"}, {"buildVersion", "abc"}}),
            "Package actions must specify a valid semver version. See: https://semver.org");
  EXPECT_EQ(message({{"version", "1.0.0"}, {"buildVersion", "abc"}}),
            "Package actions must specify a name.");
  EXPECT_EQ(message({{"name", "fb"}, {"version", "1.0.0"}}),
            "Package actions must specify scm hash.");
  RunToSuccess("ci-deployer",
               Build({{"name", "fb"}, {"version", "1.0.0"}, {"buildVersion", "abc"}}));
  Json failure = Rejection("ci-deployer",
                           Build({{"name", "fb"}, {"version", "1.0.0"}, {"buildVersion", "def"}}));
  EXPECT_EQ(failure["message"],
            "Release package build version (git commit hash) may not be altered.");
  EXPECT_EQ(failure["data"]["key"], "package.version");
  // The same hash may be built again, and prereleases may be rebuilt from any hash.
  RunToSuccess("ci-deployer",
               Build({{"name", "fb"}, {"version", "1.0.0"}, {"buildVersion", "abc"}}));
  RunToSuccess("ci-deployer",
               Build({{"name", "fb"}, {"version", "1.1.0-rc.1"}, {"buildVersion", "x1"}}));
  RunToSuccess("ci-deployer",
               Build({{"name", "fb"}, {"version", "1.1.0-rc.1"}, {"buildVersion", "x2"}}));
}

TEST_F(IntentionServiceTest, RulesEnvironmentPromotionAndInstallation) {
  Json failure = Rejection("ci-deployer", Install("production", "1.0.0", ""));
  EXPECT_EQ(failure["message"],
            "Package build version is required for environment promotion validation.");
  EXPECT_EQ(failure["data"]["key"], "package.buildVersion");
  failure = Rejection("ci-deployer", Install("production", "1.0.0", "abcdef123456"));
  EXPECT_EQ(failure["message"],
            "Build with git hash abcdef12 must be deployed to test environment before deploying "
            "to production. Deploy to test first, then retry this installation.");
  EXPECT_EQ(failure["data"]["key"], "service.environment");
  failure = Rejection("ci-deployer", Install("moon", "1.0.0", "abcdef123456"));
  EXPECT_EQ(failure["message"], "Package installation must specify a valid environment.");
  failure = Rejection("ci-deployer", Install("development", "1.0", "abcdef123456"));
  EXPECT_EQ(failure["message"],
            "Package actions must specify a valid semver version. See: https://semver.org");

  RunToSuccess("ci-deployer", Install("development", "1.0.0-rc.1", "abcdef123456"));
  RunToSuccess("ci-deployer", Install("test", "1.0.0-rc.1", "abcdef123456"));
  failure = Rejection("ci-deployer", Install("production", "1.0.0-rc.1", "abcdef123456"));
  EXPECT_EQ(failure["message"],
            "Only release versions may be installed in production. See: "
            "https://semver.org/#spec-item-9");
  EXPECT_EQ(failure["data"]["key"], "package.version");
  OpenOk("ci-deployer", IntentionBody(Install("production", "1.0.0", "abcdef123456")));
  // The install created the service instances.
  auto snap = env_.graph().snapshot();
  const graph::Vertex* service = snap->FindByKey("service", "fluent-bit");
  int instances = 0;
  for (const graph::Edge* edge : snap->Out(service->id)) instances += edge->name == "instance";
  EXPECT_EQ(instances, 2);
}

TEST_F(IntentionServiceTest, ArtifactsAndPatch) {
  Json opened = OpenOk("ci-deployer", IntentionBody(BackupAction()));
  const std::string token = opened["actions"]["backup"]["token"];
  Json artifact = {{"name", "dump.tgz"}, {"checksum", "sha256:00ff"}, {"size", 12}};
  EXPECT_EQ(env_.service().AddArtifact(token, artifact).error().message(),
            "Illegal lifecycle request");
  ASSERT_TRUE(env_.service().StartAction(token).ok());
  ASSERT_TRUE(env_.service().AddArtifact(token, artifact).ok());
  EXPECT_EQ(env_.service().AddArtifact(token, artifact).error().label().value_or(""),
            "Artifact name must be unique");
  EXPECT_EQ(env_.service().PatchAction(token, {{"package", {{"name", "x"}}}}).error().message(),
            "Illegal action");
  EXPECT_EQ(env_.AuditCount("artifact-register"), 1);

  Json build =
      OpenOk("ci-deployer",
             IntentionBody(
                 Build({{"name", "fb"}, {"version", "2.0.0-snapshot"}, {"buildVersion", "abc"}})),
             std::nullopt, "true");
  const std::string build_token = build["actions"]["build"]["token"];
  EXPECT_EQ(env_.service()
                .PatchAction(build_token, {{"cloud", {{"target", Json::object()}}}})
                .error()
                .message(),
            "Nothing to patch");
  auto patched = env_.service().PatchAction(
      build_token, {{"package", {{"checksum", "sha256:abcd"}, {"size", 99}, {"type", "zip"}}}});
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->status, 201);
  EXPECT_EQ(patched->body["package"]["checksum"], "sha256:abcd");
  EXPECT_EQ(patched->body["package"]["name"], "fb");
  ASSERT_TRUE(
      env_.service().Close(build["token"].get<std::string>(), std::nullopt, std::nullopt).ok());
  auto doc = env_.service().Get(build["id"]);
  EXPECT_EQ((*doc)["actions"][0]["artifacts"][0]["name"], "fb");  // auto-registered

  Json build2 =
      OpenOk("ci-deployer",
             IntentionBody(
                 Build({{"name", "fb"}, {"version", "2.0.0-snapshot"}, {"buildVersion", "abc"}})),
             std::nullopt, "true");
  auto rejected = env_.service().PatchAction(build2["actions"]["build"]["token"].get<std::string>(),
                                             {{"package", {{"version", "not-semver"}}}});
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, 400);
  EXPECT_EQ(rejected->body["message"], "Authorization failed");
  auto doc2 = env_.service().Get(build2["id"]);
  EXPECT_EQ((*doc2)["transaction"]["outcome"], "rejected");
  EXPECT_EQ((*doc2)["closed"], true);
}

TEST_F(IntentionServiceTest, InstallTakesThePackageOfItsBuild) {
  Json build =
      OpenOk("ci-deployer",
             IntentionBody(
                 Build({{"name", "fb"}, {"version", "3.0.0"}, {"buildVersion", "cafe1234beef"}})),
             std::nullopt, "true");
  ASSERT_TRUE(
      env_.service().Close(build["token"].get<std::string>(), std::nullopt, std::nullopt).ok());
  Json install = Install("development", "", "");
  install["package"] = {{"description", "from the pipeline"}};
  install["source"] = {{"intention", build["id"]}, {"action", "package-build#build"}};
  Json opened = OpenOk("ci-deployer", IntentionBody(install));
  auto doc = env_.service().Get(opened["id"]);
  const Json& package = (*doc)["actions"][0]["package"];
  EXPECT_EQ(package["version"], "3.0.0");
  EXPECT_EQ(package["buildVersion"], "cafe1234beef");
  EXPECT_EQ(package["description"], "from the pipeline");
  EXPECT_EQ((*doc)["actions"][0]["references"][0]["intention"], build["id"]);
}

TEST_F(IntentionServiceTest, SearchFiltersAndPages) {
  OpenOk("ci-deployer", IntentionBody(BackupAction()));
  env_.clock().AdvanceSeconds(1);
  Json action = BackupAction();
  action["service"]["project"] = "vault2";
  Rejection("ci-deployer", action);
  env_.clock().AdvanceSeconds(1);
  OpenOk("loose", IntentionBody(BackupAction()));
  SearchFilter all;
  auto page = env_.service().Search(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["meta"]["total"], 3);
  EXPECT_EQ((*page)["data"][0]["user"]["group"]["name"], "loose");  // newest first
  SearchFilter rejected;
  rejected.outcome = "rejected";
  EXPECT_EQ((*env_.service().Search(rejected))["meta"]["total"], 1);
  SearchFilter by_project;
  by_project.project = "vault2";
  EXPECT_EQ((*env_.service().Search(by_project))["meta"]["total"], 1);
  SearchFilter by_account;
  by_account.account_id = env_.OpenerFor("ci-deployer").account_id;
  by_account.limit = 1;
  by_account.offset = 1;
  auto second = env_.service().Search(by_account);
  EXPECT_EQ((*second)["meta"]["total"], 2);
  ASSERT_EQ((*second)["data"].size(), 1u);
  EXPECT_EQ((*second)["data"][0]["transaction"].value("outcome", ""), "");  // the open one
  SearchFilter dated;
  dated.from_ms = env_.clock().NowMillis();
  EXPECT_EQ((*env_.service().Search(dated))["meta"]["total"], 1);
  SearchFilter by_action;
  by_action.action = "package-build";
  EXPECT_EQ((*env_.service().Search(by_action))["meta"]["total"], 0);
}

TEST(IntentionPostgresTest, LifecycleOnPostgres) {
  IntentionEnv env(broker::testing::PgCluster::Shared().CreateDatabase());
  auto open = [&](const Json& body, std::optional<std::string_view> ttl) {
    auto reply = env.service().Open(env.OpenerFor("ci-deployer"), body, ttl, std::nullopt, {});
    EXPECT_TRUE(reply.ok() && reply->status == 201) << (reply.ok() ? reply->body.dump() : "");
    return reply.ok() ? reply->body : Json();
  };
  Json opened = open(IntentionBody(BackupAction()), std::nullopt);
  const std::string action_token = opened["actions"]["backup"]["token"];
  ASSERT_TRUE(env.service().StartAction(action_token).ok());
  ASSERT_TRUE(env.service().FindActionForProvision(action_token).ok());
  ASSERT_TRUE(env.service().EndAction(action_token, std::nullopt).ok());
  ASSERT_TRUE(
      env.service().Close(opened["token"].get<std::string>(), std::nullopt, std::nullopt).ok());
  Json expiring = open(IntentionBody(BackupAction()), "30");
  env.clock().AdvanceSeconds(31);
  EXPECT_EQ(*env.service().ExpireDue(), 1);
  SearchFilter filter;
  filter.outcome = "unknown";
  auto page = env.service().Search(filter);
  ASSERT_TRUE(page.ok()) << page.error().ToString();
  EXPECT_EQ((*page)["meta"]["total"], 1);
  EXPECT_EQ((*page)["data"][0]["id"], expiring["id"]);
  EXPECT_EQ(env.AuditCount("intention-close"), 2);
}

}  // namespace
}  // namespace broker::intentions
