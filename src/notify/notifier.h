#pragma once

// Expiry notices (PRODUCT.md rule 11, reference section 2.8): once a day, every active token
// whose expiry is 7, 3, 2 or 1 days away produces one e-mail to each lead-developer and
// full-access member of the teams that own its account, and to the teams' owners as well at 7
// days.
//
// "Days away" is floor((exp - now) / 86400), as in the reference, but the selection reaches
// 8 days ahead so that the 7-day notice can actually fire (reference section 15, item 2). A
// job that runs once a day therefore sees each token in each threshold exactly once; a
// threshold missed because no node ran that day is not sent late (the next one is).
//
// A run (RunOnce) does, for each token at a threshold:
//   1. claim one row per recipient in `expiry_notice` (see notice_store.h) and, in the same
//      transaction, append the audit record token-generation / info ("Token will expire soon
//      for ..."), only if this run claimed something: two runs or two nodes racing produce
//      one set of rows, one audit record and one e-mail per recipient;
//   2. send what it claimed;
// then retries the due failed sends (RetryDue, also run on its own more often).
// Tokens of deleted accounts are skipped. Only `active` tokens are considered: a token in its
// grace period has already been replaced.
//
// Thread-safety: a Notifier may be used from several threads and several processes at once.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"
#include "graph/graph.h"
#include "notify/mail.h"
#include "notify/notice_store.h"
#include "notify/templates.h"
#include "store/database.h"

namespace broker::notify {

inline constexpr int64_t kDaySeconds = 86400;

// A token the registry says is active, with what a notice names.
struct ExpiringToken {
  std::string jti;
  std::string account_id;
  std::string client_id;
  std::string sub;
  int64_t exp = 0;
  int64_t iat = 0;
  std::optional<UnixMillis> last_used_at;
};

// The active (not blocked, not in grace, not expired) tokens with now < exp <= until. Supplied
// by the application over the token registry.
using TokenSource =
    std::function<Result<std::vector<ExpiringToken>>(UnixSeconds now, UnixSeconds until)>;

struct NotifierOptions {
  std::string from;             // NOTIFICATION_EMAIL_FROM
  std::string public_url;       // base of the token page link, e.g. https://broker.example
  std::string node = "broker";  // names the claiming node in the notice rows
  std::vector<int64_t> thresholds = {7, 3, 2, 1};
  int64_t lease_seconds = 300;      // how long a claimed send is exclusive
  int64_t retry_base_seconds = 60;  // first retry delay; doubles per attempt, capped at 6 hours
  int64_t max_attempts = 8;
};

struct NotifierDeps {
  store::Database* db = nullptr;
  graph::Graph* graph = nullptr;
  const audit::AuditLog* audit = nullptr;
  TokenSource tokens;
  Mailer* mailer = nullptr;
  TemplateSet templates = TemplateSet::Defaults();
};

struct RunReport {
  int64_t tokens_due = 0;  // active tokens at a threshold
  int64_t claimed = 0;     // notice rows this run inserted (markers included)
  int64_t sent = 0;        // e-mails handed to the transport
  int64_t failed = 0;      // attempts that failed (will be retried or gave up)
  int64_t retried = 0;     // earlier notices attempted again
};

struct NotifierHealth {
  NoticeSummary notices;
  std::string transport;  // "smtp" or "log"
  std::optional<UnixSeconds> last_run;
  std::string last_run_error;
};

class Notifier {
 public:
  // The pointers in `deps` must outlive the Notifier.
  Notifier(NotifierDeps deps, NotifierOptions options);

  // Creates the notice table (component "notify").
  static Status Migrate(store::Database& db) { return NoticeStore::Migrate(db); }

  // One run as described above, at wall-clock time `now`. Errors are the token source's and the
  // store's (Unavailable, Aborted, Internal); failed sends are not errors (they are recorded
  // and retried).
  Result<RunReport> Run(UnixSeconds now);
  // Run, for the job runner.
  Status RunOnce(UnixSeconds now);
  // Attempts again the notices whose retry time has come. Store errors.
  Result<RunReport> RetryDue(UnixSeconds now);

  // The account's notices, newest first. Store errors.
  Result<std::vector<Notice>> ListForAccount(std::string_view account_id);
  Result<std::vector<Notice>> ListForToken(std::string_view jti);
  // For /v1/health. Store errors.
  Result<NotifierHealth> Health();

 private:
  Result<std::vector<Notice>> Claim(const graph::Snapshot& snapshot, const ExpiringToken& token,
                                    int64_t days, UnixSeconds now);
  std::vector<Notice> Plan(const graph::Snapshot& snapshot, const graph::Vertex& account,
                           const ExpiringToken& token, int64_t days, UnixSeconds now) const;
  Json Context(const graph::Vertex& account, const ExpiringToken& token, int64_t days) const;
  void Deliver(Notice& notice, UnixSeconds now, RunReport& report);
  Status Attempt(const Notice& notice);
  void RecordFailure(const Notice& notice, const Error& error, UnixSeconds now);
  void RetryInto(UnixSeconds now, RunReport& report);

  NotifierDeps deps_;
  NotifierOptions options_;
  NoticeStore store_;
  mutable std::mutex mutex_;  // guards the last-run fields
  std::optional<UnixSeconds> last_run_;
  std::string last_run_error_;
};

// Whether `days` is one of the thresholds.
bool IsThreshold(const NotifierOptions& options, int64_t days);

// A notice as the token page shows it: {jti, days, template, recipient {id, name, email, role},
// state, attempts, lastError?, createdAt, sentAt?}.
Json NoticeToJson(const Notice& notice);

// "December 10, 2026, 17:00 UTC".
std::string DisplayTime(UnixSeconds seconds);

}  // namespace broker::notify
