#include "users/user_directory.h"

namespace broker::users {

Result<UserProfile> InMemoryUserDirectory::FindByUsername(std::string_view username) {
  std::lock_guard lock(mu_);
  for (const auto& [id, profile] : by_id_) {
    if (profile.username == username) return profile;
  }
  return NotFound("User not found");
}

Result<UserProfile> InMemoryUserDirectory::FindById(std::string_view user_id) {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(user_id);
  if (it == by_id_.end()) return NotFound("User not found");
  return it->second;
}

Result<UserProfile> InMemoryUserDirectory::Upsert(const UserProfile& profile) {
  if (profile.username.empty()) return InvalidArgument("A user needs a username");
  std::lock_guard lock(mu_);
  UserProfile* match = nullptr;
  for (auto& [id, existing] : by_id_) {
    bool same_identity =
        !profile.guid.empty() && existing.domain == profile.domain && existing.guid == profile.guid;
    if (same_identity) match = &existing;
  }
  for (auto& [id, existing] : by_id_) {
    if (match == nullptr && existing.username == profile.username) match = &existing;
  }
  UserProfile stored = profile;
  if (match != nullptr) {
    stored.user_id = match->user_id;
    stored.vertex_id = match->vertex_id;
  } else {
    stored.user_id = "u" + std::to_string(next_);
    stored.vertex_id = "v" + std::to_string(next_++);
  }
  by_id_[stored.user_id] = stored;
  return stored;
}

}  // namespace broker::users
