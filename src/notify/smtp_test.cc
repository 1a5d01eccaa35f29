// Expiry notices through a real SMTP server: tests/fakes/smtp_sink.py (aiosmtpd) on loopback.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "notify/mail.h"
#include "notify/notifier.h"
#include "notify/test_env.h"
#include "support/pg_cluster.h"
#include "support/ports.h"
#include "support/temp_dir.h"

namespace broker::notify {
namespace {

namespace fs = std::filesystem;

constexpr UnixSeconds kT0 = 1700000000;
constexpr int64_t kDay = kDaySeconds;

struct Received {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::string data;
};

// The SMTP sink process, stopped when destroyed.
class SmtpSink {
 public:
  SmtpSink() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      const std::string script = std::string(BROKER_SOURCE_DIR) + "/tests/fakes/smtp_sink.py";
      // Debian's interpreter: python3-aiosmtpd is installed for it, not for other pythons.
      ::execl("/usr/bin/python3", "python3", script.c_str(), "--out", dir_.path().c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    port_ = std::atoi(ReadLine(fds[0]).c_str());
    ::close(fds[0]);
    if (port_ <= 0) throw std::runtime_error("the SMTP sink did not start");
  }
  ~SmtpSink() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  uint16_t port() const { return static_cast<uint16_t>(port_); }
  // While failing, the sink answers 451 to every message.
  void SetFailing(bool failing) {
    if (failing) {
      std::ofstream(dir_.path() / "fail") << "1";
    } else {
      fs::remove(dir_.path() / "fail");
    }
  }
  std::vector<Received> Messages() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Received> out;
    for (const fs::path& file : files) {
      std::ifstream in(file);
      const Json j = Json::parse(in);
      out.push_back({j["mail_from"], j["rcpt_tos"].get<std::vector<std::string>>(), j["data"]});
    }
    return out;
  }

 private:
  static std::string ReadLine(int fd) {
    std::string line;
    while (line.find('\n') == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) break;
      char buf[64];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    return line;
  }

  broker::testing::TempDir dir_{"smtp-sink"};
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string Header(const std::string& data, const std::string& name) {
  const size_t at = data.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 4;
  return data.substr(start, data.find("\r\n", start) - start);
}

TEST(SmtpMailerTest, UnreachableServerIsUnavailable) {
  SmtpMailer mailer({.host = "127.0.0.1",
                     .port = static_cast<uint16_t>(broker::testing::UnusedLoopbackPort()),
                     .secure = false,
                     .connect_timeout_seconds = 5,
                     .timeout_seconds = 5});
  const Status sent = mailer.Send({.from = "b@example.com",
                                   .to = "a@example.com",
                                   .to_name = "",
                                   .subject = "s",
                                   .body = "b",
                                   .message_id = "m@b"});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ErrorCode::kUnavailable);
}

TEST(SmtpMailerTest, RefusesAnAddressThatCouldInjectCommands) {
  SmtpMailer mailer({.host = "127.0.0.1", .port = 25});
  const Status sent = mailer.Send({.from = "b@example.com",
                                   .to = "a@example.com>\r\nRCPT TO:<x@example.com",
                                   .to_name = "",
                                   .subject = "s",
                                   .body = "b",
                                   .message_id = "m"});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ErrorCode::kInvalidArgument);
}

class SmtpNotifierTest : public ::testing::TestWithParam<std::string> {
 protected:
  SmtpNotifierTest()
      : env_(GetParam() == "postgres" ? broker::testing::PgCluster::Shared().CreateDatabase()
                                      : std::string()) {}

  std::unique_ptr<SmtpMailer> NewMailer() {
    return std::make_unique<SmtpMailer>(SmtpOptions{.host = "127.0.0.1", .port = sink_.port()});
  }
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

  SmtpSink sink_;
  testing::NotifyEnv env_;
};

TEST_P(SmtpNotifierTest, TwoNodesTwoRunsADayDeliverExactlyTheThresholdMessages) {
  auto mailer_a = NewMailer();
  auto mailer_b = NewMailer();
  auto node_a = env_.NewNode(*mailer_a, "node-a");
  auto node_b = env_.NewNode(*mailer_b, "node-b");
  env_.tokens().Add(Token("ci-deployer", "jti-ci", kT0 + 9 * kDay + 600));
  for (int64_t day = 0; day <= 10; ++day) {
    for (int64_t run = 0; run < 2; ++run) {
      ASSERT_TRUE(node_a->RunOnce(kT0 + day * kDay + run * 3600).ok());
      ASSERT_TRUE(node_b->RunOnce(kT0 + day * kDay + run * 3600 + 30).ok());
    }
  }
  std::vector<std::pair<std::string, std::string>> got;
  for (const Received& r : sink_.Messages()) {
    ASSERT_EQ(r.rcpt_tos.size(), 1u);
    EXPECT_EQ(r.mail_from, "broker@example.com");
    got.emplace_back(r.rcpt_tos[0], Header(r.data, "Subject"));
    EXPECT_NE(r.data.find("6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f"), std::string::npos);
    EXPECT_NE(r.data.find("https://broker.example.com/browse/brokerAccount/" +
                          env_.AccountId("ci-deployer") + "/token"),
              std::string::npos);
    EXPECT_NE(r.data.find("Last used:  Never used"), std::string::npos);
    // Nothing that looks like a JWT (base64url of '{"') is ever in a notice.
    EXPECT_EQ(r.data.find("eyJ"), std::string::npos);
  }
  std::sort(got.begin(), got.end());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"alice@example.com", "Broker token for ci-deployer expires in 1 day"},
      {"alice@example.com", "Broker token for ci-deployer expires in 2 days"},
      {"alice@example.com", "Broker token for ci-deployer expires in 3 days"},
      {"alice@example.com", "Broker token for ci-deployer expires in 7 days"},
      {"carol@example.com", "Broker token for ci-deployer (a team you own) expires in 7 days"},
  };
  EXPECT_EQ(got, expected);
  EXPECT_EQ(env_.ExpiryAuditRecords(), 4);
}

TEST_P(SmtpNotifierTest, RefusedMessageIsRetriedAndThenDelivered) {
  auto mailer = NewMailer();
  auto node = env_.NewNode(*mailer, "node-a");
  env_.tokens().Add(Token("pay-bot", "jti-pay", kT0 + 2 * kDay + 600));
  sink_.SetFailing(true);
  auto first = node->Run(kT0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed, 1);
  auto health = node->Health();
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->notices.failed, 1);
  EXPECT_EQ(health->notices.last_error, "Could not send the e-mail: SMTP server answered 451");
  EXPECT_TRUE(sink_.Messages().empty());

  sink_.SetFailing(false);
  auto retry = node->RetryDue(kT0 + 60);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->sent, 1);
  const auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].rcpt_tos, std::vector<std::string>{"erin@example.com"});
  EXPECT_EQ(Header(messages[0].data, "Subject"), "Broker token for pay-bot expires in 2 days");
  EXPECT_EQ(node->Health()->notices.waiting, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, SmtpNotifierTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace broker::notify
