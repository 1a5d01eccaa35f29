#pragma once

// Who is told that an account's token expires (PRODUCT.md rule 11): the users with
// `lead-developer` or `full-access` on a team that `owns` the account, and, for the 7-day
// notice only, the team owners as well.
//
// Thread-safety: pure functions over an immutable graph Snapshot.

#include <string>
#include <string_view>
#include <vector>

#include "graph/snapshot.h"

namespace broker::notify {

struct Recipient {
  std::string user_id;  // the user's collection object id
  std::string name;
  std::string email;  // may be empty (the notice then gives up at once)
  std::string role;   // "lead-developer", "full-access" or "owner"
};

// The recipients of a notice about the account whose vertex is `account_vertex_id`, each user
// once (a lead-developer who is also an owner is told as lead-developer), sorted by name then
// id. Owners are included only when `include_owners`. Restricted edges are ignored. Empty for an
// unknown vertex.
std::vector<Recipient> RecipientsFor(const graph::Snapshot& snapshot,
                                     std::string_view account_vertex_id, bool include_owners);

}  // namespace broker::notify
