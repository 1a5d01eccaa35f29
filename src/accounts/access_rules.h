#pragma once

// The allow and block lists of account tokens (the reference's `jwtAllow` / `jwtBlock`).
//
// A rule names any of client_id, jti and sub; a rule matches a token when every member it names
// equals the token's claim, so an empty rule matches every token. A token is refused when a
// block rule matches it (403 "Block list has match") — block wins over allow — or when no allow
// rule matches it (403 "Allow list has no match"; an empty allow list therefore refuses every
// token). The schema starts with one empty allow rule ("default-allow"), which admits all.
// Rules are read from the database on every check, so an edit applies to the very next request
// on every node. Adding and removing rules are audited admin actions.
//
// Thread-safety: all functions may be called from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "jwt/jwt.h"
#include "store/database.h"

namespace broker::accounts {

enum class RuleList { kAllow, kBlock };
std::string_view RuleListName(RuleList list);

struct AccessRule {
  std::string id;
  RuleList list = RuleList::kAllow;
  std::optional<std::string> client_id;
  std::optional<std::string> jti;
  std::optional<std::string> sub;
  UnixMillis created_at = 0;
  std::string created_by;
};

// The columns every rule query selects, in the order AccessRuleFromRow reads them.
inline constexpr std::string_view kAccessRuleColumns =
    "id, list, client_id, jti, sub, created_at, created_by";
// One rule from a row of `SELECT <kAccessRuleColumns> FROM jwt_access_rule`.
AccessRule AccessRuleFromRow(const store::Row& row);

// The verdict of `rules` (all rules, any order) on `claims`, as AccessRules::Check gives it.
Status RulesVerdict(const std::vector<AccessRule>& rules, const jwt::Claims& claims);
// The same from the numbers of matching block and allow rules.
Status RulesVerdictFromCounts(int64_t matching_blocks, int64_t matching_allows);

class AccessRules {
 public:
  AccessRules(store::Database& db, const audit::AuditLog& audit, const Clock& clock, Random& random)
      : db_(db), audit_(audit), clock_(clock), random_(random) {}

  // Adds a rule (its id is returned in the copy). InvalidArgument for an empty member string.
  Result<AccessRule> Add(AccessRule rule, const audit::Operator& by);
  // NotFound if no rule has `id`.
  Status Remove(std::string_view id, const audit::Operator& by);
  Result<std::vector<AccessRule>> List();

  // Ok, or PermissionDenied "Invalid JWT" labelled "Block list has match" or "Allow list has no
  // match". Store errors pass through.
  Status Check(const jwt::Claims& claims);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace broker::accounts
