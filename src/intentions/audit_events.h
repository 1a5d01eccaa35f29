#pragma once
// The audit records of intentions and provisioning (reference section 10). Each carries
// `transaction.id` (the intention token's hash), `trace.id` (the action token's hash) where an
// action is concerned, `auth.*` (the claims of the account token that opened the intention)
// and `event.reason`. None contains a token.
//
// Thread-safety: pure functions.
#include <optional>
#include <string>

#include "audit/record.h"
#include "core/clock.h"
#include "core/json.h"

namespace broker::intentions {

// `auth.*` from the stored `jwt` member of an intention document.
audit::AuthFields AuthOf(const Json& intention);

// intention-open (session/start); outcome "failure" when rejected.
Json IntentionOpenRecord(const Json& intention, const audit::RequestInfo& request);

// auth-<action> (session/info) for action `index`.
Json ActionAuthRecord(const Json& intention, size_t index, const audit::RequestInfo& request);

// action-<action> (process/start or process/end).
Json ActionLifecycleRecord(const Json& intention, size_t index, const std::string& type);

// intention-close (session/end) with the close reason.
Json IntentionCloseRecord(const Json& intention, const std::string& reason);

// artifact-register (configuration/creation) and package-annotate (configuration/change).
Json ActionChangeRecord(const Json& intention, size_t index, const std::string& event_action,
                        const std::string& type);

// generate-secret-id / generate-token (configuration/start or creation). `client_token_hash`
// is the hash of the wrapping token (creation only); `error` is set on failure.
Json ProvisionRecord(const Json& intention, size_t index, const std::string& event_action,
                     const std::string& type, const std::string& client_token_hash,
                     const std::optional<std::string>& error);

// test-role-id (api/denied): a provisioning request whose role id did not match.
Json RoleIdDeniedRecord(const Json& intention, size_t index, const std::string& role);

}  // namespace broker::intentions
