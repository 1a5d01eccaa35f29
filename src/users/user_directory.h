#pragma once

// The users that sign in. Profiles live in the graph (`user` collection, owned by the graph
// module); this module only needs to find and upsert them, through `UserDirectory`, which the
// application implements over the graph. `InMemoryUserDirectory` serves tests and tools.

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace broker::users {

struct UserProfile {
  std::string user_id;    // id of the `user` collection object
  std::string vertex_id;  // id of its graph vertex
  std::string username;
  std::string name;
  std::string email;
  std::string domain;  // identity provider domain, e.g. "idp"; empty for local users
  std::string guid;    // the identity provider's stable id; empty for local users
};

// Implemented by the application over the graph. Thread-safe.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // NotFound when no user has that username.
  virtual Result<UserProfile> FindByUsername(std::string_view username) = 0;
  // NotFound when no user has that id.
  virtual Result<UserProfile> FindById(std::string_view user_id) = 0;
  // Creates or updates the user matched by (domain, guid), else by username, and returns the
  // stored profile with its ids filled in. Used for OIDC logins. InvalidArgument for a profile
  // without a username.
  virtual Result<UserProfile> Upsert(const UserProfile& profile) = 0;
};

// A map-backed directory for tests and tools. Ids are "u<n>" and "v<n>". Thread-safe.
class InMemoryUserDirectory final : public UserDirectory {
 public:
  Result<UserProfile> FindByUsername(std::string_view username) override;
  Result<UserProfile> FindById(std::string_view user_id) override;
  Result<UserProfile> Upsert(const UserProfile& profile) override;

 private:
  std::mutex mu_;
  std::map<std::string, UserProfile, std::less<>> by_id_;
  int next_ = 1;
};

}  // namespace broker::users
