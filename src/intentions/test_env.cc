#include "intentions/test_env.h"

#include <stdexcept>

namespace broker::intentions::testing {
namespace {

Json Seed() {
  return Json::parse(R"({
    "collections": {
      "user": [
        {"username": "alice", "name": "Alice Ng", "email": "alice@example.com"},
        {"username": "bob", "name": "Bob Li", "email": "bob@example.com"},
        {"username": "erin", "name": "Erin Hall", "email": "erin@example.com"}],
      "environment": [
        {"name": "production", "short": "prod", "title": "Production", "position": 0, "aliases": ["prd"],
         "changeRoles": ["full-access", "prod-operator"]},
        {"name": "test", "short": "test", "title": "Test", "position": 1, "changeRoles": ["full-access", "lead-developer", "developer"]},
        {"name": "development", "short": "dev", "title": "Development", "position": 2,
         "changeRoles": ["full-access", "lead-developer", "developer"]},
        {"name": "tools", "short": "tools", "title": "Tools", "position": 3,
         "changeRoles": ["full-access", "lead-developer", "developer"]}],
      "team": [{"name": "platform", "email": "platform@example.com"},
               {"name": "payments", "email": "payments@example.com"}],
      "brokerAccount": [
        {"name": "ci-deployer", "email": "ci@example.com",
         "clientId": "6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f", "requireProjectExists": true},
        {"name": "loose", "email": "loose@example.com",
         "clientId": "1d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f", "requireProjectExists": false,
         "skipUserValidation": true},
        {"name": "strict", "email": "strict@example.com",
         "clientId": "2d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f", "requireProjectExists": true,
         "requireServiceExists": true},
        {"name": "guarded", "email": "guarded@example.com",
         "clientId": "3d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f", "requireProjectExists": true,
         "requireRoleId": true}],
      "project": [{"name": "fluent"}],
      "service": [{"name": "fluent-bit"}, {"name": "fluent-ui"}, {"name": "fluent-proxy"}]
    },
    "edges": [
      {"name": "lead-developer", "source": "user/alice", "target": "team/platform"},
      {"name": "developer", "source": "user/bob", "target": "team/platform"},
      {"name": "full-access", "source": "user/erin", "target": "team/payments"},
      {"name": "owns", "source": "team/platform", "target": "brokerAccount/ci-deployer"},
      {"name": "owns", "source": "team/platform", "target": "brokerAccount/strict"},
      {"name": "owns", "source": "team/platform", "target": "brokerAccount/guarded"},
      {"name": "authorized", "source": "brokerAccount/ci-deployer", "target": "project/fluent"},
      {"name": "authorized", "source": "brokerAccount/strict", "target": "project/fluent"},
      {"name": "authorized", "source": "brokerAccount/guarded", "target": "project/fluent"},
      {"name": "component", "source": "project/fluent", "target": "service/fluent-bit"},
      {"name": "component", "source": "project/fluent", "target": "service/fluent-ui"},
      {"name": "provision-token", "source": "service/fluent-bit", "target": "service/fluent-ui"},
      {"name": "promotes-to", "source": "environment/development", "target": "environment/test"},
      {"name": "promotes-to", "source": "environment/test", "target": "environment/production"}
    ]
  })");
}

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().ToString());
  return std::move(result).value();
}

void Must(const Status& status) {
  if (!status.ok()) throw std::runtime_error(status.error().ToString());
}

}  // namespace

IntentionEnv::IntentionEnv(std::string url)
    : fixture_(std::move(url)), audit_(audit::ServiceInfo{}, fixture_.clock()) {
  Must(audit::AuditLog::Migrate(fixture_.db()));
  Must(MigrateIntentions(fixture_.db()));
  (void)Must(fixture_.graph().Import(Seed()));
  auto hgoddard = Must(fixture_.graph().UpsertUser(
      {"hgoddard", "Henry Goddard", "hgoddard@example.com", "idp", "G-HGODDARD"}));
  const graph::Vertex* platform = fixture_.graph().snapshot()->FindByKey("team", "platform");
  (void)Must(fixture_.graph().AddEdge("full-access", hgoddard.id, platform->id));
  IntentionDeps deps{&fixture_.db(),
                     &fixture_.graph(),
                     &audit_,
                     &fixture_.clock(),
                     &OsRandom::Instance(),
                     [this](std::string_view jti) -> Status {
                       if (jti == revoked_) return PermissionDenied("revoked");
                       return OkStatus();
                     }};
  IntentionOptions options;
  options.audit_url_template = "https://audit.example/{id}";
  service_ = std::make_unique<IntentionService>(deps, options);
}

Opener IntentionEnv::OpenerFor(const std::string& name) {
  const graph::Vertex* account = fixture_.graph().snapshot()->FindByKey("brokerAccount", name);
  Opener opener;
  if (account != nullptr) {
    opener.account_id = account->object_id;
    opener.vertex_id = account->id;
    opener.client_id = account->doc.value("clientId", "");
    opener.sub = account->doc.value("email", "");
  }
  opener.jti = "jti-" + name;
  opener.exp = fixture_.clock().NowSeconds() + 86400;
  return opener;
}

int IntentionEnv::AuditCount(const std::string& action) {
  int count = 0;
  Must(fixture_.db().Transact(store::TxMode::kRead, [&](store::Session& session) -> Status {
    auto rows = session.Execute("SELECT record FROM audit_log");
    if (!rows.ok()) return std::move(rows).error();
    for (const auto& row : rows->rows) {
      Json record = Json::parse(row.Text(0));
      if (record["event"]["action"] == action) ++count;
    }
    return OkStatus();
  }));
  return count;
}

std::string IntentionEnv::DumpIntentionTables() {
  std::string dump;
  for (const char* table : {"intentions", "intention_actions", "audit_log"}) {
    auto rows = Must(fixture_.db().Execute(std::string("SELECT * FROM ") + table));
    for (const auto& row : rows.rows) {
      for (size_t i = 0; i < row.size(); ++i) dump += row.Text(i) + "\n";
    }
  }
  return dump;
}

Json IntentionBody(const Json& action) {
  return {{"event", {{"provider", "test-pipeline"}, {"reason", "Nightly job"}}},
          {"actions", Json::array({action})},
          {"user", {{"name", "hgoddard@idp"}}}};
}

Json BackupAction(const std::string& id) {
  return {
      {"action", "backup"},
      {"id", id},
      {"provision", {"token/self"}},
      {"service", {{"name", "fluent-bit"}, {"project", "fluent"}, {"environment", "production"}}}};
}

}  // namespace broker::intentions::testing
