#include "graph/test_util.h"

namespace broker::graph::testing {

GraphFixture::GraphFixture(std::string url) {
  if (url.empty()) url = "sqlite:" + dir_.File("graph.db");
  auto opened = store::Open(url);
  if (!opened.ok()) throw std::runtime_error(opened.error().ToString());
  db_ = std::move(opened).value();
  graph_ = std::make_unique<Graph>(*db_, clock_, OsRandom::Instance());
  const Status init = graph_->Init();
  if (!init.ok()) throw std::runtime_error(init.error().ToString());
}

std::unique_ptr<Graph> GraphFixture::OpenAnother() {
  auto other = std::make_unique<Graph>(*db_, clock_, OsRandom::Instance());
  const Status init = other->Init();
  if (!init.ok()) throw std::runtime_error(init.error().ToString());
  return other;
}

Vertex GraphFixture::Add(const std::string& collection, const Json& data) {
  auto added = graph_->AddVertex({collection, data, Json::object(), {}});
  if (!added.ok()) throw std::runtime_error(added.error().ToString());
  return *added;
}

Edge GraphFixture::Link(const std::string& name, const Vertex& source, const Vertex& target) {
  auto added = graph_->AddEdge(name, source.id, target.id);
  if (!added.ok()) throw std::runtime_error(added.error().ToString());
  return *added;
}

std::string GraphFixture::Id(const std::string& collection, const std::string& key) {
  const Vertex* vertex = graph_->snapshot()->FindByKey(collection, key);
  return vertex == nullptr ? "" : vertex->id;
}

Json SampleImport() {
  return Json::parse(R"({
    "users": [
      {"username": "alice", "name": "Alice Ng", "email": "alice@example.com",
       "password": "alice-pass", "admin": false},
      {"username": "bob", "name": "Bob Li", "email": "bob@example.com"},
      {"username": "carol", "name": "Carol Diaz", "email": "carol@example.com"},
      {"username": "erin", "name": "Erin Hall", "email": "erin@example.com", "admin": true}
    ],
    "collections": {
      "team": [{"name": "platform", "email": "platform@example.com"},
               {"name": "payments", "email": "payments@example.com"}],
      "brokerAccount": [
        {"name": "ci-deployer", "email": "ci@example.com",
         "clientId": "6d1c2b7e-1f3a-4c55-9a0e-3b2f1c4d5e6f"},
        {"name": "pay-bot", "email": "pay@example.com",
         "clientId": "0f9e8d7c-6b5a-4321-8fed-cba987654321"}],
      "project": [{"name": "fluent"}, {"name": "payments"}],
      "service": [{"name": "fluent-bit"}, {"name": "fluent-ui"}, {"name": "pay-api"}]
    },
    "edges": [
      {"name": "lead-developer", "source": "user/alice", "target": "team/platform"},
      {"name": "developer", "source": "user/bob", "target": "team/platform"},
      {"name": "owner", "source": "user/carol", "target": "team/platform"},
      {"name": "full-access", "source": "user/erin", "target": "team/payments"},
      {"name": "owns", "source": "team/platform", "target": "brokerAccount/ci-deployer"},
      {"name": "owns", "source": "team/payments", "target": "brokerAccount/pay-bot"},
      {"name": "authorized", "source": "brokerAccount/ci-deployer", "target": "project/fluent"},
      {"name": "authorized", "source": "brokerAccount/pay-bot", "target": "service/pay-api"},
      {"name": "component", "source": "project/fluent", "target": "service/fluent-bit"},
      {"name": "component", "source": "project/fluent", "target": "service/fluent-ui"},
      {"name": "component", "source": "project/payments", "target": "service/pay-api"}
    ]
  })");
}

}  // namespace broker::graph::testing
