#include "accounts/registry.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace broker::accounts {
namespace {

constexpr std::string_view kColumns =
    "jti, account_id, client_id, sub, exp, iat, created_at, created_by_user_id, created_by_name, "
    "state, grace_until, blocked_at, blocked_reason, slot, generation, last_used_at, "
    "last_used_ip, last_used_user_agent";

const std::vector<store::Migration>& Steps() {
  static const std::vector<store::Migration> steps = {
      {1, "token registry, account locks, access rules",
       "CREATE TABLE token_registry (jti TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
       "client_id TEXT NOT NULL, sub TEXT NOT NULL, exp BIGINT NOT NULL, iat BIGINT NOT NULL, "
       "created_at BIGINT NOT NULL, created_by_user_id TEXT NOT NULL, "
       "created_by_name TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('active', "
       "'blocked')), grace_until BIGINT, blocked_at BIGINT, blocked_reason TEXT, "
       "slot BIGINT NOT NULL CHECK (slot IN (0, 1)), generation BIGINT NOT NULL, "
       "last_used_at BIGINT, last_used_ip TEXT, last_used_user_agent TEXT, token_hmac TEXT);"
       "CREATE UNIQUE INDEX token_registry_active_slot ON token_registry (account_id, slot) "
       "WHERE state = 'active';"
       "CREATE INDEX token_registry_account ON token_registry (account_id, generation);"
       "CREATE INDEX token_registry_exp ON token_registry (exp);"
       "CREATE TABLE account_lock (account_id TEXT PRIMARY KEY, generation BIGINT NOT NULL);"
       "CREATE TABLE jwt_access_rule (id TEXT PRIMARY KEY, list TEXT NOT NULL CHECK (list IN "
       "('allow', 'block')), client_id TEXT, jti TEXT, sub TEXT, created_at BIGINT NOT NULL, "
       "created_by TEXT NOT NULL);"
       "INSERT INTO jwt_access_rule (id, list, created_at, created_by) "
       "VALUES ('default-allow', 'allow', 0, 'system')",
       std::nullopt},
      {2, "persisted wall-clock high-water mark",
       "CREATE TABLE clock_high_water (id BIGINT PRIMARY KEY, millis BIGINT NOT NULL)",
       std::nullopt},
  };
  return steps;
}

TokenRow RowFrom(const store::Row& row, size_t f) {
  TokenRow out;
  out.jti = row.Text(f + 0);
  out.account_id = row.Text(f + 1);
  out.client_id = row.Text(f + 2);
  out.sub = row.Text(f + 3);
  out.exp = row.Int(f + 4);
  out.iat = row.Int(f + 5);
  out.created_at = row.Int(f + 6);
  out.created_by_user_id = row.Text(f + 7);
  out.created_by_name = row.Text(f + 8);
  out.blocked = row.Text(f + 9) == "blocked";
  out.grace_until = row.OptInt(f + 10);
  out.blocked_at = row.OptInt(f + 11);
  out.blocked_reason = row.Text(f + 12);
  out.slot = row.Int(f + 13);
  out.generation = row.Int(f + 14);
  out.last_used_at = row.OptInt(f + 15);
  out.last_used_ip = row.Text(f + 16);
  out.last_used_user_agent = row.Text(f + 17);
  return out;
}

audit::AuthFields AuthOf(const jwt::Claims& claims) {
  return {.client_id = claims.client_id,
          .jti = claims.jti,
          .exp = claims.exp,
          .iat = claims.iat,
          .nbf = claims.nbf,
          .sub = claims.sub};
}

audit::Operator OperatorOf(const api::UserPrincipal& user) {
  return {.id = user.user_id, .name = user.name, .email = user.email};
}

Error BlockListMatch() { return PermissionDenied("Invalid JWT").WithLabel("Block list has match"); }

}  // namespace

std::string_view TokenStateName(TokenState state) {
  switch (state) {
    case TokenState::kActive:
      return "active";
    case TokenState::kGrace:
      return "grace";
    case TokenState::kBlocked:
      return "blocked";
    case TokenState::kExpired:
      return "expired";
  }
  return "unknown";
}

TokenState StateAt(const TokenRow& row, UnixSeconds now) {
  // A grace period that has ended counts as blocked, as if the newer token had blocked it.
  if (row.blocked || (row.grace_until && now >= *row.grace_until)) return TokenState::kBlocked;
  if (row.exp <= now) return TokenState::kExpired;
  return row.grace_until ? TokenState::kGrace : TokenState::kActive;
}

Status CheckLifetime(int64_t seconds, std::string_view parameter) {
  if (seconds >= kMinLifetimeSeconds && seconds <= kMaxLifetimeSeconds) return OkStatus();
  return InvalidArgument(std::string(parameter) +
                         " must be between 3600 seconds (1 hour) and 31536000 seconds (365 days)");
}

std::string_view TokenRowColumns() { return kColumns; }

TokenRow ParseTokenRow(const store::Row& row, size_t first) { return RowFrom(row, first); }

Result<int64_t> LockAccount(store::Session& session, const std::string& account_id) {
  BROKER_RETURN_IF_ERROR(
      session.Execute("INSERT INTO account_lock (account_id, generation) VALUES ($1, 0) "
                      "ON CONFLICT (account_id) DO NOTHING",
                      {account_id}));
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      session.Execute("SELECT generation FROM account_lock WHERE account_id = $1" +
                          std::string(store::ForUpdate(session.dialect())),
                      {account_id}));
  if (rs.empty()) return Internal("account_lock row vanished");
  return rs.rows[0].Int(0);
}

Result<std::vector<TokenRow>> SelectRows(store::Session& session, std::string_view where,
                                         const std::vector<store::Value>& params) {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rs,
                          session.Execute("SELECT " + std::string(kColumns) +
                                              " FROM token_registry WHERE " + std::string(where),
                                          params));
  std::vector<TokenRow> rows;
  rows.reserve(rs.rows.size());
  for (const store::Row& row : rs.rows) rows.push_back(RowFrom(row, 0));
  return rows;
}

TokenRegistry::TokenRegistry(store::Database& db, AccountDirectory& directory,
                             const jwt::KeySet& keys, const audit::AuditLog& audit,
                             const Clock& clock, Random& random, RegistryOptions options)
    : db_(db),
      directory_(directory),
      keys_(keys),
      audit_(audit),
      clock_(clock),
      random_(random),
      options_(std::move(options)) {}

Status TokenRegistry::Migrate(store::Database& db) {
  return store::Migrate(db, "accounts", Steps());
}

Result<AccountRecord> TokenRegistry::ManagedAccount(const api::UserPrincipal& user,
                                                    std::string_view account_id) {
  BROKER_ASSIGN_OR_RETURN(AccountRecord account, directory_.FindById(account_id));
  BROKER_RETURN_IF_ERROR(directory_.CheckMayManage(user, account));
  return account;
}

Result<IssuedToken> TokenRegistry::Generate(const api::UserPrincipal& user,
                                            std::string_view account_id, int64_t lifetime_seconds,
                                            const GenerateOptions& options,
                                            const audit::RequestInfo& request) {
  BROKER_RETURN_IF_ERROR(CheckLifetime(lifetime_seconds, "expiration"));
  BROKER_ASSIGN_OR_RETURN(AccountRecord account, ManagedAccount(user, account_id));
  IssueRequest issue{.account = std::move(account),
                     .creator = {user.user_id, user.name, OperatorOf(user)},
                     .lifetime_seconds = lifetime_seconds,
                     .options = options,
                     .request = request,
                     .renewing_jti = std::nullopt};
  return Issue(issue);
}

Result<IssuedToken> TokenRegistry::Renew(const api::AccountPrincipal& caller, int64_t ttl_seconds,
                                         const audit::RequestInfo& request) {
  BROKER_RETURN_IF_ERROR(CheckLifetime(ttl_seconds, "ttl"));
  BROKER_ASSIGN_OR_RETURN(std::optional<TokenRow> row, Find(caller.jti));
  if (!row || row->account_id != caller.account_id) return Unauthenticated().WithLabel("");
  auto account = directory_.FindById(row->account_id);
  if (!account.ok()) {
    if (account.error().code() == ErrorCode::kNotFound) return Unauthenticated().WithLabel("");
    return std::move(account).error();
  }
  // A renewal keeps the original creator, so the token page still names a person.
  IssueRequest issue{.account = std::move(account).value(),
                     .creator = {row->created_by_user_id, row->created_by_name, std::nullopt},
                     .lifetime_seconds = ttl_seconds,
                     .options = {.patch = false, .sync_secrets = false},
                     .request = request,
                     .renewing_jti = caller.jti};
  return Issue(issue);
}

Result<IssuedToken> TokenRegistry::Issue(const IssueRequest& issue) {
  // The signature (RSA: the slow part) is made before the write transaction, so signatures run
  // in parallel and the single writer is held only for the statements. A token whose
  // transaction fails is dropped: without a registry row it would never be accepted anyway.
  BROKER_ASSIGN_OR_RETURN(IssuedToken issued, Mint(issue));
  Status status = db_.Transact(store::TxMode::kWrite, [&](store::Session& session) {
    return IssueInTransaction(session, issue, issued);
  });
  BROKER_RETURN_IF_ERROR(status);
  spdlog::info("token {} issued for account {} ({})", issued.claims.jti, issue.account.name,
               issue.account.client_id);
  Notify(issue.account.client_id);
  return issued;
}

Result<IssuedToken> TokenRegistry::Mint(const IssueRequest& issue) {
  const UnixSeconds now = Now();
  IssuedToken out;
  out.claims = {.client_id = issue.account.client_id,
                .exp = now + issue.lifetime_seconds,
                .iat = now,
                .nbf = now,
                .jti = random_.Uuid4(),
                .sub = issue.account.email};
  BROKER_ASSIGN_OR_RETURN(out.token, keys_.Sign(out.claims));
  out.account = issue.account;
  out.options = issue.options;
  out.renewal = issue.renewing_jti.has_value();
  return out;
}

Status TokenRegistry::IssueInTransaction(store::Session& session, const IssueRequest& issue,
                                         const IssuedToken& issued) {
  BROKER_ASSIGN_OR_RETURN(int64_t generation, LockAccount(session, issue.account.id));
  if (issue.renewing_jti) BROKER_RETURN_IF_ERROR(CheckRenewalAllowed(session, issue));
  BROKER_RETURN_IF_ERROR(Supersede(session, issue.account.id, issued.claims.iat));
  BROKER_ASSIGN_OR_RETURN(
      std::vector<TokenRow> survivors,
      SelectRows(session, "account_id = $1 AND state = 'active'", {issue.account.id}));
  const int64_t slot = survivors.empty() ? 0 : 1 - survivors.front().slot;
  BROKER_RETURN_IF_ERROR(InsertRow(session, issued, issue.creator, slot, generation + 1));
  BROKER_RETURN_IF_ERROR(
      session.Execute("UPDATE account_lock SET generation = $2 WHERE account_id = $1",
                      {issue.account.id, generation + 1}));
  BROKER_RETURN_IF_ERROR(audit_.AppendInTransaction(
      session, audit::TokenCreated({issue.account.name, issue.account.client_id},
                                   AuthOf(issued.claims), issue.creator.human, issue.request)));
  if (hook_) BROKER_RETURN_IF_ERROR(hook_(session, issued));
  return OkStatus();
}

Status TokenRegistry::CheckRenewalAllowed(store::Session& session, const IssueRequest& issue) {
  BROKER_ASSIGN_OR_RETURN(
      std::vector<TokenRow> newest,
      SelectRows(session, "account_id = $1 ORDER BY generation DESC LIMIT 1", {issue.account.id}));
  BROKER_ASSIGN_OR_RETURN(std::vector<TokenRow> own,
                          SelectRows(session, "jti = $1", {*issue.renewing_jti}));
  if (own.empty()) return Unauthenticated().WithLabel("");
  const TokenState state = StateAt(own.front(), Now());
  if (state == TokenState::kBlocked) return BlockListMatch();
  if (state == TokenState::kExpired) return Unauthenticated().WithLabel("");
  if (newest.empty() || newest.front().jti != *issue.renewing_jti) {
    return Aborted("Only the newest token of an account may renew it");
  }
  return OkStatus();
}

Status TokenRegistry::Supersede(store::Session& session, const std::string& account_id,
                                UnixSeconds now) {
  BROKER_ASSIGN_OR_RETURN(
      std::vector<TokenRow> active,
      SelectRows(session, "account_id = $1 AND state = 'active' ORDER BY generation DESC",
                 {account_id}));
  if (active.empty()) return OkStatus();
  const TokenRow& newest = active.front();
  // At most two: everything older than the newest active token is blocked now.
  BROKER_RETURN_IF_ERROR(session.Execute(
      "UPDATE token_registry SET state = 'blocked', blocked_at = $3, "
      "blocked_reason = 'superseded' WHERE account_id = $1 AND state = 'active' AND jti <> $2",
      {account_id, newest.jti, clock_.NowMillis()}));
  const UnixSeconds grace_until = now + options_.grace_seconds;
  BROKER_RETURN_IF_ERROR(
      session.Execute("UPDATE token_registry SET grace_until = $2 WHERE jti = $1 AND "
                      "(grace_until IS NULL OR grace_until > $2)",
                      {newest.jti, grace_until}));
  return OkStatus();
}

Status TokenRegistry::InsertRow(store::Session& session, const IssuedToken& issued,
                                const Creator& creator, int64_t slot, int64_t generation) {
  store::Value hmac;
  if (options_.token_hmac_key) {
    hmac = HmacSha256Hex(options_.token_hmac_key->RevealForUse(), issued.token.RevealForUse());
  }
  const jwt::Claims& c = issued.claims;
  BROKER_RETURN_IF_ERROR(session.Execute(
      "INSERT INTO token_registry (jti, account_id, client_id, sub, exp, iat, created_at, "
      "created_by_user_id, created_by_name, state, slot, generation, token_hmac) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $12)",
      {c.jti, issued.account.id, c.client_id, c.sub, c.exp, c.iat, clock_.NowMillis(),
       creator.user_id, creator.name, slot, generation, hmac}));
  return OkStatus();
}

Status TokenRegistry::RevokeAll(const api::UserPrincipal& user, std::string_view account_id,
                                const audit::RequestInfo& request) {
  BROKER_ASSIGN_OR_RETURN(AccountRecord account, ManagedAccount(user, account_id));
  Status status = db_.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(LockAccount(session, account.id));
    BROKER_RETURN_IF_ERROR(
        session.Execute("UPDATE token_registry SET state = 'blocked', blocked_at = $2, "
                        "blocked_reason = 'revoked' WHERE account_id = $1 AND state = 'active'",
                        {account.id, clock_.NowMillis()}));
    BROKER_RETURN_IF_ERROR(audit_.AppendInTransaction(
        session, audit::TokenRevoked({account.name, account.client_id}, "multiple",
                                     OperatorOf(user), request)));
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(status);
  spdlog::info("all tokens of account {} ({}) revoked by {}", account.name, account.client_id,
               user.user_id);
  Notify(account.client_id);
  return OkStatus();
}

Status TokenRegistry::RevokeOne(const api::UserPrincipal& user, std::string_view account_id,
                                std::string_view jti, const audit::RequestInfo& request) {
  BROKER_ASSIGN_OR_RETURN(AccountRecord account, ManagedAccount(user, account_id));
  bool changed = false;
  Status status = db_.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    changed = false;
    BROKER_RETURN_IF_ERROR(LockAccount(session, account.id));
    BROKER_ASSIGN_OR_RETURN(
        store::ResultSet rs,
        session.Execute("UPDATE token_registry SET state = 'blocked', blocked_at = $3, "
                        "blocked_reason = 'revoked' WHERE account_id = $1 AND jti = $2 "
                        "AND state = 'active'",
                        {account.id, std::string(jti), clock_.NowMillis()}));
    if (rs.affected_rows == 0) {
      BROKER_ASSIGN_OR_RETURN(
          std::vector<TokenRow> rows,
          SelectRows(session, "account_id = $1 AND jti = $2", {account.id, std::string(jti)}));
      return rows.empty() ? Status(NotFound("No token with this jti for this account"))
                          : OkStatus();
    }
    changed = true;
    BROKER_RETURN_IF_ERROR(audit_.AppendInTransaction(
        session, audit::TokenRevoked({account.name, account.client_id}, std::string(jti),
                                     OperatorOf(user), request)));
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(status);
  if (changed) Notify(account.client_id);
  return OkStatus();
}

Result<std::vector<TokenRow>> TokenRegistry::List(std::string_view account_id) {
  std::vector<TokenRow> rows;
  Status status = db_.Transact(store::TxMode::kRead, [&](store::Session& session) -> Status {
    BROKER_ASSIGN_OR_RETURN(rows, SelectRows(session, "account_id = $1 ORDER BY generation DESC",
                                             {std::string(account_id)}));
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(status);
  return rows;
}

Result<std::optional<TokenRow>> TokenRegistry::Find(std::string_view jti) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      db_.Execute("SELECT " + std::string(kColumns) + " FROM token_registry WHERE jti = $1",
                  {std::string(jti)}));
  if (rs.empty()) return std::optional<TokenRow>();
  return std::optional<TokenRow>(RowFrom(rs.rows[0], 0));
}

Result<int64_t> TokenRegistry::CleanupExpired(UnixSeconds now) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      db_.Execute("DELETE FROM token_registry WHERE exp < $1", {now - kCleanupDelaySeconds}));
  return rs.affected_rows;
}

void TokenRegistry::Notify(const std::string& client_id) const {
  if (listener_) listener_(client_id);
}

}  // namespace broker::accounts
