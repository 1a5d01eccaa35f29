#pragma once

// What a bearer check reads from the database for one token: its registry row and the verdict
// of the allow/block rules. Exact, never stale: a request that starts after a revoke, a
// supersede or a rule change was acknowledged sees that change, on every node.
//
// SQLite (one database file, possibly written by this process and by CLI processes): rows and
// the rule list are kept in memory, tagged with the store's ChangeVersion() taken before they
// were read. Each read first asks for the current version (PRAGMA data_version on a dedicated
// connection, about a microsecond); any commit since, by this process or another one, changes
// it and empties the cache, so the next read goes to the database. Memory is bounded by
// `capacity` rows (the cache is emptied when it is full).
//
// PostgreSQL (several nodes share the database): no cache; one statement returns the row and
// the numbers of matching block and allow rules, one round trip per check.
//
// Thread-safety: Read may be called from any number of threads.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "accounts/access_rules.h"
#include "accounts/registry.h"
#include "core/status.h"
#include "jwt/jwt.h"
#include "store/database.h"

namespace broker::accounts {

struct TokenFacts {
  std::optional<TokenRow> row;  // nullopt: no registry row has the token's jti
  Status rules;                 // RulesVerdict for the token's claims
};

class TokenFactsReader {
 public:
  explicit TokenFactsReader(store::Database& db, size_t capacity = 10000)
      : db_(db), capacity_(capacity) {}

  // The facts for the token with `claims`. Store errors (Unavailable, Internal) pass through.
  Result<TokenFacts> Read(const jwt::Claims& claims);

  // Statements run so far (for tests: a cached read runs none).
  uint64_t database_reads() const;

 private:
  Result<TokenFacts> ReadInOneStatement(const jwt::Claims& claims);
  Result<TokenFacts> ReadThroughCache(const jwt::Claims& claims, uint64_t version);
  Result<std::optional<TokenRow>> LoadRow(const std::string& jti);
  Result<std::vector<AccessRule>> LoadRules();
  // Caches what was read under `version`, unless a newer version was seen meanwhile.
  void Keep(uint64_t version, const std::string& jti, const std::optional<TokenRow>& row,
            const std::vector<AccessRule>& rules);
  // Adopts `version` if it is newer (emptying the cache); false if it is older than the cache.
  bool Adopt(uint64_t version);

  store::Database& db_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  uint64_t version_ = 0;  // the ChangeVersion the cached entries were read under
  std::unordered_map<std::string, TokenRow> rows_;
  std::optional<std::vector<AccessRule>> rules_;
  std::atomic<uint64_t> database_reads_{0};
};

}  // namespace broker::accounts
