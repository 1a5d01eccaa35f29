#include "app/config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace broker::app {
namespace {

std::map<std::string, std::string>& FakeEnv() {
  static std::map<std::string, std::string> env;
  return env;
}

const char* LookUp(const char* name) {
  const auto it = FakeEnv().find(name);
  return it == FakeEnv().end() ? nullptr : it->second.c_str();
}

TEST(Config, DefaultsAreTheEmbeddedShape) {
  const Config config;
  EXPECT_EQ(config.DatabaseUrl(), "sqlite:./broker-data/broker.db");
  EXPECT_EQ(config.ListenEndpoint()->first, "127.0.0.1");
  EXPECT_EQ(config.ListenEndpoint()->second, 3000);
  EXPECT_EQ(config.token_grace_period_seconds, 3600);
  EXPECT_TRUE(config.Validate().ok());
}

TEST(Config, EnvironmentUsesOurAndTheReferenceNames) {
  FakeEnv() = {
      {"BROKER_LISTEN", "0.0.0.0:8080"},      {"BROKER_DATABASE", "postgresql://b@127.0.0.1/b"},
      {"BROKER_TOKEN_GRACE_PERIOD", "5"},     {"VAULT_ADDR", "http://127.0.0.1:8200"},
      {"BROKER_TOKEN", "vault-token-canary"}, {"JWT_SECRET", "x"}};
  Config config;
  ASSERT_TRUE(ApplyEnvironment(config, &LookUp).ok());
  EXPECT_EQ(config.ListenEndpoint()->second, 8080);
  EXPECT_EQ(config.DatabaseUrl(), "postgresql://b@127.0.0.1/b");
  EXPECT_EQ(config.token_grace_period_seconds, 5);
  EXPECT_EQ(config.vault.address, "http://127.0.0.1:8200");
  ASSERT_TRUE(config.vault.token.has_value());
  EXPECT_EQ(config.vault.token->RevealForUse(), "vault-token-canary");
  EXPECT_TRUE(config.Validate().ok());
}

TEST(Config, MalformedNumbersStopStartUp) {
  FakeEnv() = {{"BROKER_JOB_INTERVAL", "sixty"}};
  Config config;
  const Status status = ApplyEnvironment(config, &LookUp);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("BROKER_JOB_INTERVAL"), std::string::npos);
}

TEST(Config, ValidationNamesTheSetting) {
  Config config;
  config.listen = "localhost";
  EXPECT_EQ(config.Validate().error().code(), ErrorCode::kInvalidArgument);
  config.listen = "[::1]:3000";
  EXPECT_EQ(config.ListenEndpoint()->first, "::1");
  config.token_grace_period_seconds = -1;
  EXPECT_NE(config.Validate().error().message().find("--token-grace-period"), std::string::npos);
  config.token_grace_period_seconds = 3600;
  config.vault.address = "http://127.0.0.1:8200";
  EXPECT_NE(config.Validate().error().message().find("BROKER_TOKEN"), std::string::npos);
}

TEST(Config, GithubSyncAndOutboxRetrySettingsComeFromTheEnvironment) {
  FakeEnv() = {{"GITHUB_SYNC_CLIENT_ID", "Iv1.app"},
               {"GITHUB_SYNC_PRIVATE_KEY", "/etc/broker/github.pem"},
               {"BROKER_GITHUB_API_URL", "http://127.0.0.1:9"},
               {"GITHUB_MANAGED_URL_REGEX", "^https://ghe.example/(.+)$"},
               {"BROKER_OUTBOX_RETRY_MS", "250"},
               {"BROKER_OUTBOX_MAX_RETRY_MS", "1000"}};
  Config config;
  ASSERT_TRUE(ApplyEnvironment(config, &LookUp).ok());
  EXPECT_EQ(config.github_client_id, "Iv1.app");
  EXPECT_EQ(config.github_api_url, "http://127.0.0.1:9");
  EXPECT_EQ(config.github_managed_url_regex, "^https://ghe.example/(.+)$");
  EXPECT_EQ(config.outbox_retry_ms, 250);
  EXPECT_EQ(config.outbox_max_retry_ms, 1000);
  EXPECT_TRUE(config.Validate().ok());
  config.outbox_retry_ms = 50;
  EXPECT_EQ(config.Validate().error().code(), ErrorCode::kInvalidArgument);
  config.outbox_retry_ms = 2000;  // above the cap
  EXPECT_EQ(config.Validate().error().code(), ErrorCode::kInvalidArgument);
}

TEST(Config, NoticeSettingsComeFromTheEnvironment) {
  FakeEnv() = {
      {"NOTIFICATION_EMAIL_HOST", "smtp.example.com"},        {"NOTIFICATION_EMAIL_PORT", "465"},
      {"NOTIFICATION_EMAIL_FROM", "broker@example.com"},      {"NOTIFICATION_EMAIL_SECURE", "true"},
      {"NOTIFICATION_TEMPLATE_DIR", "/etc/broker/templates"}, {"BROKER_NOTICE_INTERVAL", "3600"}};
  Config config;
  ASSERT_TRUE(ApplyEnvironment(config, &LookUp).ok());
  EXPECT_EQ(config.smtp.host, "smtp.example.com");
  EXPECT_EQ(config.smtp.port, 465);
  EXPECT_EQ(config.smtp.from, "broker@example.com");
  EXPECT_TRUE(config.smtp.secure);
  EXPECT_EQ(config.notice_template_dir, "/etc/broker/templates");
  EXPECT_EQ(config.notice_interval_seconds, 3600);
  EXPECT_TRUE(config.Validate().ok());
  config.notice_interval_seconds = 59;
  EXPECT_EQ(config.Validate().error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Config().notice_interval_seconds, 86400);
}

}  // namespace
}  // namespace broker::app
