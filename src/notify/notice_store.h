#pragma once

// The expiry notices Broker has decided to send, one row per (token jti, threshold in days,
// recipient user id): the table `expiry_notice`. That primary key is the "send once" promise:
// a node claims a notice by inserting its row (INSERT ... ON CONFLICT DO NOTHING) and only the
// node whose insert went through sends it, so a second run of the job or a second node racing
// the first finds the row and sends nothing.
//
// A claimed row carries a lease (`lease_until`): until then nobody else may attempt it. A send
// that fails (or a node that dies mid-send) leaves the row unsent; once its lease has passed,
// any node takes it again with a compare-and-set UPDATE on (attempts, lease_until), so exactly
// one retry runs at a time.
//
// States: pending (claimed, not yet sent), sent (handed to the SMTP server), logged (no SMTP
// server configured: written to the log), failed (last attempt failed, a retry is due at
// lease_until), gave-up (no more attempts: too many failures, or the user has no address),
// no-recipients (the owning teams have nobody to tell; kept so the warning is audited once).
//
// Times are Unix milliseconds. Thread-safety: NoticeStore holds only a Database reference and
// may be shared by all threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::notify {

inline constexpr std::string_view kStatePending = "pending";
inline constexpr std::string_view kStateSent = "sent";
inline constexpr std::string_view kStateLogged = "logged";
inline constexpr std::string_view kStateFailed = "failed";
inline constexpr std::string_view kStateGaveUp = "gave-up";
inline constexpr std::string_view kStateNoRecipients = "no-recipients";

struct NoticeKey {
  std::string jti;
  int64_t days = 0;
  std::string recipient_user_id;  // "" for the no-recipients marker
};

struct Notice {
  NoticeKey key;
  std::string account_id;
  std::string client_id;
  std::string template_name;
  std::string recipient_name;
  std::string recipient_email;
  std::string role;  // the team role that made them a recipient: lead-developer, ...
  std::string state{kStatePending};
  int64_t attempts = 0;
  std::string last_error;  // public message of the last failure
  UnixMillis created_at = 0;
  std::optional<UnixMillis> sent_at;
  UnixMillis lease_until = 0;
  std::string node;               // the node that claimed or last attempted it
  Json context = Json::object();  // the template values (names and dates; never a secret)
};

// What /v1/health reports.
struct NoticeSummary {
  int64_t waiting = 0;  // pending or failed: a send is still to come
  int64_t failed = 0;   // of those, the last attempt failed
  int64_t gave_up = 0;
  std::string last_error;  // of the most recent failure, "" if none
};

class NoticeStore {
 public:
  explicit NoticeStore(store::Database& db) : db_(db) {}

  // Creates the table (component "notify").
  static Status Migrate(store::Database& db);

  // Inserts `notice` in the caller's transaction unless a row with its key exists. Returns true
  // if this call inserted it (the caller now owns the first attempt). Store errors.
  static Result<bool> Claim(store::Session& session, const Notice& notice);

  // Takes an unsent row whose lease has passed: bumps attempts and sets a new lease, only if
  // nobody else did since `seen` was read. True if this caller now owns the attempt.
  Result<bool> TakeForRetry(const Notice& seen, UnixMillis now, UnixMillis lease_until,
                            std::string_view node);
  // Unsent rows (pending or failed) whose lease ended at or before `now`, oldest first.
  Result<std::vector<Notice>> Due(UnixMillis now, int64_t limit);

  Status MarkSent(const NoticeKey& key, std::string_view state, UnixMillis now);
  // Records a failed attempt: state failed with a retry at `retry_at`, or gave-up when
  // `retry_at` is nullopt.
  Status MarkFailed(const NoticeKey& key, std::string_view error,
                    std::optional<UnixMillis> retry_at);

  // The account's notices, newest threshold first (then by recipient name).
  Result<std::vector<Notice>> ListForAccount(std::string_view account_id);
  // Every notice of one token, for tests and the CLI.
  Result<std::vector<Notice>> ListForToken(std::string_view jti);

  Result<NoticeSummary> Summarize();

 private:
  Result<std::vector<Notice>> Select(std::string_view where,
                                     const std::vector<store::Value>& params);

  store::Database& db_;
};

}  // namespace broker::notify
