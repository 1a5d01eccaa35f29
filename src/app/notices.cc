// Expiry notices in the composition root: the notifier over the token registry and the graph,
// its jobs, its /v1/health entry and its routes (see docs/notify.md).

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "api/notify/notify_api.h"
#include "app/broker.h"

namespace broker::app {
namespace {

// The registry's active tokens (not blocked, not in their grace period) expiring in the window.
Result<std::vector<notify::ExpiringToken>> ActiveTokensExpiring(store::Database& db,
                                                                UnixSeconds now,
                                                                UnixSeconds until) {
  std::vector<accounts::TokenRow> rows;
  const Status read = db.Transact(store::TxMode::kRead, [&](store::Session& session) -> Status {
    auto selected = accounts::SelectRows(
        session, "state = 'active' AND exp > $1 AND exp <= $2 ORDER BY exp", {now, until});
    if (!selected.ok()) return std::move(selected).error();
    rows = std::move(*selected);
    return OkStatus();
  });
  if (!read.ok()) return read.error();
  std::vector<notify::ExpiringToken> tokens;
  for (const accounts::TokenRow& row : rows) {
    if (accounts::StateAt(row, now) != accounts::TokenState::kActive) continue;
    tokens.push_back({.jti = row.jti,
                      .account_id = row.account_id,
                      .client_id = row.client_id,
                      .sub = row.sub,
                      .exp = row.exp,
                      .iat = row.iat,
                      .last_used_at = row.last_used_at});
  }
  return tokens;
}

std::string NodeName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

api::ComponentHealth NoticeHealth(notify::Notifier& notifier) {
  auto health = notifier.Health();
  if (!health.ok()) return {api::HealthState::kDegraded, health.error().message()};
  const notify::NoticeSummary& n = health->notices;
  if (n.failed > 0 || n.gave_up > 0) {
    return {api::HealthState::kDegraded,
            std::to_string(n.failed) + " notices failed and will be retried, " +
                std::to_string(n.gave_up) + " gave up; last error: " + n.last_error};
  }
  if (!health->last_run_error.empty()) {
    return {api::HealthState::kDegraded, "last run failed: " + health->last_run_error};
  }
  const std::string transport =
      health->transport == "log" ? "SMTP not configured, notices are logged" : "SMTP";
  return {api::HealthState::kUp, transport + ", " + std::to_string(n.waiting) + " waiting"};
}

}  // namespace

Status Broker::OpenNotifier() {
  BROKER_RETURN_IF_ERROR(notify::Notifier::Migrate(*db_));
  const std::string template_dir =
      config_.notice_template_dir.empty()
          ? (std::filesystem::path(config_.data_dir) / "templates").string()
          : config_.notice_template_dir;
  BROKER_ASSIGN_OR_RETURN(notify::TemplateSet templates, notify::TemplateSet::Load(template_dir));
  if (config_.smtp.host.empty() || config_.smtp.from.empty()) {
    mailer_ = std::make_unique<notify::LogMailer>();
  } else {
    mailer_ = std::make_unique<notify::SmtpMailer>(notify::SmtpOptions{
        .host = config_.smtp.host, .port = config_.smtp.port, .secure = config_.smtp.secure});
  }
  notify::NotifierDeps deps{
      .db = db_.get(),
      .graph = graph_.get(),
      .audit = audit_.get(),
      .tokens = [this](UnixSeconds now,
                       UnixSeconds until) { return ActiveTokensExpiring(*db_, now, until); },
      .mailer = mailer_.get(),
      .templates = std::move(templates)};
  notify::NotifierOptions options;
  options.from = config_.smtp.from;
  options.public_url = config_.public_url.empty() ? "http://" + config_.listen : config_.public_url;
  options.node = NodeName();
  notifier_ = std::make_unique<notify::Notifier>(std::move(deps), std::move(options));
  AddNoticeJobs();
  return OkStatus();
}

void Broker::AddNoticeJobs() {
  using std::chrono::seconds;
  jobs_->Add("notify.expiry", seconds(config_.notice_interval_seconds),
             [this] { return notifier_->RunOnce(clock_.NowSeconds()); });
  jobs_->Add("notify.retry", seconds(config_.job_interval_seconds), [this]() -> Status {
    auto retried = notifier_->RetryDue(clock_.NowSeconds());
    if (!retried.ok()) return std::move(retried).error();
    return OkStatus();
  });
  health_.Add("notices", false, [this] { return NoticeHealth(*notifier_); });
}

void Broker::AddNoticeRoutes(http::Router& router) {
  api::notify_api::AddNoticeRoutes(router,
                                   {.auth = auth_,
                                    .notifier = notifier_.get(),
                                    .clock = &clock_,
                                    .account_exists = [this](std::string_view id) -> Status {
                                      auto found = account_directory_->FindById(id);
                                      if (!found.ok()) return std::move(found).error();
                                      return OkStatus();
                                    }});
}

}  // namespace broker::app
