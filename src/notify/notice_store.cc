#include "notify/notice_store.h"

namespace broker::notify {
namespace {

constexpr std::string_view kColumns =
    "jti, days, recipient_user_id, account_id, client_id, template, recipient_name, "
    "recipient_email, role, state, attempts, last_error, created_at, sent_at, lease_until, node, "
    "context";

const std::vector<store::Migration>& Steps() {
  static const std::vector<store::Migration> steps = {
      {1, "expiry notices, one per token, threshold and recipient",
       "CREATE TABLE expiry_notice (jti TEXT NOT NULL, days BIGINT NOT NULL, "
       "recipient_user_id TEXT NOT NULL, account_id TEXT NOT NULL, client_id TEXT NOT NULL, "
       "template TEXT NOT NULL, recipient_name TEXT NOT NULL, recipient_email TEXT NOT NULL, "
       "role TEXT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL, "
       "last_error TEXT NOT NULL, created_at BIGINT NOT NULL, sent_at BIGINT, "
       "lease_until BIGINT NOT NULL, node TEXT NOT NULL, context TEXT NOT NULL, "
       "PRIMARY KEY (jti, days, recipient_user_id));"
       "CREATE INDEX expiry_notice_account ON expiry_notice (account_id);"
       "CREATE INDEX expiry_notice_due ON expiry_notice (state, lease_until)",
       std::nullopt},
  };
  return steps;
}

Notice FromRow(const store::Row& row) {
  Notice n;
  n.key = {row.Text(0), row.Int(1), row.Text(2)};
  n.account_id = row.Text(3);
  n.client_id = row.Text(4);
  n.template_name = row.Text(5);
  n.recipient_name = row.Text(6);
  n.recipient_email = row.Text(7);
  n.role = row.Text(8);
  n.state = row.Text(9);
  n.attempts = row.Int(10);
  n.last_error = row.Text(11);
  n.created_at = row.Int(12);
  n.sent_at = row.OptInt(13);
  n.lease_until = row.Int(14);
  n.node = row.Text(15);
  auto context = ParseStrictJson(row.Text(16));
  if (context.ok()) n.context = std::move(*context);
  return n;
}

std::vector<store::Value> KeyParams(const NoticeKey& key) {
  return {key.jti, key.days, key.recipient_user_id};
}

}  // namespace

Status NoticeStore::Migrate(store::Database& db) { return store::Migrate(db, "notify", Steps()); }

Result<bool> NoticeStore::Claim(store::Session& session, const Notice& notice) {
  BROKER_ASSIGN_OR_RETURN(
      const store::ResultSet inserted,
      session.Execute(
          "INSERT INTO expiry_notice (" + std::string(kColumns) +
              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
              "$17) ON CONFLICT (jti, days, recipient_user_id) DO NOTHING RETURNING jti",
          {notice.key.jti, notice.key.days, notice.key.recipient_user_id, notice.account_id,
           notice.client_id, notice.template_name, notice.recipient_name, notice.recipient_email,
           notice.role, notice.state, notice.attempts, notice.last_error, notice.created_at,
           store::NullableInt(notice.sent_at), notice.lease_until, notice.node,
           notice.context.dump()}));
  return !inserted.empty();
}

Result<bool> NoticeStore::TakeForRetry(const Notice& seen, UnixMillis now, UnixMillis lease_until,
                                       std::string_view node) {
  std::vector<store::Value> params = KeyParams(seen.key);
  params.insert(params.end(), {seen.attempts, now, lease_until, std::string(node)});
  BROKER_ASSIGN_OR_RETURN(
      const store::ResultSet taken,
      db_.Execute("UPDATE expiry_notice SET attempts = attempts + 1, lease_until = $6, node = $7 "
                  "WHERE jti = $1 AND days = $2 AND recipient_user_id = $3 AND attempts = $4 "
                  "AND lease_until <= $5 AND state IN ('pending', 'failed')",
                  params));
  return taken.affected_rows == 1;
}

Result<std::vector<Notice>> NoticeStore::Due(UnixMillis now, int64_t limit) {
  return Select(
      "state IN ('pending', 'failed') AND lease_until <= $1 ORDER BY lease_until LIMIT $2",
      {now, limit});
}

Status NoticeStore::MarkSent(const NoticeKey& key, std::string_view state, UnixMillis now) {
  std::vector<store::Value> params = KeyParams(key);
  params.insert(params.end(), {std::string(state), now});
  BROKER_RETURN_IF_ERROR(
      db_.Execute("UPDATE expiry_notice SET state = $4, sent_at = $5, last_error = '' "
                  "WHERE jti = $1 AND days = $2 AND recipient_user_id = $3",
                  params));
  return OkStatus();
}

Status NoticeStore::MarkFailed(const NoticeKey& key, std::string_view error,
                               std::optional<UnixMillis> retry_at) {
  std::vector<store::Value> params = KeyParams(key);
  params.insert(params.end(), {std::string(retry_at ? kStateFailed : kStateGaveUp),
                               std::string(error), retry_at.value_or(0)});
  BROKER_RETURN_IF_ERROR(
      db_.Execute("UPDATE expiry_notice SET state = $4, last_error = $5, lease_until = $6 "
                  "WHERE jti = $1 AND days = $2 AND recipient_user_id = $3",
                  params));
  return OkStatus();
}

Result<std::vector<Notice>> NoticeStore::ListForAccount(std::string_view account_id) {
  return Select("account_id = $1 ORDER BY created_at DESC, days, recipient_name, jti",
                {std::string(account_id)});
}

Result<std::vector<Notice>> NoticeStore::ListForToken(std::string_view jti) {
  return Select("jti = $1 ORDER BY days DESC, recipient_user_id", {std::string(jti)});
}

Result<NoticeSummary> NoticeStore::Summarize() {
  BROKER_ASSIGN_OR_RETURN(
      const store::ResultSet counts,
      db_.Execute("SELECT state, COUNT(*) FROM expiry_notice WHERE state IN ('pending', 'failed', "
                  "'gave-up') GROUP BY state"));
  NoticeSummary summary;
  for (const store::Row& row : counts.rows) {
    const std::string state = row.Text(0);
    const int64_t n = row.Int(1);
    if (state == kStateGaveUp) {
      summary.gave_up = n;
    } else {
      summary.waiting += n;
      if (state == kStateFailed) summary.failed = n;
    }
  }
  BROKER_ASSIGN_OR_RETURN(
      const store::ResultSet last,
      db_.Execute("SELECT last_error FROM expiry_notice WHERE state IN ('failed', 'gave-up') "
                  "ORDER BY created_at DESC LIMIT 1"));
  if (!last.empty()) summary.last_error = last.rows[0].Text(0);
  return summary;
}

Result<std::vector<Notice>> NoticeStore::Select(std::string_view where,
                                                const std::vector<store::Value>& params) {
  BROKER_ASSIGN_OR_RETURN(const store::ResultSet rs,
                          db_.Execute("SELECT " + std::string(kColumns) +
                                          " FROM expiry_notice WHERE " + std::string(where),
                                      params));
  std::vector<Notice> out;
  out.reserve(rs.rows.size());
  for (const store::Row& row : rs.rows) out.push_back(FromRow(row));
  return out;
}

}  // namespace broker::notify
