#pragma once

// The delivery outbox: durable, retried writes of account tokens to their destinations (the
// Vault/local tools space, GitHub Actions secrets).
//
// `Enqueue` runs inside the token-generation transaction, so a committed token always has its
// deliveries recorded, and a rolled-back one has none. The token is stored sealed (Sealer,
// bound to the row's kind/target/key/generation) and erased from the row once the delivery
// is done, superseded by a newer generation for the same target and key, or failed for good.
// `RunDue` (schedule it every few seconds; safe to run on several nodes) attempts the due rows
// and retries failures with exponential backoff (5 s doubling to 5 min, plus up to 10 %
// jitter) until they succeed. All state is in the database, so a restart loses nothing.
//
// States: pending -> done | superseded | failed (only for a request the destination rejects as
// malformed, InvalidArgument; everything else is retried forever). A `skipped` row records a
// delivery that could not even be attempted (a service without a tools path), so the
// deliveries list reports it instead of leaving it out.
//
// Jobs: a `github-sync` row carries no value. It stands for "sync every key of the tools path
// `key` to the repository `target`", and a DeliveryExpander turns it, when it runs, into one
// `github` delivery per key, read from the tools space at that moment (with the key's
// generation, so the usual ordering holds). Until the read succeeds (Vault down) the job is
// retried like any delivery. A job is superseded by a later job for the same repository and
// path that has not started yet, so repeated requests coalesce.
//
// Follow-ups: a delivery may name repositories to sync after it (`then_github`). When it
// succeeds, the same transaction that marks it done enqueues one `github-sync` job of its tools
// path per repository, so GitHub only ever receives a token that is already in the tools space,
// and a crash between the two loses nothing (the first delivery is retried, and an equal
// generation is rewritten idempotently).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "secrets/sealer.h"
#include "secrets/tools_store.h"
#include "store/database.h"

namespace broker::secrets {

enum class DeliveryKind { kVault, kGithub, kGithubSync };

std::string_view DeliveryKindName(DeliveryKind kind);  // "vault", "github", "github-sync"

// Where deliveries of one kind go. Implementations must be thread-safe.
class DeliveryDestination {
 public:
  virtual ~DeliveryDestination() = default;
  // Writes `value` under `key` at `target` (a tools path or "owner/repo"). Returns the
  // destination's version when it has one. Errors: as ToolsStore::Write (FailedPrecondition
  // with kSupersededMessage marks the delivery superseded; InvalidArgument marks it failed;
  // anything else is retried).
  virtual Result<std::optional<int64_t>> Deliver(const std::string& target, const std::string& key,
                                                 const SecretString& value, int64_t generation) = 0;
};

// Delivers into a ToolsStore with the generation check.
class ToolsStoreDestination final : public DeliveryDestination {
 public:
  explicit ToolsStoreDestination(ToolsStore& store) : store_(store) {}
  Result<std::optional<int64_t>> Deliver(const std::string& target, const std::string& key,
                                         const SecretString& value, int64_t generation) override;

 private:
  ToolsStore& store_;
};

struct DeliveryRequest {
  DeliveryKind kind = DeliveryKind::kVault;
  std::string target;  // tools path, or "owner/repo"
  std::string key;     // "broker-jwt:<client_id>", or the GitHub secret name
  SecretString value;
  int64_t generation = 0;  // monotonic per account (and so per target + key)
  std::string account_id;
  std::string jti;
  std::vector<std::string> then_github;  // "owner/repo" to sync once this delivery succeeds
};

struct Delivery {
  std::string id;
  DeliveryKind kind = DeliveryKind::kVault;
  std::string target;
  std::string key;
  int64_t generation = 0;
  std::string account_id;
  std::string jti;
  int64_t attempts = 0;
  std::string state;  // pending | done | superseded | failed
  std::optional<std::string> last_error;
  std::optional<int64_t> version;
  UnixMillis created_at = 0;
  std::optional<UnixMillis> last_attempt_at;
  std::optional<UnixMillis> done_at;
  UnixMillis next_attempt_at = 0;
  std::vector<std::string> then_github;
};

// A job to record (Outbox::EnqueueJob): for kGithubSync, `target` is "owner/repo" and `key` the
// tools path whose keys go there.
struct JobRequest {
  DeliveryKind kind = DeliveryKind::kGithubSync;
  std::string target;
  std::string key;
  std::string account_id;  // whose deliveries list shows the job; may be empty
  std::string jti;         // the token that caused it; may be empty
};

// Turns a job row into the deliveries it stands for. Implementations must be thread-safe.
// Errors are recorded on the job, which is retried like a failed delivery (InvalidArgument
// fails it for good).
class DeliveryExpander {
 public:
  virtual ~DeliveryExpander() = default;
  virtual Result<std::vector<DeliveryRequest>> Expand(const Delivery& job) = 0;
};

// The API shape of one delivery: {kind, target, path?, version?, at, outcome, error?, jti}, where
// `path` is the tools path of a github-sync job,
// outcome is "delivered", "pending", "superseded", "failed" or "skipped" and `at` is the ISO 8601
// time of the last attempt (or of the enqueue when none was made yet).
Json DeliveryToJson(const Delivery& delivery);

struct OutboxOptions {
  int64_t initial_backoff_ms = 5'000;
  int64_t max_backoff_ms = 300'000;
  int64_t lease_ms = 60'000;  // a claimed row is skipped by other runners this long
  int batch_size = 50;
};

struct RunStats {
  int attempted = 0;
  int delivered = 0;
  int superseded = 0;
  int failed = 0;   // permanently
  int retried = 0;  // will be tried again later
};

class Outbox {
 public:
  // REQUIRES: MigrateSecrets(db) has run. All references outlive the outbox.
  Outbox(store::Database& db, const Sealer& sealer, const Clock& clock, Random& random,
         OutboxOptions options = {});

  // Registers where deliveries of `kind` go (before RunDue; not thread-safe with RunDue).
  void SetDestination(DeliveryKind kind, DeliveryDestination* destination);
  // Registers what expands the jobs of `kind` (same rules). A job without an expander stays
  // pending, like a delivery without a destination.
  void SetExpander(DeliveryKind kind, DeliveryExpander* expander);

  // Records a pending delivery in the caller's write transaction and marks older pending
  // deliveries of the same kind/target/key superseded. Returns the new row id. Errors: those
  // of Session::Execute; InvalidArgument for an empty target or key.
  Result<std::string> Enqueue(store::Session& session, const DeliveryRequest& request);
  // Records, in the caller's write transaction, that `request` (its value is not stored) was not
  // attempted, with `reason` as the error shown for it. Returns the new row id.
  // Errors: as Enqueue.
  Result<std::string> RecordSkipped(store::Session& session, const DeliveryRequest& request,
                                    const std::string& reason);
  // Records a pending job in the caller's write transaction, with a generation above every
  // earlier row of the same kind/target/key, so it supersedes those not yet started. Returns
  // the new row id. Errors: as Enqueue.
  Result<std::string> EnqueueJob(store::Session& session, const JobRequest& request);

  // Attempts every due delivery (up to batch_size). Errors only if the database fails;
  // destination failures are recorded on the rows. Thread-safe (runs are serialized in-process).
  Result<RunStats> RunDue();

  // The deliveries of one account, newest first (by enqueue time, then generation), at most
  // `limit`.
  Result<std::vector<Delivery>> ListDeliveries(const std::string& account_id, int limit = 100);
  // One delivery by id: NotFound if absent.
  Result<Delivery> Get(const std::string& id);

 private:
  struct Claimed {
    enum class Disposition { kDeliver, kSuperseded, kUnreadable };
    Delivery delivery;
    Disposition disposition = Disposition::kDeliver;
    SecretString value;  // set for kDeliver
  };
  Result<std::optional<Claimed>> Claim(const std::string& id, UnixMillis now);
  Status Attempt(const std::string& id, RunStats& stats);
  Status AttemptJob(const Delivery& job, DeliveryExpander& expander, RunStats& stats);
  Status RecordFailure(const Delivery& delivery, const Error& error, RunStats& stats);
  // Marks the row done and, in the same transaction, enqueues `deliveries` and its follow-up
  // jobs (`then_github`).
  Status RecordSuccess(const Delivery& delivery, std::optional<int64_t> version,
                       const std::vector<DeliveryRequest>& deliveries);
  int64_t BackoffMillis(int64_t attempts);

  store::Database& db_;
  const Sealer& sealer_;
  const Clock& clock_;
  Random& random_;
  OutboxOptions options_;
  std::map<DeliveryKind, DeliveryDestination*> destinations_;
  std::map<DeliveryKind, DeliveryExpander*> expanders_;
  std::mutex run_mu_;
};

// The associated data that binds a sealed outbox value to its row.
std::string OutboxAssociatedData(DeliveryKind kind, const std::string& target,
                                 const std::string& key, int64_t generation);

}  // namespace broker::secrets
