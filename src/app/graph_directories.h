#pragma once

// The application's glue between the graph (which owns accounts, teams and users) and the
// modules that only need a narrow view of it: the token registry (AccountDirectory) and
// sign-in (UserDirectory). Both read the graph's current snapshot, so they see every committed
// change at once.
//
// Thread-safety: both are safe to call from many threads.

#include <string_view>
#include <vector>

#include "accounts/directory.h"
#include "graph/graph.h"
#include "users/user_directory.h"

namespace broker::app {

class GraphAccountDirectory final : public accounts::AccountDirectory {
 public:
  explicit GraphAccountDirectory(graph::Graph& graph) : graph_(graph) {}

  Result<accounts::AccountRecord> FindById(std::string_view id) override;
  Result<accounts::AccountRecord> FindByClientId(std::string_view client_id) override;
  Status CheckMayManage(const api::UserPrincipal& user,
                        const accounts::AccountRecord& account) override;
  Result<std::vector<accounts::AccountRecord>> ListManageable(
      const api::UserPrincipal& user) override;

 private:
  graph::Graph& graph_;
};

class GraphUserDirectory final : public users::UserDirectory {
 public:
  explicit GraphUserDirectory(graph::Graph& graph) : graph_(graph) {}

  Result<users::UserProfile> FindByUsername(std::string_view username) override;
  Result<users::UserProfile> FindById(std::string_view user_id) override;
  Result<users::UserProfile> Upsert(const users::UserProfile& profile) override;

 private:
  graph::Graph& graph_;
};

}  // namespace broker::app
