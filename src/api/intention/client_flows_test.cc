// Runs the client scripts of tests/clients/ (bash, curl, jq) against the intention and
// provisioning routes served over real HTTP, with the fake Vault. The account token is faked:
// "Bearer <account name>" authenticates as that account.
#include <gtest/gtest.h>

#include <cstdlib>

#include "api/intention/intention_routes.h"
#include "api/intention/test_auth.h"
#include "api/provision/provision_routes.h"
#include "http/server.h"
#include "intentions/provision.h"
#include "intentions/test_env.h"
#include "secrets/fake_vault_fixture.h"

namespace broker::api {
namespace {

class ClientFlowsTest : public ::testing::Test {
 protected:
  ClientFlowsTest()
      : fake_(std::string(BROKER_SOURCE_DIR) + "/tests/fakes/fake_vault.py"),
        vault_(secrets::VaultConfig{fake_.addr(), SecretString("root")}),
        provisioner_(env_.service(), vault_) {
    Auth auth;
    auth.require_account = [this](const http::Request& request) {
      return testing::AccountNamedByBearer(env_, request);
    };
    auth.require_user = [](const http::Request&) -> Result<UserPrincipal> {
      return Unauthenticated();
    };
    RegisterIntentionRoutes(router_, env_.service(), auth);
    RegisterProvisionRoutes(router_, provisioner_);
    http::ServerOptions options;
    options.port = 0;
    options.access_log = false;
    server_ = std::make_unique<http::Server>(options, router_);
    const Status started = server_->Start();
    if (!started.ok()) throw std::runtime_error(started.error().ToString());
    auto role =
        vault_.Call("POST", "auth/vs_apps_approle/role/fluent_fluent-bit_dev", Json::object());
    if (!role.ok()) throw std::runtime_error(role.error().ToString());
  }

  ~ClientFlowsTest() override { server_->Stop(std::chrono::milliseconds(500)); }

  int Run(const std::string& script, const std::string& extra_env = "") {
    const std::string command =
        "env BROKER_URL=http://127.0.0.1:" + std::to_string(server_->port()) +
        " BROKER_JWT=ci-deployer VAULT_ADDR=" + fake_.addr() + " " + extra_env + " bash " +
        BROKER_SOURCE_DIR + "/tests/clients/" + script;
    return std::system(command.c_str());
  }

  intentions::testing::IntentionEnv env_;
  secrets::testing::FakeVault fake_;
  secrets::VaultClient vault_;
  intentions::Provisioner provisioner_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(ClientFlowsTest, BackupWithArtifact) { EXPECT_EQ(Run("backup_with_artifact.sh"), 0); }

TEST_F(ClientFlowsTest, BuildWithPatchAndQuickstart) {
  EXPECT_EQ(Run("build_patch_quickstart.sh"), 0);
}

TEST_F(ClientFlowsTest, InstallAfterBuild) {
  EXPECT_EQ(Run("install_after_build.sh"), 0);
  EXPECT_NE(env_.graph().snapshot()->FindByKey("serviceInstance", "development"), nullptr);
}

TEST_F(ClientFlowsTest, ProvisionSecretId) { EXPECT_EQ(Run("provision_secret_id.sh"), 0); }

TEST_F(ClientFlowsTest, ProvisionTokenSelf) { EXPECT_EQ(Run("provision_token_self.sh"), 0); }

TEST_F(ClientFlowsTest, ScriptsFailOnRefusals) {
  EXPECT_NE(Run("backup_with_artifact.sh", "BROKER_PROJECT=vault2"), 0);
  EXPECT_NE(Run("provision_token_self.sh", "BROKER_ENVIRONMENT=test"), 0);  // no such role
  EXPECT_NE(Run("backup_with_artifact.sh", "BROKER_JWT=nobody"), 0);
}

}  // namespace
}  // namespace broker::api
