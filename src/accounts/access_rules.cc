#include "accounts/access_rules.h"

#include <utility>

#include "audit/record.h"

namespace broker::accounts {
namespace {

Json RuleJson(const AccessRule& rule) {
  Json out = {{"id", rule.id}, {"list", RuleListName(rule.list)}};
  if (rule.client_id) out["client_id"] = *rule.client_id;
  if (rule.jti) out["jti"] = *rule.jti;
  if (rule.sub) out["sub"] = *rule.sub;
  return out;
}

Json RuleEvent(std::string_view type, const AccessRule& rule, const audit::Operator& by) {
  return audit::RecordBuilder("jwt-access-rule", "configuration", std::string(type), "success")
      .Tags({"token", std::string(RuleListName(rule.list))})
      .User(by)
      .Set("/labels/rule", RuleJson(rule).dump())
      .Message(std::string(type == "creation" ? "Added " : "Removed ") +
               std::string(RuleListName(rule.list)) + " rule " + rule.id + " by " + by.name)
      .Build();
}

bool EmptyMember(const std::optional<std::string>& member) {
  return member.has_value() && member->empty();
}

}  // namespace

AccessRule AccessRuleFromRow(const store::Row& row) {
  return {.id = row.Text(0),
          .list = row.Text(1) == "block" ? RuleList::kBlock : RuleList::kAllow,
          .client_id = row.OptText(2),
          .jti = row.OptText(3),
          .sub = row.OptText(4),
          .created_at = row.Int(5),
          .created_by = row.Text(6)};
}

std::string_view RuleListName(RuleList list) {
  return list == RuleList::kBlock ? "block" : "allow";
}

Result<AccessRule> AccessRules::Add(AccessRule rule, const audit::Operator& by) {
  if (EmptyMember(rule.client_id) || EmptyMember(rule.jti) || EmptyMember(rule.sub)) {
    return InvalidArgument("A rule member may be absent but not empty");
  }
  rule.id = random_.Uuid4();
  rule.created_at = clock_.NowMillis();
  rule.created_by = by.id;
  Status status = db_.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    BROKER_RETURN_IF_ERROR(session.Execute(
        "INSERT INTO jwt_access_rule (id, list, client_id, jti, sub, created_at, created_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {rule.id, std::string(RuleListName(rule.list)), store::NullableText(rule.client_id),
         store::NullableText(rule.jti), store::NullableText(rule.sub), rule.created_at,
         rule.created_by}));
    BROKER_RETURN_IF_ERROR(audit_.AppendInTransaction(session, RuleEvent("creation", rule, by)));
    return OkStatus();
  });
  BROKER_RETURN_IF_ERROR(status);
  return rule;
}

Status AccessRules::Remove(std::string_view id, const audit::Operator& by) {
  return db_.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    BROKER_ASSIGN_OR_RETURN(store::ResultSet rs,
                            session.Execute("SELECT " + std::string(kAccessRuleColumns) +
                                                " FROM jwt_access_rule WHERE id = $1",
                                            {std::string(id)}));
    if (rs.empty()) return NotFound("No access rule with this id");
    BROKER_RETURN_IF_ERROR(
        session.Execute("DELETE FROM jwt_access_rule WHERE id = $1", {std::string(id)}));
    BROKER_RETURN_IF_ERROR(audit_.AppendInTransaction(
        session, RuleEvent("deletion", AccessRuleFromRow(rs.rows[0]), by)));
    return OkStatus();
  });
}

Result<std::vector<AccessRule>> AccessRules::List() {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rs,
                          db_.Execute("SELECT " + std::string(kAccessRuleColumns) +
                                      " FROM jwt_access_rule ORDER BY created_at, id"));
  std::vector<AccessRule> rules;
  for (const store::Row& row : rs.rows) rules.push_back(AccessRuleFromRow(row));
  return rules;
}

namespace {

bool RuleMatches(const AccessRule& rule, const jwt::Claims& claims) {
  return (!rule.client_id || *rule.client_id == claims.client_id) &&
         (!rule.jti || *rule.jti == claims.jti) && (!rule.sub || *rule.sub == claims.sub);
}

}  // namespace

Status RulesVerdictFromCounts(int64_t matching_blocks, int64_t matching_allows) {
  if (matching_blocks > 0) return PermissionDenied("Invalid JWT").WithLabel("Block list has match");
  if (matching_allows == 0) {
    return PermissionDenied("Invalid JWT").WithLabel("Allow list has no match");
  }
  return OkStatus();
}

Status RulesVerdict(const std::vector<AccessRule>& rules, const jwt::Claims& claims) {
  int64_t blocks = 0;
  int64_t allows = 0;
  for (const AccessRule& rule : rules) {
    if (!RuleMatches(rule, claims)) continue;
    ++(rule.list == RuleList::kBlock ? blocks : allows);
  }
  return RulesVerdictFromCounts(blocks, allows);
}

Status AccessRules::Check(const jwt::Claims& claims) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      db_.Execute("SELECT list FROM jwt_access_rule WHERE (client_id IS NULL OR client_id = $1) "
                  "AND (jti IS NULL OR jti = $2) AND (sub IS NULL OR sub = $3)",
                  {claims.client_id, claims.jti, claims.sub}));
  bool allowed = false;
  for (const store::Row& row : rs.rows) {
    if (row.Text(0) == "block") {
      return PermissionDenied("Invalid JWT").WithLabel("Block list has match");
    }
    allowed = true;
  }
  if (!allowed) return PermissionDenied("Invalid JWT").WithLabel("Allow list has no match");
  return OkStatus();
}

}  // namespace broker::accounts
