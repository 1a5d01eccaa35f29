#pragma once

// The token registry: every broker account token ever issued and still of interest, with its
// state. It is the single authority on whether a correctly signed token is usable.
//
// States at time `now` (Unix seconds, from the injected Clock), exact to the second:
//   blocked  the row was revoked or superseded (third-newest), or its grace period ended
//            (now >= grace_until), whatever exp says;
//   expired  exp <= now;
//   grace    a newer token was issued and now < grace_until (= the newer token's iat + grace);
//   active   otherwise.
// Only `active` and `grace` tokens are accepted.
//
// Invariant (SECURITY 4.0): each row holds `slot` 0 or 1, and a UNIQUE partial index on
// (account_id, slot) WHERE state = 'active' makes the database itself refuse a third active
// row. Every generate/renew/revoke runs in one write transaction that first locks the account
// (`account_lock` row, FOR UPDATE on PostgreSQL; SQLite BEGIN IMMEDIATE), writes the audit
// record in the same transaction, and reports the change to the listener after commit.
//
// Thread-safety: all functions may be called from any thread; the hook and listener must be set
// before the registry is shared.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/directory.h"
#include "api/auth_context.h"
#include "audit/audit_log.h"
#include "audit/record.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "jwt/jwt.h"
#include "store/database.h"

namespace broker::accounts {

inline constexpr int64_t kMinLifetimeSeconds = 3600;
inline constexpr int64_t kMaxLifetimeSeconds = 31536000;
inline constexpr int64_t kDefaultRenewalSeconds = 864000;
inline constexpr int64_t kDefaultGraceSeconds = 3600;
inline constexpr int64_t kCleanupDelaySeconds = 86400;

enum class TokenState { kActive, kGrace, kBlocked, kExpired };
std::string_view TokenStateName(TokenState state);
inline bool IsAccepted(TokenState state) {
  return state == TokenState::kActive || state == TokenState::kGrace;
}

// One registry row. Never holds the token itself.
struct TokenRow {
  std::string jti;
  std::string account_id;
  std::string client_id;
  std::string sub;
  int64_t exp = 0;
  int64_t iat = 0;
  UnixMillis created_at = 0;
  std::string created_by_user_id;
  std::string created_by_name;
  bool blocked = false;  // stored state 'blocked' (revoked or superseded)
  std::optional<UnixSeconds> grace_until;
  std::optional<UnixMillis> blocked_at;
  std::string blocked_reason;  // "revoked", "superseded", "account-revoked"
  int64_t slot = 0;
  int64_t generation = 0;  // issue order within the account
  std::optional<UnixMillis> last_used_at;
  std::string last_used_ip;
  std::string last_used_user_agent;
};

TokenState StateAt(const TokenRow& row, UnixSeconds now);

// InvalidArgument unless 3600 <= seconds <= 31536000, with a message naming the range.
Status CheckLifetime(int64_t seconds, std::string_view parameter);

struct GenerateOptions {
  bool patch = true;         // distribute to the Vault tools space
  bool sync_secrets = true;  // queue the GitHub secret sync
};

// A freshly issued token, for the response body and the pre-commit hook only.
struct IssuedToken {
  SecretString token;
  jwt::Claims claims;
  AccountRecord account;
  GenerateOptions options;
  bool renewal = false;
};

struct RegistryOptions {
  int64_t grace_seconds = kDefaultGraceSeconds;
  // When set, rows keep HMAC-SHA256(token) under this key, so a leaked token can be matched to
  // its row without storing it.
  std::optional<SecretString> token_hmac_key;
};

// Runs inside the generation transaction, after the row and audit record are written (e.g. to
// add Vault outbox rows). An error rolls the generation back.
using PreCommitHook = std::function<Status(store::Session&, const IssuedToken&)>;
// Told the client_id of an account whose tokens changed, after commit.
using ChangeListener = std::function<void(const std::string& client_id)>;

class TokenRegistry {
 public:
  TokenRegistry(store::Database& db, AccountDirectory& directory, const jwt::KeySet& keys,
                const audit::AuditLog& audit, const Clock& clock, Random& random,
                RegistryOptions options = {});

  // Creates the registry tables (component "accounts").
  static Status Migrate(store::Database& db);

  void SetPreCommitHook(PreCommitHook hook) { hook_ = std::move(hook); }
  void SetChangeListener(ChangeListener listener) { listener_ = std::move(listener); }

  // Issues a token for `account_id` on behalf of `user`. The previous newest token enters its
  // grace period; any older active token is blocked. Errors: NotFound (no such account),
  // PermissionDenied (user may not manage it), InvalidArgument (lifetime out of range), store
  // errors (Unavailable, Aborted, Internal), or the hook's error.
  Result<IssuedToken> Generate(const api::UserPrincipal& user, std::string_view account_id,
                               int64_t lifetime_seconds, const GenerateOptions& options,
                               const audit::RequestInfo& request);

  // Issues a new token for the caller's account, authenticated by its token. Only the newest
  // token of the account may renew (compare-and-swap): an older one gets Aborted (409); a
  // blocked one PermissionDenied labelled "Block list has match"; an unknown jti or a deleted
  // account Unauthenticated; a bad ttl InvalidArgument.
  Result<IssuedToken> Renew(const api::AccountPrincipal& caller, int64_t ttl_seconds,
                            const audit::RequestInfo& request);

  // Blocks every non-blocked token of the account, grace tokens included. NotFound,
  // PermissionDenied as for Generate.
  Status RevokeAll(const api::UserPrincipal& user, std::string_view account_id,
                   const audit::RequestInfo& request);
  // Blocks one token. NotFound if the account or the jti (within the account) is unknown.
  // Revoking an already blocked token succeeds without a new audit record.
  Status RevokeOne(const api::UserPrincipal& user, std::string_view account_id,
                   std::string_view jti, const audit::RequestInfo& request);

  // The account's rows, newest first.
  Result<std::vector<TokenRow>> List(std::string_view account_id);
  // The row with `jti`, or nullopt.
  Result<std::optional<TokenRow>> Find(std::string_view jti);
  // Deletes rows that expired more than a day before `now`. Returns how many.
  Result<int64_t> CleanupExpired(UnixSeconds now);

  UnixSeconds Now() const { return clock_.NowSeconds(); }
  store::Database& database() const { return db_; }
  int64_t grace_seconds() const { return options_.grace_seconds; }

 private:
  struct Creator {
    std::string user_id;
    std::string name;
    std::optional<audit::Operator> human;  // nullopt for a renewal by API call
  };
  struct IssueRequest {
    AccountRecord account;
    Creator creator;
    int64_t lifetime_seconds = 0;
    GenerateOptions options;
    audit::RequestInfo request;
    std::optional<std::string> renewing_jti;  // the compare-and-swap expectation
  };

  Result<IssuedToken> Issue(const IssueRequest& issue);
  // The claims and signed token for `issue`, before any database work.
  Result<IssuedToken> Mint(const IssueRequest& issue);
  Status IssueInTransaction(store::Session& session, const IssueRequest& issue,
                            const IssuedToken& issued);
  Status CheckRenewalAllowed(store::Session& session, const IssueRequest& issue);
  Status Supersede(store::Session& session, const std::string& account_id, UnixSeconds now);
  Status InsertRow(store::Session& session, const IssuedToken& issued, const Creator& creator,
                   int64_t slot, int64_t generation);
  Result<AccountRecord> ManagedAccount(const api::UserPrincipal& user, std::string_view account_id);
  void Notify(const std::string& client_id) const;

  store::Database& db_;
  AccountDirectory& directory_;
  const jwt::KeySet& keys_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  RegistryOptions options_;
  PreCommitHook hook_;
  ChangeListener listener_;
};

// Locks the account's row in `account_lock` for the rest of the transaction (creating it on
// first use) and returns the account's last issued generation.
Result<int64_t> LockAccount(store::Session& session, const std::string& account_id);

// The token_registry columns that ParseTokenRow reads, in order ("jti, account_id, ...").
std::string_view TokenRowColumns();
// A TokenRow from a result row holding TokenRowColumns() from column `first` on.
TokenRow ParseTokenRow(const store::Row& row, size_t first = 0);

// Reads rows; `where` is a SQL condition over token_registry with $n parameters.
Result<std::vector<TokenRow>> SelectRows(store::Session& session, std::string_view where,
                                         const std::vector<store::Value>& params);

}  // namespace broker::accounts
