// The operational side of the composition root: background jobs (run once per cluster through
// the job runner's leader election), cross-node change events, metrics, the health entries
// that go with them, and graceful shutdown.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "app/broker.h"

namespace broker::app {
namespace {

using std::chrono::seconds;

constexpr std::string_view kRequests = "broker_http_requests_total";
constexpr std::string_view kAuth = "broker_authentications_total";
constexpr std::string_view kIssued = "broker_tokens_issued_total";
constexpr std::string_view kPending = "broker_deliveries_pending";
constexpr std::string_view kJobRuns = "broker_job_runs_total";
constexpr std::string_view kJobFailures = "broker_job_failures_total";
constexpr std::string_view kLeader = "broker_jobs_leader";
constexpr std::string_view kLeaderTerms = "broker_jobs_leader_terms_total";
constexpr std::string_view kEventsSent = "broker_cluster_events_sent_total";
constexpr std::string_view kEventsReceived = "broker_cluster_events_received_total";
constexpr std::string_view kReloads = "broker_graph_reloads_total";

std::string_view Outcome(const Error* error) {
  if (error == nullptr) return "ok";
  switch (error->code()) {
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "denied";
    default:
      return "error";
  }
}

// Token issues are counted where they are answered: a 2xx from the generate or renew route.
std::optional<std::string_view> IssueKind(const http::RequestRecord& record) {
  if (record.method != "POST" || record.status < 200 || record.status > 299) return std::nullopt;
  if (record.route == "/v1/collection/broker-account/:id/token") return "generate";
  if (record.route == "/v1/collection/broker-account/renewal") return "renew";
  return std::nullopt;
}

// A job body's Status from a Result whose value the runner has no use for.
template <typename T>
Status Logged(Result<T> result) {
  if (!result.ok()) return std::move(result).error();
  return OkStatus();
}

}  // namespace

void Broker::OpenOperations() {
  cluster_ = std::make_unique<ClusterEvents>(*db_, random_.Uuid4());
  leader_ = jobs::LeaderFor(config_.DatabaseUrl());
  jobs::RunnerOptions options;
  // Leadership moves within a tick of the leader's death; keep it well under one interval.
  options.tick =
      std::chrono::milliseconds(std::min<int64_t>(1000, config_.job_interval_seconds * 500));
  jobs_ = std::make_unique<jobs::Runner>(*leader_, clock_, options);
  // Set here rather than with the routes so that CLI changes (import) reach serving nodes too.
  graph_->SetChangeListener([this](std::string_view event, const Json& payload) {
    cluster_->GraphChanged(event, payload);
  });
  DeclareMetrics();
  AddJobs();
}

void Broker::AddJobs() {
  const seconds interval(config_.job_interval_seconds);
  jobs_->Add("deliveries", seconds(1), [this] { return Logged(outbox_->RunDue()); });
  jobs_->Add("tokens.cleanup", interval,
             [this] { return Logged(registry_->CleanupExpired(clock_.NowSeconds())); });
  jobs_->Add("sessions.purge", interval, [this] { return Logged(sessions_->PurgeExpired()); });
  jobs_->Add("intentions.expire", interval, [this]() -> Status {
    BROKER_RETURN_IF_ERROR(Logged(intentions_->ExpireDue()));
    return Logged(intentions_->CleanupStale());
  });
  // Node-local: each node renews its own Vault token and persists its own clock mark.
  if (vault_tokens_) {
    jobs_->Add(
        "vault.token", interval, [this] { return vault_tokens_->Tick(); }, jobs::Scope::kEveryNode);
  }
  jobs_->Add(
      "clock.persist", seconds(1), [this] { return clock_.Persist(*db_); },
      jobs::Scope::kEveryNode);
}

void Broker::DeclareMetrics() {
  using http::MetricType;
  metrics_.Declare(std::string(kRequests), MetricType::kCounter,
                   "HTTP responses by method, route pattern and status.");
  metrics_.Declare(std::string(kAuth), MetricType::kCounter,
                   "Authentication checks by kind (bearer, session) and outcome.");
  metrics_.Declare(std::string(kIssued), MetricType::kCounter,
                   "Broker account tokens issued by this node, by kind (generate, renew).");
  metrics_.Declare(std::string(kPending), MetricType::kGauge,
                   "Deliveries waiting in the outbox (whole cluster), by kind.");
  metrics_.Declare(std::string(kJobRuns), MetricType::kCounter, "Job runs on this node.");
  metrics_.Declare(std::string(kJobFailures), MetricType::kCounter,
                   "Failed job runs on this node.");
  metrics_.Declare(std::string(kLeader), MetricType::kGauge,
                   "1 while this node holds the job leadership, else 0.");
  metrics_.Declare(std::string(kLeaderTerms), MetricType::kCounter,
                   "Times this node became the job leader.");
  metrics_.Declare(std::string(kEventsSent), MetricType::kCounter,
                   "Change notifications sent to the other nodes.");
  metrics_.Declare(std::string(kEventsReceived), MetricType::kCounter,
                   "Change notifications received from the other nodes.");
  metrics_.Declare(std::string(kReloads), MetricType::kCounter,
                   "Graph snapshot reloads after changes made on other nodes.");
  metrics_.AddCollector([this](http::Metrics& metrics) {
    for (const jobs::JobStatus& job : jobs_->Jobs()) {
      metrics.Set(kJobRuns, {{"job", job.name}}, static_cast<double>(job.runs));
      metrics.Set(kJobFailures, {{"job", job.name}}, static_cast<double>(job.failures));
    }
    metrics.Set(kLeader, {}, jobs_->IsLeader() ? 1 : 0);
    metrics.Set(kLeaderTerms, {}, static_cast<double>(jobs_->LeaderTerms()));
    const ClusterEventCounts counts = cluster_->counts();
    metrics.Set(kEventsSent, {}, static_cast<double>(counts.sent));
    metrics.Set(kEventsReceived, {}, static_cast<double>(counts.received));
    metrics.Set(kReloads, {}, static_cast<double>(counts.graph_reloads));
    auto pending = db_->Execute(
        "SELECT kind, COUNT(*) FROM secrets_outbox WHERE state = 'pending' GROUP BY kind");
    if (!pending.ok()) return;
    for (const store::Row& row : pending->rows) {
      metrics.Set(kPending, {{"kind", row.Text(0)}}, static_cast<double>(row.Int(1)));
    }
  });
}

void Broker::CountRequest(const http::RequestRecord& record) {
  metrics_.Increment(kRequests, {{"method", std::string(record.method)},
                                 {"route", std::string(record.route)},
                                 {"status", std::to_string(record.status)}});
  if (auto kind = IssueKind(record)) metrics_.Increment(kIssued, {{"kind", std::string(*kind)}});
}

void Broker::InstrumentAuth() {
  auto count = [this](std::string_view kind, const Error* error) {
    metrics_.Increment(kAuth,
                       {{"kind", std::string(kind)}, {"outcome", std::string(Outcome(error))}});
  };
  auth_.require_user = [inner = auth_.require_user, count](const http::Request& request) {
    auto user = inner(request);
    count("session", user.ok() ? nullptr : &user.error());
    return user;
  };
  auth_.require_account = [inner = auth_.require_account, count](const http::Request& request) {
    auto account = inner(request);
    count("bearer", account.ok() ? nullptr : &account.error());
    return account;
  };
}

void Broker::RegisterOperationsHealth() {
  // Readiness: a draining node must leave the load balancer before it stops answering.
  health_.Add("node", true, [this] {
    if (draining_.load()) return api::ComponentHealth{api::HealthState::kDown, "shutting down"};
    return api::ComponentHealth{api::HealthState::kUp, "node " + cluster_->node_id()};
  });
  health_.Add("jobs", false, [this] {
    const std::string role = jobs_->IsLeader() ? "leader" : "follower";
    std::string detail = role + " (" + leader_->Describe() + ")";
    int64_t failing = 0;
    for (const jobs::JobStatus& job : jobs_->Jobs()) failing += job.last_error.empty() ? 0 : 1;
    if (failing == 0) return api::ComponentHealth{api::HealthState::kUp, detail};
    return api::ComponentHealth{api::HealthState::kDegraded,
                                detail + "; " + std::to_string(failing) + " job(s) failing"};
  });
}

void Broker::StartCluster() {
  ClusterSinks sinks;
  sinks.on_token = [this](const std::string& client_id) { token_events_.Publish(client_id); };
  sinks.on_graph = [this](std::string_view event, const Json& payload) {
    PublishGraphEvent(event, payload);
  };
  sinks.reload_graph = [this] { return graph_->Reload(); };
  if (Status started = cluster_->Start(std::move(sinks)); !started.ok()) {
    spdlog::warn("cluster events unavailable, changes stay on this node: {}",
                 started.error().ToString());
  }
}

void Broker::AddMetricsRoute(http::Router& router) {
  router.Add(http::Method::kGet, "/v1/metrics", [this](const http::Request&) {
    http::Response response;
    response.status = 200;
    response.body = metrics_.Render();
    response.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return response;
  });
}

// Order matters: leave the load balancer, finish requests (which may issue tokens and write
// audit records), stop the jobs and hand leadership over, then flush what is buffered.
void Broker::ShutDown(http::Server& server) {
  draining_.store(true);
  server.Stop();
  jobs_->Stop();
  cluster_->Stop();
  last_use_->Stop();
  auth_audit_->Stop();
  audit_shipper_->Stop();
  (void)clock_.Persist(*db_);
  spdlog::info("shutdown complete");
}

}  // namespace broker::app
