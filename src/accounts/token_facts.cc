#include "accounts/token_facts.h"

#include <utility>

namespace broker::accounts {
namespace {

std::string OneStatementSql() {
  const std::string matching =
      "FROM jwt_access_rule r WHERE (r.client_id IS NULL OR r.client_id = $2) "
      "AND (r.jti IS NULL OR r.jti = $1) AND (r.sub IS NULL OR r.sub = $3)";
  return "SELECT " + std::string(TokenRowColumns()) + ", (SELECT COUNT(*) " + matching +
         " AND r.list = 'block')" + ", (SELECT COUNT(*) " + matching + " AND r.list = 'allow')" +
         " FROM (SELECT 1 AS one) probe LEFT JOIN token_registry ON token_registry.jti = $1";
}

}  // namespace

Result<TokenFacts> TokenFactsReader::Read(const jwt::Claims& claims) {
  const std::optional<uint64_t> version = db_.ChangeVersion();
  if (!version) return ReadInOneStatement(claims);
  return ReadThroughCache(claims, *version);
}

Result<TokenFacts> TokenFactsReader::ReadInOneStatement(const jwt::Claims& claims) {
  static const std::string sql = OneStatementSql();
  ++database_reads_;
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rs,
                          db_.Execute(sql, {claims.jti, claims.client_id, claims.sub}));
  if (rs.empty()) return Internal("token facts query returned no row");
  const store::Row& row = rs.rows[0];
  const size_t counts = row.size() - 2;
  TokenFacts facts;
  if (!row.IsNull(0)) facts.row = ParseTokenRow(row);
  facts.rules = RulesVerdictFromCounts(row.Int(counts), row.Int(counts + 1));
  return facts;
}

Result<TokenFacts> TokenFactsReader::ReadThroughCache(const jwt::Claims& claims, uint64_t version) {
  std::optional<TokenRow> row;
  std::optional<std::vector<AccessRule>> rules;
  {
    std::lock_guard lock(mutex_);
    // An older version means another thread already saw a newer commit: skip the cache.
    if (!Adopt(version)) version = 0;
    if (auto it = rows_.find(claims.jti); version != 0 && it != rows_.end()) row = it->second;
    if (version != 0) rules = rules_;
  }
  if (version == 0) return ReadInOneStatement(claims);
  if (!row) {
    BROKER_ASSIGN_OR_RETURN(row, LoadRow(claims.jti));
  }
  if (!rules) {
    BROKER_ASSIGN_OR_RETURN(rules, LoadRules());
  }
  Keep(version, claims.jti, row, *rules);
  return TokenFacts{std::move(row), RulesVerdict(*rules, claims)};
}

Result<std::optional<TokenRow>> TokenFactsReader::LoadRow(const std::string& jti) {
  ++database_reads_;
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rs,
                          db_.Execute("SELECT " + std::string(TokenRowColumns()) +
                                          " FROM token_registry WHERE jti = $1",
                                      {jti}));
  if (rs.empty()) return std::optional<TokenRow>();
  return std::optional<TokenRow>(ParseTokenRow(rs.rows[0]));
}

Result<std::vector<AccessRule>> TokenFactsReader::LoadRules() {
  ++database_reads_;
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      db_.Execute("SELECT " + std::string(kAccessRuleColumns) + " FROM jwt_access_rule"));
  std::vector<AccessRule> rules;
  rules.reserve(rs.rows.size());
  for (const store::Row& rule : rs.rows) rules.push_back(AccessRuleFromRow(rule));
  return rules;
}

void TokenFactsReader::Keep(uint64_t version, const std::string& jti,
                            const std::optional<TokenRow>& row,
                            const std::vector<AccessRule>& rules) {
  std::lock_guard lock(mutex_);
  // What was read is current only if no commit was seen since `version` was taken.
  if (version_ != version) return;
  if (rows_.size() >= capacity_) rows_.clear();
  if (row) rows_.try_emplace(jti, *row);
  if (!rules_) rules_ = rules;
}

bool TokenFactsReader::Adopt(uint64_t version) {
  if (version < version_) return false;
  if (version > version_) {
    rows_.clear();
    rules_.reset();
    version_ = version;
  }
  return true;
}

uint64_t TokenFactsReader::database_reads() const { return database_reads_.load(); }

}  // namespace broker::accounts
