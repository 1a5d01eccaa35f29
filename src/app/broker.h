#pragma once

// The composition root: builds every module from the configuration and wires them together.
// The CLI commands and the server share one `Broker`, so `broker token generate` and
// `POST /v1/collection/broker-account/:id/token` run the same code on the same data.
//
// Not thread-safe to construct; once built, the modules it holds are thread-safe.

#include <atomic>
#include <memory>
#include <string>

#include "accounts/access_rules.h"
#include "accounts/bearer.h"
#include "accounts/high_water_clock.h"
#include "accounts/last_use.h"
#include "accounts/lookup.h"
#include "accounts/registry.h"
#include "api/auth/session_auth.h"
#include "api/health/health_api.h"
#include "api/token/token_api.h"
#include "app/cluster.h"
#include "app/config.h"
#include "app/graph_directories.h"
#include "audit/audit_log.h"
#include "audit/batch_writer.h"
#include "audit/shipper.h"
#include "graph/graph.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "intentions/provision.h"
#include "intentions/service.h"
#include "jobs/runner.h"
#include "jwt/jwt.h"
#include "notify/notifier.h"
#include "secrets/local_tools_store.h"
#include "secrets/outbox.h"
#include "secrets/sealer.h"
#include "secrets/vault_client.h"
#include "secrets/vault_tools_store.h"
#include "store/database.h"
#include "sync/github_client.h"
#include "sync/targets.h"
#include "users/credentials.h"
#include "users/http_client.h"
#include "users/oidc.h"
#include "users/password.h"
#include "users/sessions.h"
#include "users/web_policy.h"

namespace broker::app {

class GraphEventHub;

class Broker {
 public:
  // Opens the data directory (created with mode 0700), the database (migrated), the signing
  // keys (created on first start for the embedded default), the graph and every service.
  // InvalidArgument for bad settings; Unavailable when the database or data directory cannot be
  // used.
  static Result<std::unique_ptr<Broker>> Open(const Config& config);
  ~Broker();

  // Runs the HTTP server until SIGINT or SIGTERM, with the background jobs.
  Status Serve(const std::string& executable_path);

  // Imports the demo graph and sets the demo users' passwords; returns the logins to print.
  Result<std::vector<std::pair<std::string, std::string>>> LoadDemo();

  const Config& config() const { return config_; }
  store::Database& db() { return *db_; }
  graph::Graph& graph() { return *graph_; }
  const jwt::KeySet& keys() const { return *keys_; }
  accounts::TokenRegistry& registry() { return *registry_; }
  accounts::TokenLookup& lookup() { return *lookup_; }
  accounts::AccessRules& access_rules() { return *access_rules_; }
  GraphAccountDirectory& account_directory() { return *account_directory_; }
  GraphUserDirectory& user_directory() { return *user_directory_; }
  users::CredentialStore& credentials() { return *credentials_; }
  secrets::ToolsStore& tools_store() { return *tools_store_; }
  secrets::Outbox& outbox() { return *outbox_; }
  const Clock& clock() const { return clock_; }
  // The background jobs (registered by Init, started by Serve). Other modules add theirs with
  // jobs().Add(...) before Serve; CLI commands may RunNow() them.
  jobs::Runner& jobs() { return *jobs_; }
  notify::Notifier& notifier() { return *notifier_; }
  http::Metrics& metrics() { return metrics_; }

  // The user that CLI commands act as: a local administrator named "cli" (operators on the
  // host are trusted, as they can read the database anyway).
  api::UserPrincipal CliOperator() const;

 private:
  explicit Broker(Config config);
  Status Init();
  Status OpenKeys();
  Status OpenToolsStore();
  Status OpenGithubSync();
  void OpenIntentions();
  Status TokenStillAccepted(std::string_view jti);
  void WireTokenDistribution();
  Status EnqueueDeliveries(store::Session& session, const accounts::IssuedToken& issued);
  Status PrepareSignIn();
  void BuildRouter(http::Router& router, const std::string& web_root);
  void AddGraphRoutes(http::Router& router);
  void RegisterHealthChecks();
  // Background jobs, metrics, cluster events and shutdown (operations.cc).
  void OpenOperations();
  // Expiry notices: notifier, jobs, health entry and routes (notices.cc).
  Status OpenNotifier();
  void AddNoticeJobs();
  void AddNoticeRoutes(http::Router& router);
  void AddJobs();
  void DeclareMetrics();
  void CountRequest(const http::RequestRecord& record);
  void InstrumentAuth();
  void RegisterOperationsHealth();
  void StartCluster();
  void PublishGraphEvent(std::string_view event, const Json& payload);
  void AddMetricsRoute(http::Router& router);
  void ShutDown(http::Server& server);

  Config config_;
  accounts::HighWaterClock clock_;
  Random& random_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<const jwt::KeySet> keys_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<audit::BatchWriter> auth_audit_;
  std::unique_ptr<audit::FileShipper> audit_shipper_;
  std::unique_ptr<graph::Graph> graph_;
  std::unique_ptr<GraphAccountDirectory> account_directory_;
  std::unique_ptr<GraphUserDirectory> user_directory_;
  std::unique_ptr<users::PasswordHasher> hasher_;
  std::unique_ptr<users::CredentialStore> credentials_;
  std::unique_ptr<users::SessionStore> sessions_;
  std::unique_ptr<accounts::TokenRegistry> registry_;
  std::unique_ptr<accounts::AccessRules> access_rules_;
  std::unique_ptr<accounts::LastUseTracker> last_use_;
  std::unique_ptr<accounts::BearerAuthenticator> bearer_;
  std::unique_ptr<accounts::TokenLookup> lookup_;
  std::unique_ptr<secrets::Sealer> sealer_;
  std::unique_ptr<secrets::VaultClient> vault_client_;
  std::unique_ptr<secrets::VaultTokenManager> vault_tokens_;
  std::unique_ptr<secrets::ToolsStore> tools_store_;
  std::unique_ptr<secrets::ToolsStoreDestination> vault_destination_;
  std::unique_ptr<secrets::Outbox> outbox_;
  std::unique_ptr<sync::GithubClient> github_;  // null unless GITHUB_SYNC_* are set
  std::unique_ptr<sync::GithubDestination> github_destination_;
  std::unique_ptr<sync::GithubSyncExpander> github_sync_;
  std::unique_ptr<intentions::IntentionService> intentions_;
  std::unique_ptr<intentions::Provisioner> provisioner_;
  std::unique_ptr<notify::Mailer> mailer_;
  std::unique_ptr<notify::Notifier> notifier_;
  std::unique_ptr<users::RateLimiter> login_limiter_;
  std::unique_ptr<users::CurlHttpClient> oidc_http_;
  std::unique_ptr<users::OidcClient> oidc_;
  std::unique_ptr<api::auth::SessionAuthenticator> session_auth_;
  api::Auth auth_;
  api::HealthRegistry health_;
  api::token::TokenEventHub token_events_;
  std::unique_ptr<GraphEventHub> graph_events_;
  // Operations (operations.cc). Declared last so the job runner stops first on destruction.
  http::Metrics metrics_;
  std::atomic<bool> draining_{false};
  std::unique_ptr<ClusterEvents> cluster_;
  std::unique_ptr<jobs::Leader> leader_;
  std::unique_ptr<jobs::Runner> jobs_;
};

}  // namespace broker::app
