#pragma once

// The tables of the users module (component "users" in schema_migrations).

#include "core/status.h"
#include "store/database.h"

namespace broker::users {

// Creates or upgrades user_credentials, user_sessions and oidc_logins. Errors as
// store::Migrate.
Status MigrateUsers(store::Database& db);

}  // namespace broker::users
