#include "users/credentials.h"

#include <algorithm>
#include <optional>

namespace broker::users {

namespace {

int64_t CeilSeconds(int64_t millis) { return millis <= 0 ? 0 : (millis + 999) / 1000; }

// The new counter value, as an SQL expression over the old row: restart at 1 when the last
// failure is older than the window ($2 = now - window).
constexpr char kNewFailures[] = "(CASE WHEN last_failure_at < $2 THEN 1 ELSE failures + 1 END)";

// UPDATE that counts one failure and sets the lock from the new counter value. The lock
// durations are integers from the policy, never input, so they are written into the SQL.
std::string BuildFailureSql(const LockoutPolicy& policy) {
  std::string lock = "CASE WHEN " + std::string(kNewFailures) + " < " +
                     std::to_string(policy.threshold) + " THEN locked_until";
  int64_t seconds = policy.base_lock_seconds;
  for (int64_t n = policy.threshold; seconds < policy.max_lock_seconds; ++n, seconds *= 2) {
    lock += " WHEN " + std::string(kNewFailures) + " = " + std::to_string(n) + " THEN $3 + " +
            std::to_string(seconds * 1000);
  }
  lock += " ELSE $4 + " + std::to_string(policy.max_lock_seconds * 1000) + " END";
  return "UPDATE user_credentials SET failures = " + std::string(kNewFailures) +
         ", locked_until = " + lock +
         ", last_failure_at = $5 WHERE username = $1 RETURNING failures, locked_until";
}

Status DeleteSessionsOf(store::Database& db, std::string_view username) {
  auto result =
      db.Execute("DELETE FROM user_sessions WHERE username = $1", {std::string(username)});
  if (!result.ok()) return std::move(result).error();
  return OkStatus();
}

}  // namespace

CredentialStore::CredentialStore(store::Database& db, const Clock& clock, PasswordHasher& hasher,
                                 LockoutPolicy policy)
    : db_(db),
      clock_(clock),
      hasher_(hasher),
      policy_(policy),
      failure_sql_(BuildFailureSql(policy)) {}

Status CredentialStore::SetPassword(std::string_view username, const SecretString& password) {
  if (username.empty()) return InvalidArgument("Username must not be empty");
  BROKER_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  auto result = db_.Execute(
      "INSERT INTO user_credentials (username, password_hash, updated_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, "
      "failures = 0, locked_until = 0, updated_at = excluded.updated_at",
      {std::string(username), hash, clock_.NowMillis()});
  if (!result.ok()) return std::move(result).error();
  return DeleteSessionsOf(db_, username);
}

Status CredentialStore::SetAdmin(std::string_view username, bool admin) {
  if (username.empty()) return InvalidArgument("Username must not be empty");
  auto result = db_.Execute(
      "INSERT INTO user_credentials (username, admin, updated_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (username) DO UPDATE SET admin = excluded.admin, "
      "updated_at = excluded.updated_at",
      {std::string(username), int64_t{admin ? 1 : 0}, clock_.NowMillis()});
  if (!result.ok()) return std::move(result).error();
  return DeleteSessionsOf(db_, username);
}

Result<bool> CredentialStore::IsAdmin(std::string_view username) {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rows,
                          db_.Execute("SELECT admin FROM user_credentials WHERE username = $1",
                                      {std::string(username)}));
  return !rows.empty() && rows.rows[0].Int(0) != 0;
}

Result<int64_t> CredentialStore::FailureCount(std::string_view username) {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rows,
                          db_.Execute("SELECT failures FROM user_credentials WHERE username = $1",
                                      {std::string(username)}));
  return rows.empty() ? int64_t{0} : rows.rows[0].Int(0);
}

Result<VerifyOutcome> CredentialStore::Verify(std::string_view username,
                                              const SecretString& password) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rows,
      db_.Execute("SELECT password_hash, admin, locked_until FROM user_credentials "
                  "WHERE username = $1",
                  {std::string(username)}));
  if (rows.empty() || rows.rows[0].Text(0).empty()) {
    hasher_.DummyVerify(password);
    return VerifyOutcome{};
  }
  const store::Row& row = rows.rows[0];
  UnixMillis now = clock_.NowMillis();
  // While locked the password is not even checked: every attempt counts as a failure.
  if (now < row.Int(2)) return RecordFailure(username, now, /*was_locked=*/true);
  if (!hasher_.Verify(row.Text(0), password)) {
    return RecordFailure(username, clock_.NowMillis(), /*was_locked=*/false);
  }
  now = clock_.NowMillis();
  BROKER_ASSIGN_OR_RETURN(bool cleared, ClearFailuresUnlessLocked(username, now));
  // A concurrent failure may have locked the account after we read it; the lock wins.
  if (!cleared) return RecordFailure(username, now, /*was_locked=*/true);
  return VerifyOutcome{LoginVerdict::kOk, row.Int(1) != 0, 0};
}

Result<VerifyOutcome> CredentialStore::RecordFailure(std::string_view username, UnixMillis now,
                                                     bool was_locked) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rows,
      db_.Execute(failure_sql_,
                  {std::string(username), now - policy_.window_seconds * 1000, now, now, now}));
  if (rows.empty()) return VerifyOutcome{};
  int64_t locked_until = rows.rows[0].Int(1);
  // The attempt that sets a lock is still answered as a plain failure; only attempts made
  // while a lock was already in force are told to wait.
  if (!was_locked || locked_until <= now) return VerifyOutcome{};
  return VerifyOutcome{LoginVerdict::kLocked, false, CeilSeconds(locked_until - now)};
}

Result<bool> CredentialStore::ClearFailuresUnlessLocked(std::string_view username, UnixMillis now) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rows,
      db_.Execute("UPDATE user_credentials SET failures = 0, locked_until = 0 "
                  "WHERE username = $1 AND locked_until <= $2 RETURNING username",
                  {std::string(username), now}));
  return !rows.empty();
}

Result<UserProfile> AddLocalUser(UserDirectory& directory, CredentialStore& credentials,
                                 const NewLocalUser& user) {
  if (user.username.empty()) return InvalidArgument("Username must not be empty");
  UserProfile profile;
  profile.username = user.username;
  profile.email = user.email;
  profile.name = user.name;
  BROKER_ASSIGN_OR_RETURN(UserProfile stored, directory.Upsert(profile));
  if (user.password.has_value()) {
    BROKER_RETURN_IF_ERROR(credentials.SetPassword(user.username, *user.password));
  }
  BROKER_RETURN_IF_ERROR(credentials.SetAdmin(user.username, user.admin));
  return stored;
}

}  // namespace broker::users
