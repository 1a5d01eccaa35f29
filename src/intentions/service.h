#pragma once
// Intentions (reference section 6): automation declares what it is about to do, Broker checks
// the declaration against the business rules and the graph, and hands back one intention token
// and one token per action. The tokens are random (32 bytes, base64url) and only their SHA-256
// digests are stored; a digest is also the public `transaction_id` / `trace_id`.
//
// Every state change commits together with its audit records. A successful close updates the
// graph (project, service, `component` and `authorized` edges, service instances) after the
// intention itself has committed.
//
// Errors (unless a method says otherwise):
//   InvalidArgument  a malformed query or body (the reference's 400 bodies: label carries the
//                    "error" text);
//   NotFound         "Intention not found" / "Action not found" (no open intention holds the
//                    token); labels are empty, as in the reference's 404 body;
//   PermissionDenied the account token that opened the intention is no longer accepted;
//   Unavailable, Aborted, Internal from the store.
// Business refusals whose bodies carry more than the standard envelope (rule violations,
// unknown user) are returned as a `Reply` with a 4xx status instead of an Error.
//
// Thread-safety: all methods are thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "core/status.h"
#include "graph/graph.h"
#include "intentions/rules.h"
#include "intentions/store.h"
#include "store/database.h"

namespace broker::intentions {

// An HTTP-shaped answer: status and JSON body.
struct Reply {
  int status = 201;
  Json body;
};

// The account token that opens an intention (from api::AccountPrincipal).
struct Opener {
  std::string account_id;  // brokerAccount collection object id
  std::string vertex_id;   // the account's vertex
  std::string client_id;
  std::string jti;
  std::string sub;
  int64_t exp = 0;
  std::optional<int64_t> iat;
  std::optional<int64_t> nbf;
};

struct IntentionOptions {
  int default_ttl_seconds = 600;
  int min_ttl_seconds = 30;
  int max_ttl_seconds = 1800;
  int64_t transient_retention_ms = 7LL * 24 * 3600 * 1000;
  int64_t rejected_retention_ms = 24LL * 3600 * 1000;
  // Rendered into the close answer's "audit" and Get's "auditUrl"; "{id}" is replaced by the
  // intention id. Empty gives "".
  std::string audit_url_template;
};

struct IntentionDeps {
  store::Database* db = nullptr;
  graph::Graph* graph = nullptr;
  const audit::AuditLog* audit = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  // Ok while the account token with this jti is still accepted (not revoked, blocked or
  // expired). Empty: always ok. Wired by the app to the token registry.
  std::function<Status(std::string_view jti)> token_still_valid;
};

// An action found by its token, for provisioning.
struct FoundAction {
  StoredIntention intention;
  size_t index = 0;
  const Json& action() const { return intention.doc["actions"][index]; }
};

class IntentionService {
 public:
  IntentionService(IntentionDeps deps, IntentionOptions options = {});

  // POST /v1/intention/open. `ttl` and `quickstart` are the raw query values. Answers 201 with
  // {actions:{<id>:{token, trace_id, outcome}}, id, token, transaction_id, expiry}, or a 400
  // Reply for a rule failure ("Authorization failed", "User not found", "Token must be bound to
  // a broker account"). Errors: InvalidArgument for a bad ttl ("TTL out of bounds"), quickstart
  // ("Quick start failure") or body ("Intention validation error").
  Result<Reply> Open(const Opener& opener, const Json& body, std::optional<std::string_view> ttl,
                     std::optional<std::string_view> quickstart, const audit::RequestInfo& request);

  // POST /v1/intention/close with the intention token: ends started actions, records the
  // outcome (success by default; "failure", "unknown"), audits, updates the graph on success.
  // Returns {statusCode:200, message:"Intention closed", audit}. InvalidArgument
  // "Illegal outcome"; NotFound "Intention not found".
  Result<Json> Close(std::string_view token, std::optional<std::string_view> outcome,
                     std::optional<std::string_view> reason);

  // Action lifecycle with the action token. InvalidArgument "Illegal lifecycle request" (label
  // names the state and transition) or "Illegal outcome"; NotFound "Action not found".
  Status StartAction(std::string_view token);
  Status EndAction(std::string_view token, std::optional<std::string_view> outcome);

  // Registers an artifact on a started backup or package-build action; returns
  // {buildGuid}. InvalidArgument "Illegal action", "Illegal lifecycle request",
  // "Artifact validation error", "Artifact name must be unique".
  Result<Json> AddArtifact(std::string_view token, const Json& body);

  // Patches the package (package-build) or cloud target (package-installation) of a started
  // action, then re-validates every action. Returns the updated action (201) or a 400 Reply
  // "Authorization failed" after which the intention is closed as rejected.
  // InvalidArgument "Illegal action", "Nothing to patch", "Patch validation error".
  Result<Reply> PatchAction(std::string_view token, const Json& body);

  // Closes every open intention whose expiry has passed with outcome "unknown" and reason
  // "TTL expiry". Returns how many were closed. For a job run every minute.
  Result<int> ExpireDue();

  // Deletes closed transient intentions older than 7 days and rejected ones older than a day.
  Result<int64_t> CleanupStale();

  // An intention document by id, with "auditUrl"; never contains a token. NotFound
  // "Intention not found".
  Result<Json> Get(const std::string& id);

  // {data:[...], meta:{total}}, newest first, documents as Get returns them.
  Result<Json> Search(const SearchFilter& filter);

  // The open action holding `token`, for provisioning. NotFound "Action not found";
  // FailedPrecondition "Intention expired" / "Action ended"; PermissionDenied if the opening
  // account token is no longer accepted.
  Result<FoundAction> FindActionForProvision(std::string_view token);

  // Appends an audit record in its own transaction (provisioning events).
  Status Audit(Json record);

  const IntentionDeps& deps() const { return deps_; }

 private:
  Result<Reply> OpenChecked(const Opener& opener, const Json& body, int ttl, bool quickstart,
                            const audit::RequestInfo& request);
  Status Finalize(store::Session& session, StoredIntention& intention, const std::string& outcome,
                  const std::string& reason);
  Status WithAction(std::string_view token,
                    const std::function<Status(store::Session&, ActionRef&)>& body);
  void SyncGraph(const Json& intention);
  History HistoryFor(store::Session& session) const;
  std::string AuditUrl(const std::string& id) const;

  IntentionDeps deps_;
  IntentionOptions options_;
};

}  // namespace broker::intentions
