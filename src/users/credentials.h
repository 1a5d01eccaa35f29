#pragma once

// Local passwords and the login lockout.
//
// One row per local username in `user_credentials`: an Argon2id hash, the admin flag, and the
// failure counter. Every refused attempt (wrong password, or any password while locked) adds
// one to the counter in a single atomic UPDATE ... RETURNING, so concurrent attempts are all
// counted. From `threshold` failures on, the account is locked for `base_lock_seconds`,
// doubling with each further failure up to `max_lock_seconds`. The counter restarts at 1 when
// the previous failure is older than `window_seconds`, and at 0 after a successful login.
//
// Thread-safe. Times come from the injected Clock (stored in the database, shared by nodes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/secret.h"
#include "core/status.h"
#include "store/database.h"
#include "users/password.h"
#include "users/user_directory.h"

namespace broker::users {

struct LockoutPolicy {
  int64_t threshold = 5;
  int64_t base_lock_seconds = 60;
  int64_t max_lock_seconds = int64_t{15} * 60;
  int64_t window_seconds = int64_t{15} * 60;
};

enum class LoginVerdict {
  kOk,
  kInvalid,  // unknown user, no password set, or wrong password: one answer for all
  kLocked,   // too many failures; retry after `retry_after_seconds`
};

struct VerifyOutcome {
  LoginVerdict verdict = LoginVerdict::kInvalid;
  bool admin = false;
  int64_t retry_after_seconds = 0;
};

class CredentialStore {
 public:
  // `db` must have been migrated with MigrateUsers. All references must outlive the store.
  CredentialStore(store::Database& db, const Clock& clock, PasswordHasher& hasher,
                  LockoutPolicy policy = {});

  // Sets (or replaces) the password of `username`, clears the lockout and ends the user's
  // sessions. InvalidArgument for an empty username or a password the policy refuses;
  // Unavailable/Internal from the store.
  Status SetPassword(std::string_view username, const SecretString& password);
  // Sets the admin flag (creating a row without a password if needed) and ends the user's
  // sessions, so no session keeps old privileges. Errors as SetPassword.
  Status SetAdmin(std::string_view username, bool admin);
  // The admin flag; false for a username without a row.
  Result<bool> IsAdmin(std::string_view username);
  // Checks a login attempt. Unknown users spend the same Argon2id work as known ones. The
  // Result fails only for store errors (Unavailable/Internal).
  Result<VerifyOutcome> Verify(std::string_view username, const SecretString& password);
  // The stored failure counter (0 for an unknown username). For tests and operators.
  Result<int64_t> FailureCount(std::string_view username);

 private:
  Result<VerifyOutcome> RecordFailure(std::string_view username, UnixMillis now, bool was_locked);
  Result<bool> ClearFailuresUnlessLocked(std::string_view username, UnixMillis now);

  store::Database& db_;
  const Clock& clock_;
  PasswordHasher& hasher_;
  LockoutPolicy policy_;
  std::string failure_sql_;
};

// What `broker user add` creates.
struct NewLocalUser {
  std::string username;
  std::string email;
  std::string name;
  bool admin = false;
  std::optional<SecretString> password;  // none: the user cannot sign in locally yet
};

// Creates or updates the user's profile in `directory`, then sets the admin flag and, when
// given, the password. Returns the stored profile. InvalidArgument for an empty username or a
// refused password; store and directory errors are passed through.
Result<UserProfile> AddLocalUser(UserDirectory& directory, CredentialStore& credentials,
                                 const NewLocalUser& user);

}  // namespace broker::users
