#pragma once
// Persistence of intentions: one row per intention (the document as JSON text, without any
// token) and one row per action (the lookup key for action tokens and the columns that
// searches and the history rules filter on). Intention and action tokens are stored only as
// their SHA-256 hex digest, which is also the public `transaction.id` / `trace.id`.
//
// Thread-safety: stateless; every function runs on the caller's Session.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::intentions {

// Creates the tables (component "intentions"). Errors from the store.
Status MigrateIntentions(store::Database& db);

// One stored intention.
struct StoredIntention {
  std::string id;
  std::string account_id;
  std::string jti;  // of the account token that opened it
  bool closed = false;
  UnixMillis expiry_ms = 0;
  UnixMillis start_ms = 0;
  Json doc;  // the intention document (reference 6.9 minus tokens)
};

// Inserts a new intention and its actions. Errors from the store.
Status InsertIntention(store::Session& session, const StoredIntention& intention,
                       const std::string& token_hash);

// Rewrites the document and the derived columns (closed, outcome, action columns).
Status SaveIntention(store::Session& session, const StoredIntention& intention, UnixMillis now_ms);

// The open intention whose token hashes to `token_hash`, locked for update; nullopt if none.
Result<std::optional<StoredIntention>> FindOpenByTokenHash(store::Session& session,
                                                           const std::string& token_hash);

// The open intention holding the action whose token hashes to `trace_hash`, and the index of
// that action in doc.actions; nullopt if none.
struct ActionRef {
  StoredIntention intention;
  size_t index = 0;
};
Result<std::optional<ActionRef>> FindOpenByTraceHash(store::Session& session,
                                                     const std::string& trace_hash);

// Any intention by id (open or closed); nullopt if none.
Result<std::optional<StoredIntention>> FindById(store::Session& session, const std::string& id);

// Ids of open intentions whose expiry is before `now_ms` (at most `limit`).
Result<std::vector<std::string>> DueIds(store::Session& session, UnixMillis now_ms, int limit);

// Deletes closed transient intentions that expired before `transient_before_ms` and rejected
// ones that expired before `rejected_before_ms`. Returns how many were deleted.
Result<int64_t> DeleteStale(store::Session& session, UnixMillis transient_before_ms,
                            UnixMillis rejected_before_ms);

// Search filters; empty members are not applied. Dates are Unix milliseconds of the start.
struct SearchFilter {
  std::string account_id;
  std::string project;
  std::string service;
  std::string action;
  std::string outcome;  // success, failure, unknown, rejected, or "open"
  std::optional<UnixMillis> from_ms;
  std::optional<UnixMillis> to_ms;
  int64_t offset = 0;
  int64_t limit = 10;
};
struct SearchPage {
  std::vector<StoredIntention> items;  // newest first
  int64_t total = 0;
};
Result<SearchPage> SearchIntentions(store::Session& session, const SearchFilter& filter);

// History for the rules: the buildVersion of the latest successful release build, and the
// buildVersions of the latest successful install of each instance in an environment.
Result<std::optional<std::string>> ReleaseBuildVersion(store::Session& session,
                                                       const std::string& service,
                                                       const std::string& name,
                                                       const std::string& version);
Result<std::vector<std::string>> DeployedBuildVersions(store::Session& session,
                                                       const std::string& service,
                                                       const std::string& environment);

}  // namespace broker::intentions
