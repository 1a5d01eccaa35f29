#include "secrets/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>

#include "core/ids.h"
#include "core/time_format.h"

namespace broker::secrets {
namespace {

constexpr char kColumns[] =
    "id, kind, target, key, generation, account_id, jti, attempts, state, last_error, version, "
    "created_at, last_attempt_at, done_at, next_attempt_at, sealed_value, lease_until, then_github";

// The inverse of DeliveryKindName.
DeliveryKind KindFromName(const std::string& name) {
  for (DeliveryKind kind : {DeliveryKind::kGithub, DeliveryKind::kGithubSync}) {
    if (name == DeliveryKindName(kind)) return kind;
  }
  return DeliveryKind::kVault;
}

Delivery FromRow(const store::Row& row) {
  Delivery d;
  d.id = row.Text(0);
  d.kind = KindFromName(row.Text(1));
  d.target = row.Text(2);
  d.key = row.Text(3);
  d.generation = row.Int(4);
  d.account_id = row.Text(5);
  d.jti = row.Text(6);
  d.attempts = row.Int(7);
  d.state = row.Text(8);
  d.last_error = row.OptText(9);
  d.version = row.OptInt(10);
  d.created_at = row.Int(11);
  d.last_attempt_at = row.OptInt(12);
  d.done_at = row.OptInt(13);
  d.next_attempt_at = row.Int(14);
  if (auto repos = row.OptText(17)) {
    // Written by Enqueue as a JSON array of strings; anything else is ignored.
    auto parsed = ParseStrictJson(*repos);
    if (parsed.ok() && parsed->is_array()) {
      for (const Json& repo : *parsed) {
        if (repo.is_string()) d.then_github.push_back(repo.get<std::string>());
      }
    }
  }
  return d;
}

std::string Kind(DeliveryKind kind) { return std::string(DeliveryKindName(kind)); }

store::Value ThenGithubColumn(const std::vector<std::string>& repos) {
  if (repos.empty()) return {};
  return Json(repos).dump();
}

}  // namespace

std::string_view DeliveryKindName(DeliveryKind kind) {
  switch (kind) {
    case DeliveryKind::kGithub:
      return "github";
    case DeliveryKind::kGithubSync:
      return "github-sync";
    case DeliveryKind::kVault:
      break;
  }
  return "vault";
}

std::string OutboxAssociatedData(DeliveryKind kind, const std::string& target,
                                 const std::string& key, int64_t generation) {
  std::string ad = "broker-outbox-v1";
  for (const std::string& part : {Kind(kind), target, key, std::to_string(generation)}) {
    ad.push_back('\0');
    ad += part;
  }
  return ad;
}

Result<std::optional<int64_t>> ToolsStoreDestination::Deliver(const std::string& target,
                                                              const std::string& key,
                                                              const SecretString& value,
                                                              int64_t generation) {
  BROKER_ASSIGN_OR_RETURN(WriteResult written,
                          store_.Write(target, key, value, WriteOptions{generation}));
  return std::optional<int64_t>(written.version);
}

Json DeliveryToJson(const Delivery& d) {
  Json out = {{"kind", Kind(d.kind)}, {"target", d.target}};
  if (d.kind == DeliveryKind::kGithubSync) out["path"] = d.key;
  if (d.version) out["version"] = *d.version;
  out["at"] = FormatIso8601(d.last_attempt_at.value_or(d.created_at));
  std::string outcome = d.state == "done" ? "delivered" : d.state;
  out["outcome"] = outcome;
  const bool explains = d.state == "pending" || d.state == "failed" || d.state == "skipped";
  if (d.last_error && explains) out["error"] = *d.last_error;
  out["jti"] = d.jti;
  return out;
}

Outbox::Outbox(store::Database& db, const Sealer& sealer, const Clock& clock, Random& random,
               OutboxOptions options)
    : db_(db), sealer_(sealer), clock_(clock), random_(random), options_(options) {}

void Outbox::SetDestination(DeliveryKind kind, DeliveryDestination* destination) {
  destinations_[kind] = destination;
}

void Outbox::SetExpander(DeliveryKind kind, DeliveryExpander* expander) {
  expanders_[kind] = expander;
}

Result<std::string> Outbox::Enqueue(store::Session& s, const DeliveryRequest& r) {
  if (r.target.empty() || r.key.empty()) return InvalidArgument("Delivery target and key required");
  UnixMillis now = clock_.NowMillis();
  std::string id = NewObjectId(clock_, random_);
  // Rows being delivered right now (leased) finish on their own; Claim supersedes them later
  // if they have to be retried.
  BROKER_RETURN_IF_ERROR(s.Execute(
      "UPDATE secrets_outbox SET state = 'superseded', sealed_value = NULL, done_at = $5 "
      "WHERE kind = $1 AND target = $2 AND key = $3 AND state = 'pending' AND generation < $4 "
      "AND (lease_until IS NULL OR lease_until <= $5)",
      {Kind(r.kind), r.target, r.key, r.generation, now}));
  std::string sealed =
      sealer_.Seal(r.value, OutboxAssociatedData(r.kind, r.target, r.key, r.generation));
  BROKER_RETURN_IF_ERROR(s.Execute(
      "INSERT INTO secrets_outbox (id, kind, target, key, sealed_value, generation, account_id, "
      "jti, attempts, next_attempt_at, state, created_at, then_github) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, 'pending', $9, $10)",
      {id, Kind(r.kind), r.target, r.key, sealed, r.generation, r.account_id, r.jti, now,
       ThenGithubColumn(r.then_github)}));
  return id;
}

Result<std::string> Outbox::RecordSkipped(store::Session& s, const DeliveryRequest& r,
                                          const std::string& reason) {
  const UnixMillis now = clock_.NowMillis();
  std::string id = NewObjectId(clock_, random_);
  BROKER_RETURN_IF_ERROR(s.Execute(
      "INSERT INTO secrets_outbox (id, kind, target, key, generation, account_id, jti, attempts, "
      "next_attempt_at, state, created_at, done_at, last_error) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 'skipped', $8, $8, $9)",
      {id, Kind(r.kind), r.target, r.key, r.generation, r.account_id, r.jti, now, reason}));
  return id;
}

Result<std::string> Outbox::EnqueueJob(store::Session& s, const JobRequest& r) {
  // Two nodes may compute the same generation; neither then supersedes the other and both run,
  // which only repeats idempotent work.
  BROKER_ASSIGN_OR_RETURN(auto last,
                          s.Execute("SELECT COALESCE(MAX(generation), 0) FROM secrets_outbox "
                                    "WHERE kind = $1 AND target = $2 AND key = $3",
                                    {Kind(r.kind), r.target, r.key}));
  return Enqueue(s, DeliveryRequest{.kind = r.kind,
                                    .target = r.target,
                                    .key = r.key,
                                    .value = SecretString(""),
                                    .generation = last.rows[0].Int(0) + 1,
                                    .account_id = r.account_id,
                                    .jti = r.jti,
                                    .then_github = {}});
}

Result<RunStats> Outbox::RunDue() {
  std::lock_guard lock(run_mu_);
  UnixMillis now = clock_.NowMillis();
  BROKER_ASSIGN_OR_RETURN(auto due,
                          db_.Execute("SELECT id FROM secrets_outbox WHERE state = 'pending' "
                                      "AND next_attempt_at <= $1 "
                                      "AND (lease_until IS NULL OR lease_until <= $1) "
                                      "ORDER BY created_at, generation LIMIT $2",
                                      {now, int64_t{options_.batch_size}}));
  RunStats stats;
  for (const auto& row : due.rows) {
    BROKER_RETURN_IF_ERROR(Attempt(row.Text(0), stats));
  }
  return stats;
}

Status Outbox::Attempt(const std::string& id, RunStats& stats) {
  BROKER_ASSIGN_OR_RETURN(std::optional<Claimed> claimed, Claim(id, clock_.NowMillis()));
  if (!claimed) return OkStatus();
  const Delivery& d = claimed->delivery;
  if (claimed->disposition == Claimed::Disposition::kSuperseded) {
    ++stats.superseded;
    return OkStatus();
  }
  if (claimed->disposition == Claimed::Disposition::kUnreadable) {
    ++stats.failed;
    return OkStatus();
  }
  ++stats.attempted;
  if (auto expander = expanders_.find(d.kind); expander != expanders_.end() && expander->second) {
    return AttemptJob(d, *expander->second, stats);
  }
  auto it = destinations_.find(d.kind);
  if (it == destinations_.end() || it->second == nullptr) {
    return RecordFailure(
        d, Unavailable("No destination is configured for " + Kind(d.kind) + " deliveries"), stats);
  }
  auto outcome = it->second->Deliver(d.target, d.key, claimed->value, d.generation);
  if (!outcome.ok()) return RecordFailure(d, outcome.error(), stats);
  ++stats.delivered;
  spdlog::info("outbox: delivered {} {} to {} {} (jti {})", d.id, d.key, Kind(d.kind), d.target,
               d.jti);
  return RecordSuccess(d, *outcome, {});
}

Status Outbox::AttemptJob(const Delivery& job, DeliveryExpander& expander, RunStats& stats) {
  auto deliveries = expander.Expand(job);
  if (!deliveries.ok()) return RecordFailure(job, deliveries.error(), stats);
  ++stats.delivered;
  spdlog::info("outbox: {} {} of {} queued {} deliveries (jti {})", Kind(job.kind), job.target,
               job.key, deliveries->size(), job.jti);
  return RecordSuccess(job, std::nullopt, *deliveries);
}

Result<std::optional<Outbox::Claimed>> Outbox::Claim(const std::string& id, UnixMillis now) {
  std::optional<Claimed> claimed;
  Status tx = db_.Transact(store::TxMode::kWrite, [&](store::Session& s) -> Status {
    claimed.reset();
    BROKER_ASSIGN_OR_RETURN(auto rows, s.Execute(std::string("SELECT ") + kColumns +
                                                     " FROM secrets_outbox WHERE id = $1" +
                                                     std::string(store::ForUpdate(s.dialect())),
                                                 {id}));
    if (rows.empty()) return OkStatus();
    const store::Row& row = rows.rows[0];
    Delivery d = FromRow(row);
    auto lease = row.OptInt(16);
    if (d.state != "pending" || (lease && *lease > now)) return OkStatus();
    BROKER_ASSIGN_OR_RETURN(
        auto newer, s.Execute("SELECT id FROM secrets_outbox WHERE kind = $1 AND target = $2 "
                              "AND key = $3 AND generation > $4 LIMIT 1",
                              {Kind(d.kind), d.target, d.key, d.generation}));
    if (!newer.empty()) {
      BROKER_RETURN_IF_ERROR(
          s.Execute("UPDATE secrets_outbox SET state = 'superseded', sealed_value = NULL, "
                    "done_at = $2, lease_until = NULL WHERE id = $1",
                    {id, now}));
      claimed = Claimed{d, Claimed::Disposition::kSuperseded, {}};
      return OkStatus();
    }
    // Deliveries to one target and key go one at a time, so they land in generation order.
    BROKER_ASSIGN_OR_RETURN(
        auto busy, s.Execute("SELECT id FROM secrets_outbox WHERE kind = $1 AND target = $2 "
                             "AND key = $3 AND generation <> $4 AND lease_until > $5 LIMIT 1",
                             {Kind(d.kind), d.target, d.key, d.generation, now}));
    if (!busy.empty()) return OkStatus();
    auto value =
        sealer_.Open(row.Text(15), OutboxAssociatedData(d.kind, d.target, d.key, d.generation));
    if (!value.ok()) {
      // A row that cannot be opened (key file replaced, row tampered with) would fail forever;
      // fail it for good so it does not block the queue.
      spdlog::error("outbox: delivery {} (jti {}): {}", id, d.jti, value.error().ToString());
      BROKER_RETURN_IF_ERROR(s.Execute(
          "UPDATE secrets_outbox SET state = 'failed', sealed_value = NULL, done_at = $2, "
          "last_error = 'Stored value cannot be decrypted' WHERE id = $1",
          {id, now}));
      claimed = Claimed{d, Claimed::Disposition::kUnreadable, {}};
      return OkStatus();
    }
    BROKER_RETURN_IF_ERROR(s.Execute("UPDATE secrets_outbox SET lease_until = $2 WHERE id = $1",
                                     {id, now + options_.lease_ms}));
    claimed = Claimed{d, Claimed::Disposition::kDeliver, std::move(value).value()};
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(tx);
  return claimed;
}

Status Outbox::RecordFailure(const Delivery& d, const Error& error, RunStats& stats) {
  const UnixMillis now = clock_.NowMillis();
  spdlog::warn("outbox: delivery {} to {} {} (jti {}, attempt {}) failed: {}", d.id, Kind(d.kind),
               d.target, d.jti, d.attempts + 1, error.ToString());
  if (IsSuperseded(error) || error.code() == ErrorCode::kInvalidArgument) {
    const bool superseded = IsSuperseded(error);
    ++(superseded ? stats.superseded : stats.failed);
    auto r = db_.Execute(
        "UPDATE secrets_outbox SET state = $2, last_error = $3, done_at = $4, "
        "last_attempt_at = $4, attempts = attempts + 1, sealed_value = NULL, lease_until = NULL "
        "WHERE id = $1",
        {d.id, std::string(superseded ? "superseded" : "failed"), error.message(), now});
    return r.ok() ? OkStatus() : Status(std::move(r).error());
  }
  ++stats.retried;
  auto r = db_.Execute(
      "UPDATE secrets_outbox SET attempts = attempts + 1, last_error = $2, last_attempt_at = $3, "
      "next_attempt_at = $4, lease_until = NULL WHERE id = $1",
      {d.id, error.message(), now, now + BackoffMillis(d.attempts + 1)});
  return r.ok() ? OkStatus() : Status(std::move(r).error());
}

Status Outbox::RecordSuccess(const Delivery& d, std::optional<int64_t> version,
                             const std::vector<DeliveryRequest>& deliveries) {
  return db_.Transact(store::TxMode::kWrite, [&](store::Session& s) -> Status {
    const UnixMillis now = clock_.NowMillis();
    BROKER_RETURN_IF_ERROR(
        s.Execute("UPDATE secrets_outbox SET state = CASE WHEN state = 'pending' THEN 'done' "
                  "ELSE state END, version = $2, done_at = $3, last_attempt_at = $3, "
                  "attempts = attempts + 1, sealed_value = NULL, last_error = NULL, "
                  "lease_until = NULL WHERE id = $1",
                  {d.id, store::NullableInt(version), now}));
    for (const DeliveryRequest& delivery : deliveries) {
      BROKER_RETURN_IF_ERROR(Enqueue(s, delivery));
    }
    for (const std::string& repo : d.then_github) {
      BROKER_RETURN_IF_ERROR(EnqueueJob(s, JobRequest{.kind = DeliveryKind::kGithubSync,
                                                      .target = repo,
                                                      .key = d.target,
                                                      .account_id = d.account_id,
                                                      .jti = d.jti}));
    }
    return OkStatus();
  });
}

int64_t Outbox::BackoffMillis(int64_t attempts) {
  int64_t delay = options_.initial_backoff_ms;
  for (int64_t i = 1; i < attempts && delay < options_.max_backoff_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.max_backoff_ms);
  uint8_t byte = 0;
  random_.Fill(std::span<uint8_t>(&byte, 1));
  return delay + delay / 10 * byte / 255;
}

Result<std::vector<Delivery>> Outbox::ListDeliveries(const std::string& account_id, int limit) {
  BROKER_ASSIGN_OR_RETURN(
      auto rows, db_.Execute(std::string("SELECT ") + kColumns +
                                 " FROM secrets_outbox WHERE account_id = $1 "
                                 "ORDER BY created_at DESC, generation DESC, id DESC LIMIT $2",
                             {account_id, int64_t{limit}}));
  std::vector<Delivery> out;
  for (const auto& row : rows.rows) out.push_back(FromRow(row));
  return out;
}

Result<Delivery> Outbox::Get(const std::string& id) {
  BROKER_ASSIGN_OR_RETURN(
      auto rows,
      db_.Execute(std::string("SELECT ") + kColumns + " FROM secrets_outbox WHERE id = $1", {id}));
  if (rows.empty()) return NotFound("Delivery not found");
  return FromRow(rows.rows[0]);
}

}  // namespace broker::secrets
