#include "app/broker.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "api/auth/auth_api.h"
#include "api/graph/graph_routes.h"
#include "api/intention/intention_routes.h"
#include "api/provision/provision_routes.h"
#include "api/secrets/secrets_api.h"
#include "graph/traversals.h"
#include "http/server.h"
#include "http/static_files.h"
#include "intentions/store.h"
#include "secrets/distribution.h"
#include "secrets/tools_path.h"
#include "sync/targets.h"
#include "users/schema.h"
#include "users/web_policy.h"

namespace broker::app {

// The open `/v1/graph/events` streams. Thread-safe.
class GraphEventHub {
 public:
  void Add(std::shared_ptr<http::EventSink> sink) {
    const std::lock_guard lock(mutex_);
    sinks_.push_back(std::move(sink));
  }
  void Publish(std::string_view event, const Json& payload) {
    const std::string data = Json{{"event", event}, {"data", payload}}.dump();
    const std::lock_guard lock(mutex_);
    std::erase_if(sinks_, [&](const auto& sink) { return !sink->Send(event, data); });
  }

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<http::EventSink>> sinks_;
};

namespace {

namespace fs = std::filesystem;

Status EnsurePrivateDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Unavailable("Cannot create the data directory " + dir, ec.message());
  // The directory holds the signing key and the database: nobody else may list it.
  if (chmod(dir.c_str(), 0700) != 0) return Unavailable("Cannot set permissions on " + dir);
  return OkStatus();
}

api::ComponentHealth DatabaseHealth(store::Database& db) {
  const Status ping = db.Ping();
  if (ping.ok()) return {};
  return {api::HealthState::kDown, ping.error().message()};
}

// Blocks SIGINT and SIGTERM in this thread and every thread it starts, so the main thread can
// wait for them with sigwait instead of handling them asynchronously.
// GITHUB_SYNC_PRIVATE_KEY holds the PEM itself or the path of a PEM file.
Result<SecretString> ReadPemSetting(const SecretString& setting) {
  if (setting.RevealForUse().starts_with("-----BEGIN")) return setting;
  std::ifstream in(setting.RevealForUse());
  if (!in) return InvalidArgument("GITHUB_SYNC_PRIVATE_KEY is not a PEM key or readable file");
  std::stringstream text;
  text << in.rdbuf();
  return SecretString(text.str());
}

// A renewal by API distributes like the account's last manual generation; a manual generation
// records its own choice for the renewals that follow it.
Result<secrets::DistributionChoice> DistributionFor(store::Session& session,
                                                    const accounts::IssuedToken& issued,
                                                    UnixMillis now) {
  if (issued.renewal) {
    BROKER_ASSIGN_OR_RETURN(const auto remembered,
                            secrets::RememberedDistribution(session, issued.account.id));
    return remembered.value_or(secrets::DistributionChoice{});
  }
  const secrets::DistributionChoice choice{issued.options.patch, issued.options.sync_secrets};
  BROKER_RETURN_IF_ERROR(secrets::RememberDistribution(session, issued.account.id, choice, now));
  return choice;
}

sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The tools-space delivery of `issued` (generation `gen`) to `target`.
secrets::DeliveryRequest TokenDelivery(const accounts::IssuedToken& issued, int64_t gen,
                                       std::string target) {
  return {.kind = secrets::DeliveryKind::kVault,
          .target = std::move(target),
          .key = "broker-jwt:" + issued.account.client_id,
          .value = issued.token,
          .generation = gen,
          .account_id = issued.account.id,
          .jti = issued.claims.jti,
          .then_github = {}};
}

}  // namespace

Broker::Broker(Config config)
    : config_(std::move(config)), clock_(SystemClock::Instance()), random_(OsRandom::Instance()) {}

Broker::~Broker() = default;

Result<std::unique_ptr<Broker>> Broker::Open(const Config& config) {
  BROKER_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<Broker> broker(new Broker(config));
  BROKER_RETURN_IF_ERROR(broker->Init());
  return broker;
}

Status Broker::Init() {
  BROKER_RETURN_IF_ERROR(EnsurePrivateDirectory(config_.data_dir));
  BROKER_ASSIGN_OR_RETURN(db_, store::Open(config_.DatabaseUrl()));
  BROKER_RETURN_IF_ERROR(audit::AuditLog::Migrate(*db_));
  BROKER_RETURN_IF_ERROR(users::MigrateUsers(*db_));
  BROKER_RETURN_IF_ERROR(accounts::TokenRegistry::Migrate(*db_));
  BROKER_RETURN_IF_ERROR(secrets::MigrateSecrets(*db_));
  BROKER_RETURN_IF_ERROR(clock_.Load(*db_));
  BROKER_RETURN_IF_ERROR(OpenKeys());

  audit_ = std::make_unique<audit::AuditLog>(audit::DetectServiceInfo(""), clock_);
  graph_ = std::make_unique<graph::Graph>(*db_, clock_, random_);
  BROKER_RETURN_IF_ERROR(graph_->Init());
  account_directory_ = std::make_unique<GraphAccountDirectory>(*graph_);
  user_directory_ = std::make_unique<GraphUserDirectory>(*graph_);

  hasher_ = std::make_unique<users::PasswordHasher>();
  credentials_ = std::make_unique<users::CredentialStore>(*db_, clock_, *hasher_);
  sessions_ = std::make_unique<users::SessionStore>(*db_, clock_, random_);

  accounts::RegistryOptions registry_options;
  registry_options.grace_seconds = config_.token_grace_period_seconds;
  registry_ = std::make_unique<accounts::TokenRegistry>(*db_, *account_directory_, *keys_, *audit_,
                                                        clock_, random_, registry_options);
  access_rules_ = std::make_unique<accounts::AccessRules>(*db_, *audit_, clock_, random_);
  last_use_ = std::make_unique<accounts::LastUseTracker>(*db_);
  auth_audit_ = std::make_unique<audit::BatchWriter>(*db_, *audit_);
  bearer_ = std::make_unique<accounts::BearerAuthenticator>(
      *keys_, *registry_, *account_directory_, last_use_.get(), auth_audit_.get(), clock_);
  lookup_ =
      std::make_unique<accounts::TokenLookup>(*registry_, *account_directory_, *keys_, clock_);

  BROKER_RETURN_IF_ERROR(OpenToolsStore());
  WireTokenDistribution();
  BROKER_RETURN_IF_ERROR(intentions::MigrateIntentions(*db_));
  OpenIntentions();
  OpenOperations();
  BROKER_RETURN_IF_ERROR(OpenNotifier());
  return OkStatus();
}

Status Broker::OpenKeys() {
  if (config_.jwt_keys || config_.jwt_secret) {
    BROKER_ASSIGN_OR_RETURN(keys_, jwt::KeySet::FromConfig(config_.jwt_keys, config_.jwt_secret));
  } else {
    BROKER_ASSIGN_OR_RETURN(keys_, jwt::KeySet::LoadOrCreateInDataDir(config_.data_dir));
  }
  return OkStatus();
}

Status Broker::OpenToolsStore() {
  BROKER_ASSIGN_OR_RETURN(sealer_, secrets::Sealer::OpenKeyFile(
                                       (fs::path(config_.data_dir) / "tools-store.key").string()));
  if (config_.vault.address.empty()) {
    tools_store_ = std::make_unique<secrets::LocalToolsStore>(*db_, *sealer_, clock_);
  } else {
    secrets::VaultConfig vault;
    vault.addr = config_.vault.address;
    vault.token = *config_.vault.token;
    vault_client_ = std::make_unique<secrets::VaultClient>(std::move(vault));
    vault_tokens_ = std::make_unique<secrets::VaultTokenManager>(*vault_client_, clock_);
    tools_store_ = std::make_unique<secrets::VaultToolsStore>(*vault_client_);
  }
  secrets::OutboxOptions outbox_options;
  outbox_options.initial_backoff_ms = config_.outbox_retry_ms;
  outbox_options.max_backoff_ms = config_.outbox_max_retry_ms;
  outbox_ = std::make_unique<secrets::Outbox>(*db_, *sealer_, clock_, random_, outbox_options);
  graph_events_ = std::make_unique<GraphEventHub>();
  vault_destination_ = std::make_unique<secrets::ToolsStoreDestination>(*tools_store_);
  outbox_->SetDestination(secrets::DeliveryKind::kVault, vault_destination_.get());
  return OpenGithubSync();
}

// GitHub sync is on when both GITHUB_SYNC_CLIENT_ID and GITHUB_SYNC_PRIVATE_KEY are set (the
// reference's requirement of its GITHUB_SYNC_SECRETS queue).
Status Broker::OpenGithubSync() {
  if (config_.github_client_id.empty() || !config_.github_private_key) return OkStatus();
  BROKER_RETURN_IF_ERROR(sync::ManagedRepo("", config_.github_managed_url_regex));
  BROKER_ASSIGN_OR_RETURN(SecretString pem, ReadPemSetting(*config_.github_private_key));
  sync::GithubConfig github;
  github.api_url = config_.github_api_url;
  github.client_id = config_.github_client_id;
  github.private_key = std::move(pem);
  BROKER_ASSIGN_OR_RETURN(github_, sync::GithubClient::Create(std::move(github), clock_));
  github_destination_ = std::make_unique<sync::GithubDestination>(*github_);
  outbox_->SetDestination(secrets::DeliveryKind::kGithub, github_destination_.get());
  github_sync_ = std::make_unique<sync::GithubSyncExpander>(*tools_store_, *graph_);
  outbox_->SetExpander(secrets::DeliveryKind::kGithubSync, github_sync_.get());
  return OkStatus();
}

void Broker::OpenIntentions() {
  intentions::IntentionDeps deps;
  deps.db = db_.get();
  deps.graph = graph_.get();
  deps.audit = audit_.get();
  deps.clock = &clock_;
  deps.random = &random_;
  deps.token_still_valid = [this](std::string_view jti) { return TokenStillAccepted(jti); };
  intentions_ = std::make_unique<intentions::IntentionService>(deps);
  if (vault_client_) {
    intentions::ProvisionOptions options;
    options.approle_mount = config_.vault.approle_path;
    provisioner_ = std::make_unique<intentions::Provisioner>(*intentions_, *vault_client_, options);
  }
}

// Provisioning refuses intentions whose opening token was revoked or blocked since: a revoke
// must stop automation that is already mid-intention, not only new intentions.
Status Broker::TokenStillAccepted(std::string_view jti) {
  BROKER_ASSIGN_OR_RETURN(const auto row, registry_->Find(jti));
  if (!row || !accounts::IsAccepted(accounts::StateAt(*row, clock_.NowSeconds()))) {
    return PermissionDenied("The account token that opened this intention is no longer valid");
  }
  return OkStatus();
}

void Broker::WireTokenDistribution() {
  registry_->SetPreCommitHook([this](store::Session& session, const accounts::IssuedToken& issued) {
    return EnqueueDeliveries(session, issued);
  });
  registry_->SetChangeListener(
      [this](const std::string& client_id) { cluster_->TokenChanged(client_id); });
}

// Runs inside the token's issuing transaction: the outbox rows commit with the token, so a
// token that exists is always eventually delivered, and one that was rolled back never is.
Status Broker::EnqueueDeliveries(store::Session& session, const accounts::IssuedToken& issued) {
  BROKER_ASSIGN_OR_RETURN(const secrets::DistributionChoice choice,
                          DistributionFor(session, issued, clock_.NowMillis()));
  if (!choice.patch) return OkStatus();
  BROKER_ASSIGN_OR_RETURN(const auto path_template,
                          secrets::ToolsPathTemplate::Parse(config_.vault.tools_path_template));
  BROKER_ASSIGN_OR_RETURN(
      const store::ResultSet generation,
      session.Execute("SELECT generation FROM account_lock WHERE account_id = $1",
                      {issued.account.id}));
  const int64_t gen = generation.empty() ? 0 : generation.rows[0].Int(0);
  const auto snapshot = graph_->snapshot();
  const graph::AccountServices services =
      graph::ServicesForAccount(*snapshot, issued.account.vertex_id);
  // A service without exactly one project has no tools path; the deliveries list says so.
  for (const graph::Vertex* orphan : services.without_unique_project) {
    spdlog::warn("token {} not delivered to service {}: it has no unique project",
                 issued.claims.jti, orphan->name);
    BROKER_RETURN_IF_ERROR(outbox_->RecordSkipped(
        session, TokenDelivery(issued, gen, "service:" + orphan->name),
        "Service " + orphan->name +
            " is not the component of exactly one project, so it has no tools path"));
  }
  for (const graph::ProjectService& bound : services.bound) {
    BROKER_ASSIGN_OR_RETURN(std::string path,
                            path_template.Render(bound.project->name, bound.service->name));
    secrets::DeliveryRequest request = TokenDelivery(issued, gen, std::move(path));
    // GitHub receives the token only once it is in the tools space (outbox follow-ups).
    if (choice.sync_secrets && github_) {
      BROKER_ASSIGN_OR_RETURN(
          request.then_github,
          sync::SyncedRepositoriesOf(*snapshot, *bound.service, config_.github_managed_url_regex));
    }
    BROKER_RETURN_IF_ERROR(outbox_->Enqueue(session, request));
  }
  return OkStatus();
}

api::UserPrincipal Broker::CliOperator() const {
  return {.user_id = "cli",
          .vertex_id = "",
          .username = "cli",
          .name = "broker CLI",
          .email = "",
          .admin = true,
          .csrf_token = ""};
}

Result<std::vector<std::pair<std::string, std::string>>> Broker::LoadDemo() {
  const fs::path demo = fs::path(BROKER_SOURCE_DIR) / "data/demo.json";
  std::ifstream in(demo);
  if (!in) return NotFound("Demo data not found at " + demo.string());
  std::stringstream text;
  text << in.rdbuf();
  BROKER_ASSIGN_OR_RETURN(const Json file, ParseStrictJson(text.str()));
  BROKER_ASSIGN_OR_RETURN(const graph::ImportReport report, graph_->Import(file));
  std::vector<std::pair<std::string, std::string>> logins;
  for (const graph::ImportedUser& user : report.users) {
    BROKER_RETURN_IF_ERROR(credentials_->SetAdmin(user.username, user.admin));
    if (!user.password) continue;
    BROKER_RETURN_IF_ERROR(credentials_->SetPassword(user.username, *user.password));
    logins.emplace_back(user.username, user.password->RevealForUse());
  }
  return logins;
}

void Broker::RegisterHealthChecks() {
  health_.Add("database", true, [this] { return DatabaseHealth(*db_); });
  health_.Add("audit", false, [this] {
    const audit::BatchWriterStats stats = auth_audit_->stats();
    if (stats.overflows == 0 && stats.failed == 0) return api::ComponentHealth{};
    return api::ComponentHealth{api::HealthState::kDegraded,
                                std::to_string(stats.overflows) + " queue overflows, " +
                                    std::to_string(stats.failed) + " failed writes"};
  });
  health_.Add("toolsStore", false, [this] {
    if (!vault_tokens_) return api::ComponentHealth{api::HealthState::kUp, "local encrypted store"};
    const secrets::Health vault = vault_tokens_->health();
    if (vault.state == secrets::HealthState::kOk)
      return api::ComponentHealth{api::HealthState::kUp, "vault"};
    return api::ComponentHealth{api::HealthState::kDegraded, vault.reason};
  });
}

Status Broker::PrepareSignIn() {
  // SECURITY.md 3.4: 20 login attempts a minute per client address.
  login_limiter_ = std::make_unique<users::RateLimiter>(20, std::chrono::seconds(60));
  api::auth::WebConfig web;
  web.secure_cookies = config_.secure_cookies;
  web.origin.allowed_origin = config_.public_url;
  session_auth_ =
      std::make_unique<api::auth::SessionAuthenticator>(*sessions_, *user_directory_, web);
  BROKER_ASSIGN_OR_RETURN(
      const auto oidc_config, users::OidcConfigFromEnv([](std::string_view name) {
        const char* value = std::getenv(std::string(name).c_str());
        return value == nullptr ? std::nullopt : std::optional<std::string>(value);
      }));
  if (oidc_config) {
    oidc_http_ = std::make_unique<users::CurlHttpClient>();
    oidc_ = std::make_unique<users::OidcClient>(*oidc_config, *db_, *oidc_http_, clock_, random_);
  }
  auth_.require_user = [this](const http::Request& request) {
    return session_auth_->RequireUser(request);
  };
  auth_.require_account = api::token::RequireAccount(*bearer_);
  InstrumentAuth();
  return OkStatus();
}

void Broker::BuildRouter(http::Router& router, const std::string& web_root) {
  api::RegisterHealthRoutes(router, health_);
  api::auth::AddAuthRoutes(router, {.credentials = *credentials_,
                                    .sessions = *sessions_,
                                    .directory = *user_directory_,
                                    .login_limiter = *login_limiter_,
                                    .authenticator = *session_auth_,
                                    .oidc = oidc_.get(),
                                    .on_event = nullptr});
  api::token::AddTokenRoutes(router, {.auth = auth_,
                                      .registry = registry_.get(),
                                      .directory = account_directory_.get(),
                                      .lookup = lookup_.get(),
                                      .keys = keys_.get(),
                                      .events = &token_events_,
                                      .clock = &clock_});
  api::secrets_api::AddSecretsRoutes(
      router, {.auth = auth_,
               .outbox = outbox_.get(),
               .account_exists = [this](std::string_view id) -> Status {
                 BROKER_RETURN_IF_ERROR(account_directory_->FindById(id));
                 return OkStatus();
               },
               .sync = {.graph = graph_.get(),
                        .db = db_.get(),
                        .tools_path_template = config_.vault.tools_path_template,
                        .managed_url_regex = config_.github_managed_url_regex,
                        .github_enabled = github_ != nullptr}});
  AddGraphRoutes(router);
  AddNoticeRoutes(router);
  api::RegisterIntentionRoutes(router, *intentions_, auth_);
  if (provisioner_) api::RegisterProvisionRoutes(router, *provisioner_);
  if (!web_root.empty()) router.SetFallback(http::StaticFiles({.root = web_root}));
}

void Broker::PublishGraphEvent(std::string_view event, const Json& payload) {
  graph_events_->Publish(event, payload);
}

void Broker::AddGraphRoutes(http::Router& router) {
  api::RegisterGraphRoutes(router, *graph_, auth_);
  router.AddStream("/v1/graph/events",
                   [this](const http::Request& request,
                          std::shared_ptr<http::EventSink> sink) -> std::optional<http::Response> {
                     auto user = auth_.require_user(request);
                     if (!user.ok() && request.Header("authorization")) {
                       auto account = auth_.require_account(request);
                       if (!account.ok()) return http::Response::FromError(account.error());
                     } else if (!user.ok()) {
                       return http::Response::FromError(user.error());
                     }
                     graph_events_->Add(std::move(sink));
                     return std::nullopt;
                   });
}

Status Broker::Serve(const std::string& executable_path) {
  const sigset_t signals = BlockShutdownSignals();
  BROKER_ASSIGN_OR_RETURN(const auto endpoint, config_.ListenEndpoint());
  const std::string web_root = config_.ResolveWebRoot(executable_path);
  RegisterHealthChecks();
  RegisterOperationsHealth();
  BROKER_RETURN_IF_ERROR(PrepareSignIn());
  http::Router router;
  BuildRouter(router, web_root);
  AddMetricsRoute(router);

  http::ServerOptions options;
  options.listen_address = endpoint.first;
  options.port = endpoint.second;
  options.threads = config_.threads;
  options.max_body_bytes = static_cast<size_t>(config_.max_body_bytes);
  options.on_response = [this](const http::RequestRecord& record) { CountRequest(record); };
  http::Server server(options, router);
  StartCluster();
  BROKER_RETURN_IF_ERROR(server.Start());
  audit::ShipperOptions shipping;
  shipping.directory = (fs::path(config_.data_dir) / "audit").string();
  audit_shipper_ = std::make_unique<audit::FileShipper>(*db_, clock_, shipping);
  auth_audit_->Start();
  audit_shipper_->Start();
  last_use_->Start();
  if (vault_tokens_) {
    if (Status started = vault_tokens_->Start(); !started.ok()) {
      spdlog::warn("Vault token look-up failed, will retry: {}", started.error().ToString());
    }
  }
  jobs_->Start();
  spdlog::info("Broker listening on http://{}:{} (database {}, web UI {})", endpoint.first,
               server.port(), db_->Describe(), web_root.empty() ? "not found" : web_root);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("signal {} received, shutting down", signal_number);
  ShutDown(server);
  return OkStatus();
}

}  // namespace broker::app
