#include "intentions/provision.h"

#include <gtest/gtest.h>

#include "core/secret.h"
#include "intentions/test_env.h"
#include "secrets/fake_vault_fixture.h"

namespace broker::intentions {
namespace {

using testing::BackupAction;
using testing::IntentionBody;
using testing::IntentionEnv;

TEST(RoleNameTest, ShortEnvironmentNames) {
  EXPECT_EQ(RoleName("my-project", "my-app", "production"), "my-project_my-app_prod");
  EXPECT_EQ(RoleName("p", "s", "development"), "p_s_dev");
  EXPECT_EQ(RoleName("p", "s", "test"), "p_s_test");
  EXPECT_EQ(RoleName("p", "s", "tools"), "p_s_tools");
}

TEST(RoleNameTest, EveryUnderscoreBecomesADash) {
  // The reference replaces only the first underscore ("my-big_project"); we fix that.
  EXPECT_EQ(RoleName("my_big_project", "my_app_x", "production"), "my-big-project_my-app-x_prod");
}

class ProvisionTest : public ::testing::Test {
 protected:
  ProvisionTest()
      : fake_(std::string(BROKER_SOURCE_DIR) + "/tests/fakes/fake_vault.py"),
        vault_(secrets::VaultConfig{fake_.addr(), SecretString("root")}),
        provisioner_(env_.service(), vault_) {}

  std::string CreateRole(const std::string& role) {
    auto created = vault_.Call("POST", "auth/vs_apps_approle/role/" + role, Json::object());
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().ToString());
    auto role_id = vault_.AppRoleRoleId("vs_apps_approle", role);
    EXPECT_TRUE(role_id.ok());
    return role_id.ok() ? *role_id : "";
  }

  // Opens an intention for `account` with one action and starts it; returns the action token.
  std::string StartedAction(const std::string& account, const Json& action) {
    auto reply = env_.service().Open(env_.OpenerFor(account), IntentionBody(action), std::nullopt,
                                     "true", {});
    EXPECT_TRUE(reply.ok() && reply->status == 201) << (reply.ok() ? reply->body.dump() : "");
    if (!reply.ok()) return "";
    intention_token_ = reply->body["token"];
    return reply->body["actions"][action["id"].get<std::string>()]["token"];
  }

  IntentionEnv env_;
  secrets::testing::FakeVault fake_;
  secrets::VaultClient vault_;
  Provisioner provisioner_;
  std::string intention_token_;
};

Json BuildAction() {
  return {{"action", "package-build"},
          {"id", "build"},
          {"provision", {"approle/secret-id"}},
          {"service", {{"name", "fluent-bit"}, {"project", "fluent"}, {"environment", "tools"}}},
          {"package", {{"name", "fb"}, {"version", "1.0.0-rc.1"}, {"buildVersion", "abc"}}}};
}

TEST_F(ProvisionTest, TokenSelfAnswersAWrappedLogin) {
  CreateRole("fluent_fluent-bit_prod");
  const std::string token = StartedAction("ci-deployer", BackupAction());
  auto reply = provisioner_.TokenSelf(token, std::nullopt);
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  ASSERT_EQ(reply->status, 201) << reply->body.dump();
  const std::string wrap = reply->body["wrap_info"]["token"];
  EXPECT_EQ(reply->body["wrap_info"]["ttl"], 60);
  auto unwrapped = vault_.Call("POST", "sys/wrapping/unwrap", Json{{"token", wrap}});
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.error().ToString();
  EXPECT_FALSE((*unwrapped)["auth"]["client_token"].get<std::string>().empty());
  EXPECT_EQ(env_.AuditCount("generate-token"), 2);  // start and creation
  const std::string dump = env_.DumpIntentionTables();
  EXPECT_EQ(dump.find(wrap), std::string::npos);
  EXPECT_NE(dump.find(Sha256Hex(wrap)), std::string::npos);
}

TEST_F(ProvisionTest, SecretIdAnswersAWrappedSecretId) {
  CreateRole("fluent_fluent-bit_tools");
  const std::string token = StartedAction("ci-deployer", BuildAction());
  auto reply = provisioner_.SecretId(token, std::nullopt);
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  ASSERT_EQ(reply->status, 201) << reply->body.dump();
  auto unwrapped =
      vault_.Unwrap(SecretString(reply->body["wrap_info"]["token"].get<std::string>()));
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_TRUE(unwrapped->contains("secret_id"));
  EXPECT_EQ(env_.AuditCount("generate-secret-id"), 2);
}

TEST_F(ProvisionTest, CapabilityMustBeDeclared) {
  CreateRole("fluent_fluent-bit_prod");
  const std::string token = StartedAction("ci-deployer", BackupAction());
  auto reply = provisioner_.SecretId(token, std::nullopt);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(reply.error().message(), "Forbidden resource");
}

TEST_F(ProvisionTest, UnknownRoleAndUnknownToken) {
  const std::string token = StartedAction("ci-deployer", BackupAction());
  auto reply = provisioner_.TokenSelf(token, std::nullopt);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->body,
            (Json{{"statusCode", 404},
                  {"message", "Not Found"},
                  {"error", "Check approle exists for fluent : fluent-bit : production"}}));
  auto unknown = provisioner_.TokenSelf("nope", std::nullopt);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message(), "Action not found");
}

TEST_F(ProvisionTest, RoleIdGuard) {
  const std::string role_id = CreateRole("fluent_fluent-bit_prod");
  const std::string token = StartedAction("guarded", BackupAction());
  auto missing = provisioner_.TokenSelf(token, std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kPermissionDenied);
  auto wrong = provisioner_.TokenSelf(token, std::string_view("not-the-role-id"));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 400);
  EXPECT_EQ(wrong->body, (Json{{"statusCode", 403},
                               {"message", "Broker forbidden access"},
                               {"error",
                                "Request (header: x-vault-role-id) must match role id in Vault for "
                                "fluent : fluent-bit : production"}}));
  EXPECT_EQ(env_.AuditCount("test-role-id"), 1);
  auto right = provisioner_.TokenSelf(token, std::string_view(role_id));
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->status, 201);
}

TEST_F(ProvisionTest, ExpiredEndedOrRevokedIntentionsGetNothing) {
  CreateRole("fluent_fluent-bit_prod");
  const std::string token = StartedAction("ci-deployer", BackupAction());
  env_.Revoke("jti-ci-deployer");
  auto revoked = provisioner_.TokenSelf(token, std::nullopt);
  EXPECT_EQ(revoked.error().code(), ErrorCode::kPermissionDenied);
  env_.Revoke("");
  ASSERT_TRUE(provisioner_.TokenSelf(token, std::nullopt).ok());
  env_.clock().AdvanceSeconds(601);
  auto expired = provisioner_.TokenSelf(token, std::nullopt);
  EXPECT_EQ(expired.error().code(), ErrorCode::kFailedPrecondition);
  env_.clock().AdvanceSeconds(-601);
  ASSERT_TRUE(env_.service().EndAction(token, std::nullopt).ok());
  auto ended = provisioner_.TokenSelf(token, std::nullopt);
  EXPECT_EQ(ended.error().code(), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(env_.service().Close(intention_token_, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(provisioner_.TokenSelf(token, std::nullopt).error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace broker::intentions
