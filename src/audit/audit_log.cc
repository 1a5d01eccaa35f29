#include "audit/audit_log.h"

#include <utility>

#include "core/secret.h"
#include "core/time_format.h"

namespace broker::audit {
namespace {

const std::vector<store::Migration>& Steps() {
  static const std::vector<store::Migration> steps = {
      {1, "audit log, head and ship state",
       "CREATE TABLE audit_log (sequence BIGINT PRIMARY KEY, created_at BIGINT NOT NULL, "
       "prev_hash TEXT NOT NULL, hash TEXT NOT NULL, record TEXT NOT NULL);"
       "CREATE TABLE audit_head (id BIGINT PRIMARY KEY, sequence BIGINT NOT NULL, "
       "hash TEXT NOT NULL);"
       "INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, "
       "'0000000000000000000000000000000000000000000000000000000000000000');"
       "CREATE TABLE audit_ship_state (sink TEXT PRIMARY KEY, last_sequence BIGINT NOT NULL)",
       std::nullopt},
  };
  return steps;
}

// Checks one record against its predecessor; returns the problem, or "" if it is sound.
std::string CheckLink(const StoredRecord& record, int64_t expected_sequence,
                      const std::string& expected_prev) {
  if (record.sequence != expected_sequence) return "sequence gap";
  if (record.prev_hash != expected_prev) return "prev_hash does not match the previous hash";
  if (Sha256Hex(record.text) != record.hash) return "hash does not match the record";
  auto parsed = Json::parse(record.text, nullptr, false);
  if (parsed.is_discarded() || parsed.value("sequence", int64_t{-1}) != record.sequence ||
      parsed.value("prev_hash", std::string()) != record.prev_hash) {
    return "record text does not carry its sequence and prev_hash";
  }
  return "";
}

void Feed(ChainReport& report, const StoredRecord& record, std::string& prev_hash) {
  if (!report.ok()) return;
  std::string problem = CheckLink(record, report.last_sequence + 1, prev_hash);
  if (!problem.empty()) {
    report.first_bad_sequence = report.last_sequence + 1;
    report.problem = std::move(problem);
    return;
  }
  ++report.records;
  report.last_sequence = record.sequence;
  prev_hash = record.hash;
}

// Where `"hash":...` goes in the compact, key-sorted text of a JSON object: before the first
// top-level key that sorts after "hash", or before the closing brace. nullopt when the text is
// not such an object or has a top-level key with an escape (then the slow path decides).
std::optional<size_t> HashInsertionPoint(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  int depth = 0;
  bool in_string = false;
  bool expect_key = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
      continue;
    }
    if (c == '"' && depth == 1 && expect_key) {
      const size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string_view key = text.substr(i + 1, end - i - 1);
      if (key.find('\\') != std::string_view::npos || key == "hash") return std::nullopt;
      if (key > "hash") return i;
      i = end;
      expect_key = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
  }
  return text.size() - 1;
}

}  // namespace

std::string ShippedLine(const StoredRecord& record) {
  const std::optional<size_t> at = HashInsertionPoint(record.text);
  if (!at) {
    Json line = Json::parse(record.text);
    line["hash"] = record.hash;
    return line.dump();
  }
  // The same bytes as parsing, adding "hash" and dumping again, without the parse.
  const bool last = *at == record.text.size() - 1;
  std::string member = "\"hash\":" + Json(record.hash).dump();
  if (last && record.text.size() > 2) member.insert(0, ",");
  if (!last) member += ",";
  std::string line = record.text;
  line.insert(*at, member);
  return line;
}

Status AuditLog::Migrate(store::Database& db) { return store::Migrate(db, "audit", Steps()); }

void AuditLog::StampInPlace(Json& record) const {
  if (!record.contains("@timestamp")) record["@timestamp"] = FormatIso8601(clock_.NowMillis());
  record["ecs"] = {{"version", "8.11.0"}};
  record["service"] = {{"name", service_.name}, {"environment", service_.environment}};
  record["host"] = {{"hostname", service_.hostname},
                    {"architecture", service_.architecture},
                    {"os", {{"type", service_.os_type}, {"version", service_.os_version}}}};
  record["labels"]["project"] = "broker";
}

Result<int64_t> AuditLog::AppendInTransaction(store::Session& session, Json record) const {
  std::vector<Json> one;
  one.push_back(std::move(record));
  return AppendAll(session, one);
}

// Reads and updates the head once for all `records`: one INSERT per record in between.
// Stamps the records in place: every member it sets is set again on a retried transaction, so
// a retry appends exactly what the first attempt would have.
Result<int64_t> AuditLog::AppendAll(store::Session& session, std::vector<Json>& records) const {
  const std::string lock_sql = "SELECT sequence, hash FROM audit_head WHERE id = 1" +
                               std::string(store::ForUpdate(session.dialect()));
  BROKER_ASSIGN_OR_RETURN(store::ResultSet head, session.Execute(lock_sql));
  if (head.empty()) return Internal("audit_head row missing");
  StoredRecord stored;
  stored.sequence = head.rows[0].Int(0);
  stored.hash = head.rows[0].Text(1);
  const UnixMillis now = clock_.NowMillis();
  for (Json& record : records) {
    stored.prev_hash = std::move(stored.hash);
    ++stored.sequence;
    StampInPlace(record);
    record["sequence"] = stored.sequence;
    record["prev_hash"] = stored.prev_hash;
    stored.text = record.dump();
    stored.hash = Sha256Hex(stored.text);
    BROKER_RETURN_IF_ERROR(
        session.Execute("INSERT INTO audit_log (sequence, created_at, prev_hash, hash, record) "
                        "VALUES ($1, $2, $3, $4, $5)",
                        {stored.sequence, now, stored.prev_hash, stored.hash, stored.text}));
  }
  BROKER_RETURN_IF_ERROR(
      session.Execute("UPDATE audit_head SET sequence = $1, hash = $2 WHERE id = 1",
                      {stored.sequence, stored.hash}));
  return stored.sequence;
}

Status AuditLog::AppendBatch(store::Database& db, std::vector<Json> records) const {
  return db.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(AppendAll(session, records));
    return OkStatus();
  });
}

Result<ChainReport> VerifyChain(store::Database& db) {
  ChainReport report;
  std::string prev_hash(kGenesisHash);
  constexpr int64_t kPage = 1000;
  while (report.ok()) {
    BROKER_ASSIGN_OR_RETURN(
        store::ResultSet page,
        db.Execute("SELECT sequence, prev_hash, hash, record FROM audit_log WHERE sequence > $1 "
                   "ORDER BY sequence LIMIT $2",
                   {report.last_sequence, kPage}));
    for (const store::Row& row : page.rows) {
      Feed(report, {row.Int(0), row.Text(1), row.Text(2), row.Text(3)}, prev_hash);
    }
    if (static_cast<int64_t>(page.rows.size()) < kPage) break;
  }
  return report;
}

ChainReport VerifyLines(const std::vector<std::string>& lines) {
  ChainReport report;
  std::string prev_hash(kGenesisHash);
  for (size_t i = 0; i < lines.size() && report.ok(); ++i) {
    Json line = Json::parse(lines[i], nullptr, false);
    if (line.is_discarded() || !line.is_object() || !line.contains("hash") ||
        !line.contains("sequence") || !line["sequence"].is_number_integer()) {
      report.first_bad_sequence = report.last_sequence + 1;
      report.problem = i + 1 == lines.size() ? "torn last line" : "unreadable line";
      break;
    }
    StoredRecord record;
    record.sequence = line["sequence"].get<int64_t>();
    record.hash = line["hash"].is_string() ? line["hash"].get<std::string>() : "";
    line.erase("hash");
    record.prev_hash = line.value("prev_hash", std::string());
    record.text = line.dump();
    // At-least-once shipping may repeat records already checked.
    if (record.sequence <= report.last_sequence) continue;
    Feed(report, record, prev_hash);
  }
  return report;
}

}  // namespace broker::audit
