#include "secrets/distribution.h"

namespace broker::secrets {

Status RememberDistribution(store::Session& session, const std::string& account_id,
                            DistributionChoice choice, UnixMillis now) {
  BROKER_RETURN_IF_ERROR(session.Execute(
      "INSERT INTO secrets_distribution (account_id, patch, sync_secrets, updated_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE SET patch = excluded.patch, "
      "sync_secrets = excluded.sync_secrets, updated_at = excluded.updated_at",
      {account_id, int64_t{choice.patch ? 1 : 0}, int64_t{choice.sync_secrets ? 1 : 0}, now}));
  return OkStatus();
}

Result<std::optional<DistributionChoice>> RememberedDistribution(store::Session& session,
                                                                 const std::string& account_id) {
  BROKER_ASSIGN_OR_RETURN(
      const store::ResultSet rows,
      session.Execute("SELECT patch, sync_secrets FROM secrets_distribution WHERE account_id = $1",
                      {account_id}));
  if (rows.empty()) return std::optional<DistributionChoice>();
  return std::optional<DistributionChoice>(
      DistributionChoice{rows.rows[0].Int(0) != 0, rows.rows[0].Int(1) != 0});
}

}  // namespace broker::secrets
