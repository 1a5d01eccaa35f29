#pragma once

// Test helpers for the notify module: a graph with teams, users and accounts (the graph
// module's SampleImport), the audit and notice tables, a token source the test fills, and a
// Mailer that records what it was given.

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "graph/test_util.h"
#include "notify/notifier.h"

namespace broker::notify::testing {

// Records every message; fails while `failing` is set.
class RecordingMailer final : public Mailer {
 public:
  Status Send(const MailMessage& message) override {
    const std::lock_guard lock(mutex_);
    if (failing_) return Unavailable("Could not send the e-mail: SMTP server answered 451");
    sent_.push_back(message);
    return OkStatus();
  }
  std::string_view kind() const override { return "smtp"; }
  std::vector<MailMessage> sent() const {
    const std::lock_guard lock(mutex_);
    return sent_;
  }
  void set_failing(bool failing) {
    const std::lock_guard lock(mutex_);
    failing_ = failing;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<MailMessage> sent_;
  bool failing_ = false;
};

// The tokens a test declares active, served like the registry would.
class FakeTokens {
 public:
  void Add(ExpiringToken token) {
    const std::lock_guard lock(mutex_);
    tokens_.push_back(std::move(token));
  }
  TokenSource Source() {
    return [this](UnixSeconds now, UnixSeconds until) -> Result<std::vector<ExpiringToken>> {
      const std::lock_guard lock(mutex_);
      std::vector<ExpiringToken> out;
      for (const ExpiringToken& t : tokens_) {
        if (t.exp > now && t.exp <= until) out.push_back(t);
      }
      return out;
    };
  }

 private:
  std::mutex mutex_;
  std::vector<ExpiringToken> tokens_;
};

// A graph (SampleImport: alice lead-developer and carol owner of team platform, which owns
// ci-deployer; erin full-access on payments, which owns pay-bot; bob developer of platform),
// with the audit and notice tables, on SQLite (`url` empty) or the given database.
class NotifyEnv {
 public:
  explicit NotifyEnv(std::string url = {});

  // A Notifier as one node would have it: its own Graph over the shared database.
  std::unique_ptr<Notifier> NewNode(Mailer& mailer, std::string node,
                                    TemplateSet templates = TemplateSet::Defaults());
  // The collection object id of the account named `name`.
  std::string AccountId(const std::string& name);
  // Count of audit records with event.action token-generation and event.type info.
  int64_t ExpiryAuditRecords();

  graph::testing::GraphFixture& graph() { return graph_; }
  store::Database& db() { return graph_.db(); }
  FakeTokens& tokens() { return tokens_; }
  const audit::AuditLog& audit() const { return audit_; }

 private:
  graph::testing::GraphFixture graph_;
  audit::AuditLog audit_;
  FakeTokens tokens_;
  std::vector<std::unique_ptr<graph::Graph>> node_graphs_;
};

}  // namespace broker::notify::testing
