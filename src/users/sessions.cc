#include "users/sessions.h"

namespace broker::users {

namespace {

constexpr size_t kSessionIdBytes = 32;  // 256 bits

std::string IdHash(const SecretString& id) { return Sha256Hex(id.RevealForUse()); }

// The CSRF token is derived from the session id rather than stored, so that no database dump
// holds a usable token (SECURITY.md 3.6). Without the id it cannot be computed.
std::string CsrfTokenFor(const SecretString& id) {
  return HmacSha256Hex(id.RevealForUse(), "broker-csrf-token-v1");
}

}  // namespace

SessionStore::SessionStore(store::Database& db, const Clock& clock, Random& random,
                           SessionPolicy policy)
    : db_(db), clock_(clock), random_(random), policy_(policy) {}

Result<NewSession> SessionStore::Create(const SessionSubject& subject) {
  SecretString id(random_.Base64UrlToken(kSessionIdBytes));
  std::string csrf = CsrfTokenFor(id);
  NewSession session{std::move(id), std::move(csrf)};
  UnixMillis now = clock_.NowMillis();
  auto result = db_.Execute(
      "INSERT INTO user_sessions (id_hash, user_id, username, admin, created_at, last_seen_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {IdHash(session.id), subject.user_id, subject.username, int64_t{subject.admin ? 1 : 0}, now,
       now});
  if (!result.ok()) return std::move(result).error();
  return session;
}

bool SessionStore::Expired(const SessionRecord& record, UnixMillis now) const {
  return now >= record.last_seen_at + policy_.idle_seconds * 1000 ||
         now >= record.created_at + policy_.absolute_seconds * 1000;
}

Result<SessionRecord> SessionStore::Resolve(const SecretString& id) {
  if (id.empty()) return Unauthenticated();
  std::string hash = IdHash(id);
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rows,
                          db_.Execute("SELECT user_id, username, admin, created_at, last_seen_at "
                                      "FROM user_sessions WHERE id_hash = $1",
                                      {hash}));
  if (rows.empty()) return Unauthenticated("Unauthorized", "unknown session");
  const store::Row& row = rows.rows[0];
  SessionRecord record{
      {row.Text(0), row.Text(1), row.Int(2) != 0}, CsrfTokenFor(id), row.Int(3), row.Int(4)};
  UnixMillis now = clock_.NowMillis();
  if (Expired(record, now)) {
    BROKER_RETURN_IF_ERROR(Delete(id));
    return Unauthenticated("Unauthorized", "session expired");
  }
  if (now - record.last_seen_at >= policy_.touch_interval_seconds * 1000) {
    auto touched =
        db_.Execute("UPDATE user_sessions SET last_seen_at = $1 WHERE id_hash = $2", {now, hash});
    if (!touched.ok()) return std::move(touched).error();
    record.last_seen_at = now;
  }
  return record;
}

Status SessionStore::Delete(const SecretString& id) {
  auto result = db_.Execute("DELETE FROM user_sessions WHERE id_hash = $1", {IdHash(id)});
  if (!result.ok()) return std::move(result).error();
  return OkStatus();
}

Status SessionStore::DeleteForUser(std::string_view username) {
  auto result =
      db_.Execute("DELETE FROM user_sessions WHERE username = $1", {std::string(username)});
  if (!result.ok()) return std::move(result).error();
  return OkStatus();
}

Result<int64_t> SessionStore::PurgeExpired() {
  UnixMillis now = clock_.NowMillis();
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rows,
      db_.Execute("DELETE FROM user_sessions WHERE last_seen_at <= $1 OR created_at <= $2",
                  {now - policy_.idle_seconds * 1000, now - policy_.absolute_seconds * 1000}));
  return rows.affected_rows;
}

}  // namespace broker::users
