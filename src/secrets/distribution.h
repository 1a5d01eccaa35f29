#pragma once

// The distribution choice (patch / syncSecrets) of each account's last manual generation, so a
// renewal by API distributes the new token the same way (issue 5, PRODUCT rule 9).
//
// Thread-safety: stateless functions over the caller's session.

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::secrets {

struct DistributionChoice {
  bool patch = false;         // write the token into the tools space of every reached service
  bool sync_secrets = false;  // then sync it to the services' GitHub repositories
};

// Records `choice` as the account's latest, in the caller's write transaction.
// REQUIRES: MigrateSecrets has run. Errors: those of Session::Execute.
Status RememberDistribution(store::Session& session, const std::string& account_id,
                            DistributionChoice choice, UnixMillis now);

// The account's latest recorded choice, or nullopt if none was ever recorded.
// Errors: those of Session::Execute.
Result<std::optional<DistributionChoice>> RememberedDistribution(store::Session& session,
                                                                 const std::string& account_id);

}  // namespace broker::secrets
