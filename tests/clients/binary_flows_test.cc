// Runs the client scripts of this directory (bash, curl, jq) against the real `broker` binary:
// imported data (tests/blackbox/intentions.json), an account token issued by `broker token
// generate`, and tests/fakes/fake_vault.py behind the binary holding the AppRole role
// fluent_fluent-bit_dev. src/api/intention/client_flows_test.cc runs the same scripts against
// the handlers in-process.

#include <gtest/gtest.h>

#include <cstdlib>

#include "broker_process.h"
#include "secrets/fake_vault_fixture.h"

namespace broker::testing {
namespace {

class ClientFlowsBinaryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vault_ = new secrets::testing::FakeVault(std::string(BROKER_SOURCE_DIR) +
                                             "/tests/fakes/fake_vault.py");
    HttpClient admin(vault_->addr());
    admin.SetHeader("X-Vault-Token", "root");
    const HttpResponse role =
        admin.Post("/v1/auth/vs_apps_approle/role/fluent_fluent-bit_dev", "{}");
    ASSERT_LT(role.status, 300) << role.body;
    BrokerOptions options;
    options.import_file = std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/intentions.json";
    options.env = {{"VAULT_ADDR", vault_->addr()}, {"BROKER_TOKEN", "root"}};
    broker_ = new BrokerProcess(options);
    std::string printed;
    const auto [code, output] =
        broker_->RunCli({"token", "generate", "ci-deployer", "--no-vault"}, "", &printed);
    ASSERT_EQ(code, 0) << output;
    token_ = printed.substr(0, printed.find('\n'));
  }
  static void TearDownTestSuite() {
    delete broker_;
    delete vault_;
  }

  // Runs one script with BROKER_URL, BROKER_JWT and VAULT_ADDR (plus `extra_env`); returns its
  // exit status.
  static int Run(const std::string& script, const std::string& extra_env = "") {
    const std::string command = "env BROKER_URL=" + broker_->url() + " BROKER_JWT=" + token_ +
                                " VAULT_ADDR=" + vault_->addr() + " " + extra_env + " bash " +
                                BROKER_SOURCE_DIR + "/tests/clients/" + script + " >&2";
    return std::system(command.c_str());
  }

  static secrets::testing::FakeVault* vault_;
  static BrokerProcess* broker_;
  static std::string token_;
};

secrets::testing::FakeVault* ClientFlowsBinaryTest::vault_ = nullptr;
BrokerProcess* ClientFlowsBinaryTest::broker_ = nullptr;
std::string ClientFlowsBinaryTest::token_;

TEST_F(ClientFlowsBinaryTest, BackupWithArtifact) { EXPECT_EQ(Run("backup_with_artifact.sh"), 0); }

TEST_F(ClientFlowsBinaryTest, BuildWithPatchAndQuickstart) {
  EXPECT_EQ(Run("build_patch_quickstart.sh"), 0);
}

TEST_F(ClientFlowsBinaryTest, InstallAfterBuildRecordsTheInstance) {
  ASSERT_EQ(Run("install_after_build.sh"), 0);
  HttpClient dave(broker_->url());
  ASSERT_EQ(dave.Login("dave", "dave-pass-12").status, 200);
  const HttpResponse found =
      dave.Post("/v1/collection/service-instance/search?offset=0&limit=10&q=development", "{}");
  ASSERT_EQ(found.status, 201) << found.body;
  EXPECT_EQ(found.json()["data"].size(), 1u) << found.body;
}

TEST_F(ClientFlowsBinaryTest, ProvisionSecretId) { EXPECT_EQ(Run("provision_secret_id.sh"), 0); }

TEST_F(ClientFlowsBinaryTest, ProvisionTokenSelf) { EXPECT_EQ(Run("provision_token_self.sh"), 0); }

TEST_F(ClientFlowsBinaryTest, ScriptsFailOnRefusals) {
  EXPECT_NE(Run("backup_with_artifact.sh", "BROKER_PROJECT=vault2"), 0);
  EXPECT_NE(Run("provision_token_self.sh", "BROKER_ENVIRONMENT=test"), 0);  // no such role
  EXPECT_NE(Run("backup_with_artifact.sh", "BROKER_JWT=not-a-token"), 0);
}

}  // namespace
}  // namespace broker::testing
