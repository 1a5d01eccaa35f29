#pragma once

// The audit log: an append-only, hash-chained table in the application database.
//
// A state change and its audit record commit together: the caller appends the record with
// AppendInTransaction inside the same store transaction as the change, so if the record cannot
// be written the change is rolled back too ("acknowledged => audited"). Each record gets the
// next `sequence` number and carries `prev_hash`, the `hash` of the record before it; `hash` is
// the SHA-256 (hex) of the record's JSON text including `sequence` and `prev_hash`. The text is
// the compact, key-sorted serialisation, so a consumer can recompute it from a shipped line by
// removing `hash` and serialising again. Records never contain tokens, only their jti.
//
// Serialisation: appends take the single `audit_head` row lock (PostgreSQL `FOR UPDATE`;
// SQLite write transactions are already exclusive), so sequence numbers have no gaps.
//
// Thread-safety: AuditLog is immutable after construction and may be shared by all threads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/record.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::audit {

// The hash that precedes the first record.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// A committed record as stored.
struct StoredRecord {
  int64_t sequence = 0;
  std::string prev_hash;
  std::string hash;
  std::string text;  // the JSON text that `hash` covers (no `hash` member)
};

// The JSON line shipped to files: `text` with `hash` added.
std::string ShippedLine(const StoredRecord& record);

class AuditLog {
 public:
  AuditLog(ServiceInfo service, const Clock& clock) : service_(std::move(service)), clock_(clock) {}

  // Creates the audit tables (component "audit").
  static Status Migrate(store::Database& db);

  // Appends `record` in the caller's transaction, after stamping the common fields (and
  // `@timestamp` if the record has none). Returns the record's sequence number. Errors are the
  // store's (Unavailable, Aborted, Internal); the caller must then fail its transaction.
  Result<int64_t> AppendInTransaction(store::Session& session, Json record) const;

  // Appends several records in one transaction of their own.
  Status AppendBatch(store::Database& db, std::vector<Json> records) const;

 private:
  void StampInPlace(Json& record) const;
  // Appends `records` in order; returns the last sequence number.
  Result<int64_t> AppendAll(store::Session& session, std::vector<Json>& records) const;

  ServiceInfo service_;
  const Clock& clock_;
};

// What a chain check found.
struct ChainReport {
  int64_t records = 0;
  int64_t last_sequence = 0;
  std::optional<int64_t> first_bad_sequence;  // set when the chain is broken
  std::string problem;                        // why, when broken

  bool ok() const { return !first_bad_sequence.has_value(); }
};

// Recomputes the chain over the whole table: sequence numbers without gaps from 1, each
// `prev_hash` equal to the previous `hash`, each `hash` equal to SHA-256 of the text.
Result<ChainReport> VerifyChain(store::Database& db);

// The same over shipped JSON lines (one file or the concatenation of several, in order).
// Repeats of a sequence already seen (at-least-once shipping) are skipped.
// A torn last line is reported as a problem.
ChainReport VerifyLines(const std::vector<std::string>& lines);

}  // namespace broker::audit
