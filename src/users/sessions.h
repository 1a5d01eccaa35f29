#pragma once

// Server-side sessions for people signed in to the web UI.
//
// The session id is 256 bits from the CSPRNG, handed to the browser once (in the cookie) and
// stored only as its SHA-256, so a database leak yields no live sessions and lookups never
// compare the secret byte by byte. Each session has its own CSRF token, HMAC-SHA256 of a
// constant under the session id: it is never stored and cannot be computed without the id
// (64 hex digits). A session ends at
// logout, after `idle_seconds` without use, or `absolute_seconds` after login, whichever comes
// first; times come from the injected Clock. `last_seen_at` is written at most once per
// `touch_interval_seconds`, so idle expiry may come up to that much early, never late.
//
// Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::users {

struct SessionPolicy {
  int64_t idle_seconds = int64_t{15} * 60;
  int64_t absolute_seconds = int64_t{8} * 60 * 60;
  int64_t touch_interval_seconds = 60;
};

// Whose session it is.
struct SessionSubject {
  std::string user_id;
  std::string username;
  bool admin = false;
};

struct NewSession {
  SecretString id;         // goes in the cookie only
  std::string csrf_token;  // for the X-CSRF-Token header
};

struct SessionRecord {
  SessionSubject subject;
  std::string csrf_token;
  UnixMillis created_at = 0;
  UnixMillis last_seen_at = 0;
};

class SessionStore {
 public:
  // `db` must have been migrated with MigrateUsers. References must outlive the store.
  SessionStore(store::Database& db, const Clock& clock, Random& random, SessionPolicy policy = {});

  // Starts a session. Unavailable/Internal from the store.
  Result<NewSession> Create(const SessionSubject& subject);
  // The live session with this id. Unauthenticated when the id is unknown, ended or expired
  // (an expired row is deleted); Unavailable/Internal from the store.
  Result<SessionRecord> Resolve(const SecretString& id);
  // Ends the session (no error if it does not exist).
  Status Delete(const SecretString& id);
  // Ends every session of `username`.
  Status DeleteForUser(std::string_view username);
  // Deletes expired sessions; returns how many.
  Result<int64_t> PurgeExpired();

  const SessionPolicy& policy() const { return policy_; }

 private:
  bool Expired(const SessionRecord& record, UnixMillis now) const;

  store::Database& db_;
  const Clock& clock_;
  Random& random_;
  SessionPolicy policy_;
};

}  // namespace broker::users
