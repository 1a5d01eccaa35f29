#pragma once
// Test helpers: an IntentionService over a fresh SQLite database with a small standard graph.
//
// Graph: users alice (lead-developer of platform), bob (developer of platform), erin
// (full-access of payments), hgoddard (domain idp, guid G-HGODDARD, full-access of platform);
// environments production (prod), test, development (dev), tools, with development promotes-to
// test promotes-to production; accounts ci-deployer (platform; authorized on project fluent),
// loose (requireProjectExists false, skipUserValidation), strict (requireServiceExists,
// authorized on project fluent) and guarded (requireRoleId, authorized on project fluent);
// project fluent with services fluent-bit and fluent-ui; service fluent-proxy (no project);
// fluent-bit -provision-token-> fluent-ui.
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "graph/test_util.h"
#include "intentions/service.h"

namespace broker::intentions::testing {

class IntentionEnv {
 public:
  // `url` empty: a new SQLite file; else a database URL (PostgreSQL).
  explicit IntentionEnv(std::string url = {});

  IntentionService& service() { return *service_; }
  graph::Graph& graph() { return fixture_.graph(); }
  store::Database& db() { return fixture_.db(); }
  FakeClock& clock() { return fixture_.clock(); }

  // The opener of a token of account `name` (jti "jti-<name>").
  Opener OpenerFor(const std::string& name);

  // Rows of the audit table whose event.action is `action`.
  int AuditCount(const std::string& action);

  // Every text column of every row of the intention tables, concatenated (for canary checks).
  std::string DumpIntentionTables();

  // Makes token_still_valid fail for `jti`.
  void Revoke(const std::string& jti) { revoked_ = jti; }

 private:
  graph::testing::GraphFixture fixture_;
  audit::AuditLog audit_;
  std::string revoked_;
  std::unique_ptr<IntentionService> service_;
};

// {"event":{provider, reason}, "actions":[action], "user":{"name":"hgoddard@idp"}}.
Json IntentionBody(const Json& action);

// A backup action of fluent-bit/fluent in production with token/self.
Json BackupAction(const std::string& id = "backup");

}  // namespace broker::intentions::testing
