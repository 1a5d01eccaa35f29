#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "notify/mail.h"
#include "notify/notifier.h"
#include "notify/recipients.h"
#include "notify/templates.h"
#include "notify/test_env.h"
#include "support/pg_cluster.h"
#include "support/temp_dir.h"

namespace broker::notify {
namespace {

using testing::NotifyEnv;
using testing::RecordingMailer;

constexpr UnixSeconds kT0 = 1700000000;
constexpr int64_t kDay = kDaySeconds;
constexpr int64_t kHour = 3600;

// ---- templates ----------------------------------------------------------------------------

TEST(TemplatesTest, RenderReplacesKnownPlaceholders) {
  auto text = RenderText("Hi {{ recipientName }}, {{clientId}}!",
                         {{"recipientName", "Ann"}, {"clientId", "c-1"}});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "Hi Ann, c-1!");
}

TEST(TemplatesTest, RenderRefusesUnknownAndUnclosedPlaceholders) {
  auto unknown = RenderText("{{token}}", {{"token", "x"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message().find("{{token}}"), std::string::npos);
  auto unclosed = RenderText("{{clientId", {{"clientId", "x"}});
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().code(), ErrorCode::kInvalidArgument);
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(TemplatesTest, FilesOverrideDefaultsPartByPart) {
  broker::testing::TempDir dir;
  WriteFile(dir.path() / "token-expiration-alert.subject.txt", "Expiring: {{accountName}}\n");
  auto set = TemplateSet::Load(dir.path().string());
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto alert = set->Render(kAlertTemplate, {{"accountName", "ci"}});
  // The body keeps its default, which needs more values than given: rendering fails on it.
  ASSERT_FALSE(alert.ok());
  auto subject = set->Find(kAlertTemplate);
  ASSERT_TRUE(subject.ok());
  EXPECT_EQ(subject->subject, "Expiring: {{accountName}}");
  EXPECT_EQ(subject->body, TemplateSet::Defaults().Find(kAlertTemplate)->body);
}

TEST(TemplatesTest, LoadRefusesBadFiles) {
  broker::testing::TempDir dir;
  WriteFile(dir.path() / "token-expiration-owner.subject.txt", "two\nlines");
  auto two_lines = TemplateSet::Load(dir.path().string());
  ASSERT_FALSE(two_lines.ok());
  EXPECT_EQ(two_lines.error().code(), ErrorCode::kInvalidArgument);

  std::filesystem::remove(dir.path() / "token-expiration-owner.subject.txt");
  WriteFile(dir.path() / "token-expiration-alert.body.txt", "Your {{tokne}} expires");
  auto typo = TemplateSet::Load(dir.path().string());
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(typo.error().message().find("token-expiration-alert.body.txt"), std::string::npos);
}

TEST(TemplatesTest, MissingDirectoryMeansDefaults) {
  auto set = TemplateSet::Load("/nonexistent/broker-templates");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Find(kOwnerTemplate).ok());
  EXPECT_EQ(set->Find("other").error().code(), ErrorCode::kNotFound);
}

// ---- message format -----------------------------------------------------------------------

TEST(MailFormatTest, HeadersBodyAndCrlf) {
  MailMessage message{.from = "broker@example.com",
                      .to = "ann@example.com",
                      .to_name = "Ann \"A\" Lee",
                      .subject = "Token expires\r\nBcc: evil@example.com",
                      .body = "line 1\nline 2\n",
                      .message_id = "abc@broker"};
  const std::string text = FormatMessage(message, int64_t{1700000000} * 1000);
  EXPECT_NE(text.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: \"Ann \\\"A\\\" Lee\" <ann@example.com>\r\n"), std::string::npos);
  // A line break in the subject cannot add a header.
  EXPECT_NE(text.find("Subject: Token expires  Bcc: evil@example.com\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(text.find("Message-ID: <abc@broker>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nline 1\r\nline 2\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);  // every line end is CRLF
}

TEST(MailFormatTest, NonAsciiSubjectIsEncoded) {
  MailMessage message{.from = "b@example.com",
                      .to = "z@example.com",
                      .to_name = "Zoë",
                      .subject = "Jeton expiré",
                      .body = "x",
                      .message_id = "m@b"};
  const std::string text = FormatMessage(message, 0);
  EXPECT_NE(text.find("Subject: =?UTF-8?B?SmV0b24gZXhwaXLDqQ==?=\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: =?UTF-8?B?Wm/Dqw==?= <z@example.com>\r\n"), std::string::npos);
}

TEST(MailFormatTest, PlainAddresses) {
  EXPECT_TRUE(IsPlainAddress("ann.lee+ci@example.com"));
  EXPECT_FALSE(IsPlainAddress(""));
  EXPECT_FALSE(IsPlainAddress("ann"));
  EXPECT_FALSE(IsPlainAddress("@example.com"));
  EXPECT_FALSE(IsPlainAddress("a@b@c"));
  EXPECT_FALSE(IsPlainAddress("a@example.com>\r\nRCPT TO:<b@example.com"));
  EXPECT_FALSE(IsPlainAddress("a b@example.com"));
}

TEST(DisplayTimeTest, LongUtcDate) {
  EXPECT_EQ(DisplayTime(1700000000), "November 14, 2023, 22:13 UTC");
}

// ---- recipients ---------------------------------------------------------------------------

TEST(RecipientsTest, LeadAndFullAccessMembersOfOwningTeamsOwnersOnRequest) {
  NotifyEnv env;
  const auto snap = env.graph().snap();
  const std::string ci = env.graph().Id("brokerAccount", "ci-deployer");
  const auto leads = RecipientsFor(*snap, ci, false);
  ASSERT_EQ(leads.size(), 1u);  // alice (lead-developer); bob is only a developer
  EXPECT_EQ(leads[0].email, "alice@example.com");
  EXPECT_EQ(leads[0].role, "lead-developer");
  const auto with_owners = RecipientsFor(*snap, ci, true);
  ASSERT_EQ(with_owners.size(), 2u);
  EXPECT_EQ(with_owners[0].email, "alice@example.com");
  EXPECT_EQ(with_owners[1].email, "carol@example.com");
  EXPECT_EQ(with_owners[1].role, "owner");
  const auto pay = RecipientsFor(*snap, env.graph().Id("brokerAccount", "pay-bot"), true);
  ASSERT_EQ(pay.size(), 1u);
  EXPECT_EQ(pay[0].email, "erin@example.com");
  EXPECT_EQ(pay[0].role, "full-access");
  EXPECT_TRUE(RecipientsFor(*snap, "000000000000000000000000", true).empty());
}

TEST(RecipientsTest, AUserWithTwoRolesIsToldOnceAsTheStrongest) {
  NotifyEnv env;
  auto& g = env.graph();
  const graph::Vertex* alice = g.snap()->FindByKey("user", "alice");
  const graph::Vertex* platform = g.snap()->FindByKey("team", "platform");
  g.Link("owner", *alice, *platform);
  const auto all = RecipientsFor(*g.snap(), g.Id("brokerAccount", "ci-deployer"), true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].email, "alice@example.com");
  EXPECT_EQ(all[0].role, "lead-developer");
}

// ---- the notifier, on both engines ----------------------------------------------------------

class NotifierTest : public ::testing::TestWithParam<std::string> {
 protected:
  NotifierTest()
      : env_(GetParam() == "postgres" ? broker::testing::PgCluster::Shared().CreateDatabase()
                                      : std::string()) {}

  ExpiringToken Token(const std::string& account, std::string jti, int64_t exp) {
    return {.jti = std::move(jti),
            .account_id = env_.AccountId(account),
            .client_id = account == "pay-bot" ? "0f9e8d7c-6b5a-4321-8fed-cba987654321"
                                              : "6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f",
            .sub = account + "@example.com",
            .exp = exp,
            .iat = exp - 90 * kDay,
            .last_used_at = std::nullopt};
  }

  NotifyEnv env_;
};

// (recipient, subject) of every message, sorted.
std::vector<std::pair<std::string, std::string>> Summary(const std::vector<MailMessage>& sent) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(sent.size());
  for (const MailMessage& m : sent) out.emplace_back(m.to, m.subject);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_P(NotifierTest, ExactlyTheThresholdNoticesOnceAcrossRunsAndNodes) {
  RecordingMailer mailer;
  auto node_a = env_.NewNode(mailer, "node-a");
  auto node_b = env_.NewNode(mailer, "node-b");
  // ci-deployer's token expires 10 days and an hour after kT0; pay-bot's 3 days and 12 hours.
  env_.tokens().Add(Token("ci-deployer", "jti-ci", kT0 + 10 * kDay + 3600));
  env_.tokens().Add(Token("pay-bot", "jti-pay", kT0 + 3 * kDay + 12 * kHour));
  std::vector<std::pair<int64_t, size_t>> sent_per_day;
  for (int64_t day = 0; day <= 11; ++day) {
    const size_t before = mailer.sent().size();
    for (int64_t run = 0; run < 2; ++run) {
      ASSERT_TRUE(node_a->RunOnce(kT0 + day * kDay + run * 60).ok());
      ASSERT_TRUE(node_b->RunOnce(kT0 + day * kDay + run * 60 + 1).ok());
    }
    sent_per_day.emplace_back(day, mailer.sent().size() - before);
  }
  const std::vector<std::pair<int64_t, size_t>> expected_per_day = {
      {0, 1}, {1, 1}, {2, 1}, {3, 2}, {4, 0},  {5, 0},
      {6, 0}, {7, 1}, {8, 1}, {9, 1}, {10, 0}, {11, 0}};
  EXPECT_EQ(sent_per_day, expected_per_day);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"alice@example.com", "Broker token for ci-deployer expires in 1 day"},
      {"alice@example.com", "Broker token for ci-deployer expires in 2 days"},
      {"alice@example.com", "Broker token for ci-deployer expires in 3 days"},
      {"alice@example.com", "Broker token for ci-deployer expires in 7 days"},
      {"carol@example.com", "Broker token for ci-deployer (a team you own) expires in 7 days"},
      {"erin@example.com", "Broker token for pay-bot expires in 1 day"},
      {"erin@example.com", "Broker token for pay-bot expires in 2 days"},
      {"erin@example.com", "Broker token for pay-bot expires in 3 days"},
  };
  EXPECT_EQ(Summary(mailer.sent()), expected);
  // One audit record per token and threshold: 4 for ci-deployer, 3 for pay-bot.
  EXPECT_EQ(env_.ExpiryAuditRecords(), 7);
  auto rows = node_a->ListForToken("jti-ci");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  for (const Notice& n : *rows) {
    EXPECT_EQ(n.state, kStateSent) << n.key.days;
    EXPECT_EQ(n.attempts, 1);
  }
}

TEST_P(NotifierTest, MessageNamesAccountClientIdExpiryLastUseAndLink) {
  RecordingMailer mailer;
  auto node = env_.NewNode(mailer, "node-a");
  ExpiringToken token = Token("ci-deployer", "jti-ci", kT0 + 2 * kDay + 100);
  token.last_used_at = (kT0 - 3600) * 1000;
  env_.tokens().Add(token);
  ASSERT_TRUE(node->RunOnce(kT0).ok());
  const std::vector<MailMessage> sent = mailer.sent();
  ASSERT_EQ(sent.size(), 1u);
  const MailMessage& m = sent[0];
  EXPECT_EQ(m.from, "broker@example.com");
  EXPECT_EQ(m.to, "alice@example.com");
  EXPECT_EQ(m.to_name, "Alice Ng");
  for (const std::string& part : {std::string("Hello Alice Ng,"),
                                  std::string("client_id:  6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f"),
                                  std::string("Expires:    November 16, 2023, 22:15 UTC"),
                                  std::string("Last used:  November 14, 2023, 21:13 UTC"),
                                  "https://broker.example.com/browse/brokerAccount/" +
                                      env_.AccountId("ci-deployer") + "/token\n"}) {
    EXPECT_NE(m.body.find(part), std::string::npos) << part << "\n---\n" << m.body;
  }
  EXPECT_FALSE(m.message_id.empty());
}

TEST_P(NotifierTest, ConcurrentNodesSendEachNoticeOnce) {
  RecordingMailer mailer;
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Notifier>> nodes;
  nodes.reserve(kNodes);
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(env_.NewNode(mailer, "node-" + std::to_string(i)));
  }
  env_.tokens().Add(Token("ci-deployer", "jti-ci", kT0 + 7 * kDay + 10));
  env_.tokens().Add(Token("pay-bot", "jti-pay", kT0 + 1 * kDay + 10));
  std::vector<std::thread> threads;
  threads.reserve(nodes.size());
  std::atomic<int> failures{0};
  for (auto& node : nodes) {
    threads.emplace_back([&, n = node.get()] {
      for (int run = 0; run < 3; ++run) {
        if (!n->RunOnce(kT0).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"alice@example.com", "Broker token for ci-deployer expires in 7 days"},
      {"carol@example.com", "Broker token for ci-deployer (a team you own) expires in 7 days"},
      {"erin@example.com", "Broker token for pay-bot expires in 1 day"},
  };
  EXPECT_EQ(Summary(mailer.sent()), expected);
  EXPECT_EQ(env_.ExpiryAuditRecords(), 2);
}

TEST_P(NotifierTest, FailedSendIsRetriedOnceDueAndShownInHealth) {
  RecordingMailer mailer;
  auto node_a = env_.NewNode(mailer, "node-a");
  auto node_b = env_.NewNode(mailer, "node-b");
  env_.tokens().Add(Token("pay-bot", "jti-pay", kT0 + 3 * kDay + 7200));
  mailer.set_failing(true);
  auto first = node_a->Run(kT0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed, 1);
  auto health = node_b->Health();
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->notices.failed, 1);
  EXPECT_EQ(health->notices.waiting, 1);
  EXPECT_NE(health->notices.last_error.find("451"), std::string::npos);

  mailer.set_failing(false);
  // Not yet due (first retry after 60 s): nothing is sent, by either node.
  ASSERT_TRUE(node_b->RetryDue(kT0 + 59).ok());
  EXPECT_TRUE(mailer.sent().empty());
  auto retry_a = node_a->RetryDue(kT0 + 60);
  auto retry_b = node_b->RetryDue(kT0 + 60);
  ASSERT_TRUE(retry_a.ok() && retry_b.ok());
  EXPECT_EQ(retry_a->retried + retry_b->retried, 1);
  ASSERT_EQ(mailer.sent().size(), 1u);
  EXPECT_EQ(mailer.sent()[0].to, "erin@example.com");
  auto rows = node_a->ListForToken("jti-pay");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].state, kStateSent);
  EXPECT_EQ((*rows)[0].attempts, 2);
  EXPECT_EQ(node_a->Health()->notices.waiting, 0);
  // A later daily run does not send it again.
  ASSERT_TRUE(node_b->RunOnce(kT0 + 3600).ok());
  EXPECT_EQ(mailer.sent().size(), 1u);
}

TEST_P(NotifierTest, GivesUpAfterMaxAttempts) {
  RecordingMailer mailer;
  auto node = env_.NewNode(mailer, "node-a");
  env_.tokens().Add(Token("pay-bot", "jti-pay", kT0 + 2 * kDay + 10));
  mailer.set_failing(true);
  UnixSeconds now = kT0;
  ASSERT_TRUE(node->Run(now).ok());
  for (int i = 0; i < 20; ++i) {
    now += 6 * kHour;
    ASSERT_TRUE(node->RetryDue(now).ok());
  }
  auto rows = node->ListForToken("jti-pay");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].state, kStateGaveUp);
  EXPECT_EQ((*rows)[0].attempts, 8);
  EXPECT_EQ(node->Health()->notices.gave_up, 1);
}

TEST_P(NotifierTest, NoRecipientsIsRecordedOnceWithoutMail) {
  // A new account that no team owns (added before the node opens its graph).
  const graph::Vertex orphan =
      env_.graph().Add("brokerAccount", {{"name", "orphan"},
                                         {"email", "orphan@example.com"},
                                         {"clientId", "11111111-2222-4333-8444-555555555555"}});
  RecordingMailer mailer;
  auto node = env_.NewNode(mailer, "node-a");
  ExpiringToken token = Token("ci-deployer", "jti-orphan", kT0 + 3 * kDay + 7200);
  token.account_id = orphan.object_id;
  env_.tokens().Add(token);
  ASSERT_TRUE(node->RunOnce(kT0).ok());
  ASSERT_TRUE(node->RunOnce(kT0 + 60).ok());
  EXPECT_TRUE(mailer.sent().empty());
  EXPECT_EQ(env_.ExpiryAuditRecords(), 1);
  auto rows = node->ListForAccount(orphan.object_id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].state, kStateNoRecipients);
  EXPECT_TRUE(NoticeToJson((*rows)[0])["recipient"].is_null());
}

TEST_P(NotifierTest, TokensOfDeletedAccountsAreSkipped) {
  RecordingMailer mailer;
  auto node = env_.NewNode(mailer, "node-a");
  ExpiringToken token = Token("ci-deployer", "jti-gone", kT0 + 1 * kDay + 5);
  token.account_id = "0123456789abcdef01234567";
  env_.tokens().Add(token);
  auto report = node->Run(kT0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->tokens_due, 1);
  EXPECT_EQ(report->claimed, 0);
  EXPECT_TRUE(mailer.sent().empty());
  EXPECT_EQ(env_.ExpiryAuditRecords(), 0);
}

TEST_P(NotifierTest, NoticeJsonForTheTokenPage) {
  RecordingMailer mailer;
  auto node = env_.NewNode(mailer, "node-a");
  env_.tokens().Add(Token("pay-bot", "jti-pay", kT0 + 1 * kDay + 5));
  ASSERT_TRUE(node->RunOnce(kT0).ok());
  auto rows = node->ListForAccount(env_.AccountId("pay-bot"));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const Json json = NoticeToJson((*rows)[0]);
  EXPECT_EQ(json["jti"], "jti-pay");
  EXPECT_EQ(json["days"], 1);
  EXPECT_EQ(json["state"], "sent");
  EXPECT_EQ(json["template"], "token-expiration-alert");
  EXPECT_EQ(json["recipient"]["email"], "erin@example.com");
  EXPECT_EQ(json["recipient"]["role"], "full-access");
  EXPECT_EQ(json["sentAt"], "2023-11-14T22:13:20.000Z");
}

INSTANTIATE_TEST_SUITE_P(Engines, NotifierTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace broker::notify
