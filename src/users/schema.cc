#include "users/schema.h"

namespace broker::users {

namespace {

constexpr char kV1[] = R"sql(
CREATE TABLE user_credentials (
  username TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL DEFAULT '',
  admin BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0,
  last_failure_at BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE user_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  username TEXT NOT NULL,
  admin BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_username ON user_sessions (username);
CREATE INDEX user_sessions_created ON user_sessions (created_at);
CREATE TABLE oidc_logins (
  state_hash TEXT PRIMARY KEY,
  binding_hash TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  return_to TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_created ON oidc_logins (created_at)
)sql";

}  // namespace

Status MigrateUsers(store::Database& db) {
  return store::Migrate(db, "users",
                        {store::Migration{1, "credentials, sessions, oidc logins", kV1, {}}});
}

}  // namespace broker::users
