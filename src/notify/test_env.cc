#include "notify/test_env.h"

namespace broker::notify::testing {
namespace {

void Check(const Status& status) {
  if (!status.ok()) throw std::runtime_error(status.error().ToString());
}

}  // namespace

NotifyEnv::NotifyEnv(std::string url)
    : graph_(std::move(url)), audit_(audit::ServiceInfo{}, graph_.clock()) {
  Check(audit::AuditLog::Migrate(graph_.db()));
  Check(Notifier::Migrate(graph_.db()));
  auto imported = graph_.graph().Import(graph::testing::SampleImport());
  if (!imported.ok()) throw std::runtime_error(imported.error().ToString());
}

std::unique_ptr<Notifier> NotifyEnv::NewNode(Mailer& mailer, std::string node,
                                             TemplateSet templates) {
  node_graphs_.push_back(graph_.OpenAnother());
  NotifierDeps deps;
  deps.db = &graph_.db();
  deps.graph = node_graphs_.back().get();
  deps.audit = &audit_;
  deps.tokens = tokens_.Source();
  deps.mailer = &mailer;
  deps.templates = std::move(templates);
  NotifierOptions options;
  options.from = "broker@example.com";
  options.public_url = "https://broker.example.com/";
  options.node = std::move(node);
  return std::make_unique<Notifier>(std::move(deps), std::move(options));
}

std::string NotifyEnv::AccountId(const std::string& name) {
  const graph::Vertex* vertex = graph_.snap()->FindByKey("brokerAccount", name);
  return vertex == nullptr ? "" : vertex->object_id;
}

int64_t NotifyEnv::ExpiryAuditRecords() {
  auto rows = graph_.db().Execute("SELECT record FROM audit_log");
  if (!rows.ok()) throw std::runtime_error(rows.error().ToString());
  int64_t n = 0;
  for (const store::Row& row : rows->rows) {
    const Json record = Json::parse(row.Text(0));
    if (record["event"]["action"] == "token-generation" && record["event"]["type"] == "info") ++n;
  }
  return n;
}

}  // namespace broker::notify::testing
