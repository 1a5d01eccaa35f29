#pragma once

// What the token registry needs to know about broker accounts and who may manage them. The
// graph module owns this data; the application implements AccountDirectory over it.
//
// Thread-safety: implementations must be safe to call from many threads at once.

#include <string>
#include <string_view>
#include <vector>

#include "api/auth_context.h"
#include "core/status.h"

namespace broker::accounts {

struct AccountRecord {
  std::string id;         // the brokerAccount collection object id
  std::string vertex_id;  // its graph vertex
  std::string name;
  std::string email;      // becomes the token's `sub`
  std::string client_id;  // a UUID; becomes the token's `client_id`
};

class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;

  // NotFound if no account has this id (including a deleted account).
  virtual Result<AccountRecord> FindById(std::string_view id) = 0;
  // NotFound if no account has this client_id.
  virtual Result<AccountRecord> FindByClientId(std::string_view client_id) = 0;
  // Ok if `user` may generate, renew or revoke the account's tokens: the global admin role, or
  // lead-developer or full-access on a team that owns the account. Otherwise PermissionDenied
  // whose public message names the role and team that would allow it, e.g. "Requires
  // lead-developer or full-access on team Alpha".
  virtual Status CheckMayManage(const api::UserPrincipal& user, const AccountRecord& account) = 0;
  // The accounts `user` may manage (all accounts for an admin), in a stable order.
  virtual Result<std::vector<AccountRecord>> ListManageable(const api::UserPrincipal& user) = 0;
};

}  // namespace broker::accounts
