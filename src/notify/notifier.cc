#include "notify/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "audit/record.h"
#include "core/secret.h"
#include "core/time_format.h"
#include "notify/recipients.h"

namespace broker::notify {
namespace {

constexpr int64_t kMaxRetryDelaySeconds = int64_t{6} * 3600;
constexpr int64_t kRetryBatch = 100;

std::string DocText(const graph::Vertex& vertex, const char* field) {
  const auto it = vertex.doc.find(field);
  return it != vertex.doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string DaysText(int64_t days) { return std::to_string(days) + (days == 1 ? " day" : " days"); }

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

audit::AuthFields ClaimsOf(const ExpiringToken& token) {
  audit::AuthFields claims;
  claims.client_id = token.client_id;
  claims.jti = token.jti;
  claims.exp = token.exp;
  claims.iat = token.iat;
  claims.nbf = token.iat;
  claims.sub = token.sub;
  return claims;
}

Json WarningRecord(const Notice& first, const ExpiringToken& token, size_t recipients) {
  Json record = audit::TokenExpiryWarning(
      {first.context.value("accountName", std::string()), token.client_id}, ClaimsOf(token));
  record["labels"]["days_until_expiration"] = std::to_string(first.key.days);
  record["labels"]["notice_recipients"] = std::to_string(recipients);
  return record;
}

// The Message-ID: the same for every attempt at one notice, so a receiving server can drop a
// duplicate if a send succeeded but was recorded as failed.
std::string MessageId(const NoticeKey& key) {
  return Sha256Hex(key.jti + "\n" + std::to_string(key.days) + "\n" + key.recipient_user_id)
             .substr(0, 32) +
         "@broker";
}

int64_t RetryDelay(const NotifierOptions& options, int64_t attempts) {
  int64_t delay = options.retry_base_seconds;
  for (int64_t i = 1; i < attempts && delay < kMaxRetryDelaySeconds; ++i) delay *= 2;
  return std::min(delay, kMaxRetryDelaySeconds);
}

TemplateValues ValuesOf(const Notice& notice) {
  TemplateValues values;
  for (const auto& [name, value] : notice.context.items()) {
    if (value.is_string()) values[name] = value.get<std::string>();
  }
  values["recipientName"] =
      notice.recipient_name.empty() ? notice.recipient_email : notice.recipient_name;
  return values;
}

}  // namespace

bool IsThreshold(const NotifierOptions& options, int64_t days) {
  return std::find(options.thresholds.begin(), options.thresholds.end(), days) !=
         options.thresholds.end();
}

std::string DisplayTime(UnixSeconds seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char month[16];
  std::strftime(month, sizeof month, "%B", &tm);
  char clock[8];
  std::strftime(clock, sizeof clock, "%H:%M", &tm);
  return std::string(month) + " " + std::to_string(tm.tm_mday) + ", " +
         std::to_string(tm.tm_year + 1900) + ", " + clock + " UTC";
}

Json NoticeToJson(const Notice& notice) {
  Json out = {{"jti", notice.key.jti},
              {"days", notice.key.days},
              {"template", notice.template_name},
              {"state", notice.state},
              {"attempts", notice.attempts},
              {"createdAt", FormatIso8601(notice.created_at)}};
  if (!notice.key.recipient_user_id.empty()) {
    out["recipient"] = {{"id", notice.key.recipient_user_id},
                        {"name", notice.recipient_name},
                        {"email", notice.recipient_email},
                        {"role", notice.role}};
  } else {
    out["recipient"] = nullptr;
  }
  if (!notice.last_error.empty()) out["lastError"] = notice.last_error;
  if (notice.sent_at) out["sentAt"] = FormatIso8601(*notice.sent_at);
  return out;
}

Notifier::Notifier(NotifierDeps deps, NotifierOptions options)
    : deps_(std::move(deps)), options_(std::move(options)), store_(*deps_.db) {}

Result<RunReport> Notifier::Run(UnixSeconds now) {
  RunReport report;
  // floor((exp - now) / day) <= 7  <=>  exp < now + 8 days.
  BROKER_ASSIGN_OR_RETURN(const std::vector<ExpiringToken> tokens,
                          deps_.tokens(now, now + 8 * kDaySeconds - 1));
  const auto snapshot = deps_.graph->snapshot();
  for (const ExpiringToken& token : tokens) {
    const int64_t days = (token.exp - now) / kDaySeconds;
    if (token.exp <= now || !IsThreshold(options_, days)) continue;
    ++report.tokens_due;
    BROKER_ASSIGN_OR_RETURN(std::vector<Notice> claimed, Claim(*snapshot, token, days, now));
    report.claimed += static_cast<int64_t>(claimed.size());
    for (Notice& notice : claimed) Deliver(notice, now, report);
  }
  RetryInto(now, report);
  return report;
}

Status Notifier::RunOnce(UnixSeconds now) {
  auto report = Run(now);
  const std::lock_guard lock(mutex_);
  last_run_ = now;
  last_run_error_ = report.ok() ? "" : report.error().message();
  if (!report.ok()) return std::move(report).error();
  const bool news = report->claimed + report->failed + report->retried > 0;
  spdlog::log(
      news ? spdlog::level::info : spdlog::level::debug,
      "expiry notices: {} tokens at a threshold, {} claimed, {} sent, {} failed, {} retried",
      report->tokens_due, report->claimed, report->sent, report->failed, report->retried);
  return OkStatus();
}

Result<RunReport> Notifier::RetryDue(UnixSeconds now) {
  RunReport report;
  RetryInto(now, report);
  return report;
}

Result<std::vector<Notice>> Notifier::ListForAccount(std::string_view account_id) {
  return store_.ListForAccount(account_id);
}

Result<std::vector<Notice>> Notifier::ListForToken(std::string_view jti) {
  return store_.ListForToken(jti);
}

Result<NotifierHealth> Notifier::Health() {
  NotifierHealth health;
  BROKER_ASSIGN_OR_RETURN(health.notices, store_.Summarize());
  health.transport = std::string(deps_.mailer->kind());
  const std::lock_guard lock(mutex_);
  health.last_run = last_run_;
  health.last_run_error = last_run_error_;
  return health;
}

// Inserts the token's notice rows and, if any row is new, the audit record, in one transaction.
// Returns the rows this call inserted.
Result<std::vector<Notice>> Notifier::Claim(const graph::Snapshot& snapshot,
                                            const ExpiringToken& token, int64_t days,
                                            UnixSeconds now) {
  const graph::Vertex* account = snapshot.FindByObjectId(token.account_id);
  if (account == nullptr || account->collection != "brokerAccount") return std::vector<Notice>();
  const std::vector<Notice> planned = Plan(snapshot, *account, token, days, now);
  std::vector<Notice> claimed;
  const Status committed =
      deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
        claimed.clear();  // the body may run again after a serialization failure
        for (const Notice& notice : planned) {
          BROKER_ASSIGN_OR_RETURN(const bool mine, NoticeStore::Claim(session, notice));
          if (mine) claimed.push_back(notice);
        }
        if (claimed.empty()) return OkStatus();
        const size_t people = planned.front().key.recipient_user_id.empty() ? 0 : planned.size();
        BROKER_RETURN_IF_ERROR(deps_.audit->AppendInTransaction(
            session, WarningRecord(planned.front(), token, people)));
        return OkStatus();
      });
  if (!committed.ok()) return committed.error();
  return claimed;
}

// The rows to claim for one token at one threshold: one per recipient, or one marker row when
// the owning teams have nobody to tell.
std::vector<Notice> Notifier::Plan(const graph::Snapshot& snapshot, const graph::Vertex& account,
                                   const ExpiringToken& token, int64_t days,
                                   UnixSeconds now) const {
  Notice base;
  base.key = {token.jti, days, ""};
  base.account_id = token.account_id;
  base.client_id = token.client_id;
  base.attempts = 1;
  base.created_at = now * 1000;
  base.lease_until = (now + options_.lease_seconds) * 1000;
  base.node = options_.node;
  base.context = Context(account, token, days);
  const std::vector<Recipient> recipients = RecipientsFor(snapshot, account.id, days == 7);
  if (recipients.empty()) {
    base.state = std::string(kStateNoRecipients);
    base.attempts = 0;
    return {base};
  }
  std::vector<Notice> out;
  for (const Recipient& recipient : recipients) {
    Notice notice = base;
    notice.key.recipient_user_id = recipient.user_id;
    notice.recipient_name = recipient.name;
    notice.recipient_email = recipient.email;
    notice.role = recipient.role;
    notice.template_name = std::string(recipient.role == "owner" ? kOwnerTemplate : kAlertTemplate);
    out.push_back(std::move(notice));
  }
  return out;
}

Json Notifier::Context(const graph::Vertex& account, const ExpiringToken& token,
                       int64_t days) const {
  const std::string name =
      DocText(account, "name").empty() ? account.name : DocText(account, "name");
  return Json{{"accountName", name},
              {"clientId", token.client_id},
              {"collectionId", token.account_id},
              {"jti", token.jti},
              {"daysUntilExpiration", std::to_string(days)},
              {"daysText", DaysText(days)},
              {"expirationDisplay", DisplayTime(token.exp)},
              {"expirationIso", FormatIso8601(token.exp * 1000)},
              {"lastUsedDisplay", token.last_used_at ? DisplayTime(*token.last_used_at / 1000)
                                                     : std::string("Never used")},
              {"tokenUrl", TrimSlash(options_.public_url) + "/browse/brokerAccount/" +
                               token.account_id + "/token"}};
}

void Notifier::Deliver(Notice& notice, UnixSeconds now, RunReport& report) {
  if (notice.state == kStateNoRecipients) {
    spdlog::warn("token {} expires in {} days but no team member can be told", notice.key.jti,
                 notice.key.days);
    return;
  }
  const Status sent = Attempt(notice);
  if (!sent.ok()) {
    ++report.failed;
    RecordFailure(notice, sent.error(), now);
    return;
  }
  ++report.sent;
  const std::string_view state = deps_.mailer->kind() == "log" ? kStateLogged : kStateSent;
  if (Status marked = store_.MarkSent(notice.key, state, now * 1000); !marked.ok()) {
    // The e-mail went out; the row stays claimed and will be retried after its lease. The
    // stable Message-ID lets the receiving side recognise the duplicate.
    spdlog::warn("notice for token {} sent but not recorded: {}", notice.key.jti,
                 marked.error().ToString());
  }
}

Status Notifier::Attempt(const Notice& notice) {
  if (!IsPlainAddress(notice.recipient_email)) {
    return FailedPrecondition("The user has no usable e-mail address");
  }
  BROKER_ASSIGN_OR_RETURN(const RenderedMail mail,
                          deps_.templates.Render(notice.template_name, ValuesOf(notice)));
  MailMessage message{.from = options_.from,
                      .to = notice.recipient_email,
                      .to_name = notice.recipient_name,
                      .subject = mail.subject,
                      .body = mail.body,
                      .message_id = MessageId(notice.key)};
  return deps_.mailer->Send(message);
}

// Unavailable (the server) is retried with backoff; anything else (no address, a broken
// template) will not get better by itself, so the notice gives up at once.
void Notifier::RecordFailure(const Notice& notice, const Error& error, UnixSeconds now) {
  std::optional<UnixMillis> retry_at;
  if (error.code() == ErrorCode::kUnavailable && notice.attempts < options_.max_attempts) {
    retry_at = (now + RetryDelay(options_, notice.attempts)) * 1000;
  }
  spdlog::warn("expiry notice for token {} ({} days) to user {} failed (attempt {}): {}",
               notice.key.jti, notice.key.days, notice.key.recipient_user_id, notice.attempts,
               error.ToString());
  if (Status marked = store_.MarkFailed(notice.key, error.message(), retry_at); !marked.ok()) {
    spdlog::warn("could not record the failed notice: {}", marked.error().ToString());
  }
}

void Notifier::RetryInto(UnixSeconds now, RunReport& report) {
  auto due = store_.Due(now * 1000, kRetryBatch);
  if (!due.ok()) {
    spdlog::warn("expiry notice retries not read: {}", due.error().ToString());
    return;
  }
  for (Notice& notice : *due) {
    auto taken = store_.TakeForRetry(notice, now * 1000, (now + options_.lease_seconds) * 1000,
                                     options_.node);
    if (!taken.ok() || !*taken) continue;  // another node took it, or the store is down
    ++notice.attempts;
    ++report.retried;
    Deliver(notice, now, report);
  }
}

}  // namespace broker::notify
