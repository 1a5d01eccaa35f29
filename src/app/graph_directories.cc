#include "app/graph_directories.h"

#include "graph/permissions.h"

namespace broker::app {
namespace {

constexpr std::string_view kAccounts = "brokerAccount";

std::string Field(const graph::Vertex& vertex, const char* name) {
  const auto it = vertex.doc.find(name);
  return it != vertex.doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

accounts::AccountRecord ToAccount(const graph::Vertex& vertex) {
  return {.id = vertex.object_id,
          .vertex_id = vertex.id,
          .name = Field(vertex, "name"),
          .email = Field(vertex, "email"),
          .client_id = Field(vertex, "clientId")};
}

users::UserProfile ToProfile(const graph::Vertex& vertex) {
  return {.user_id = vertex.object_id,
          .vertex_id = vertex.id,
          .username = Field(vertex, "username"),
          .name = Field(vertex, "name"),
          .email = Field(vertex, "email"),
          .domain = Field(vertex, "domain"),
          .guid = Field(vertex, "guid")};
}

}  // namespace

Result<accounts::AccountRecord> GraphAccountDirectory::FindById(std::string_view id) {
  const auto snapshot = graph_.snapshot();
  const graph::Vertex* vertex = snapshot->FindByObjectId(id);
  if (vertex == nullptr || vertex->collection != kAccounts) {
    return NotFound("Broker account not found");
  }
  return ToAccount(*vertex);
}

Result<accounts::AccountRecord> GraphAccountDirectory::FindByClientId(std::string_view client_id) {
  const auto snapshot = graph_.snapshot();
  const graph::Vertex* vertex = snapshot->FindByField(kAccounts, "clientId", Json(client_id));
  if (vertex == nullptr) return NotFound("No broker account has that client_id");
  return ToAccount(*vertex);
}

Status GraphAccountDirectory::CheckMayManage(const api::UserPrincipal& user,
                                             const accounts::AccountRecord& account) {
  if (user.admin) return OkStatus();
  const auto snapshot = graph_.snapshot();
  const graph::SudoExplanation why =
      graph::ExplainAccountSudo(*snapshot, user.vertex_id, account.vertex_id);
  if (why.allowed) return OkStatus();
  std::string message = why.reason.empty() ? "requires lead-developer or full-access on a team "
                                             "that owns this account"
                                           : why.reason;
  message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
  return PermissionDenied(std::move(message));
}

Result<std::vector<accounts::AccountRecord>> GraphAccountDirectory::ListManageable(
    const api::UserPrincipal& user) {
  const auto snapshot = graph_.snapshot();
  const graph::Permissions permissions =
      user.admin ? graph::Permissions{} : graph::PermissionsFor(*snapshot, user.vertex_id);
  std::vector<accounts::AccountRecord> accounts;
  for (const graph::Vertex* vertex : snapshot->InCollection(kAccounts)) {
    if (user.admin || permissions.Has(graph::Permission::kSudo, vertex->id)) {
      accounts.push_back(ToAccount(*vertex));
    }
  }
  std::sort(accounts.begin(), accounts.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return accounts;
}

Result<users::UserProfile> GraphUserDirectory::FindByUsername(std::string_view username) {
  const auto snapshot = graph_.snapshot();
  const graph::Vertex* vertex = snapshot->FindByKey("user", username);
  if (vertex == nullptr) return NotFound("User not found");
  return ToProfile(*vertex);
}

Result<users::UserProfile> GraphUserDirectory::FindById(std::string_view user_id) {
  const auto snapshot = graph_.snapshot();
  const graph::Vertex* vertex = snapshot->FindByObjectId(user_id);
  if (vertex == nullptr || vertex->collection != "user") return NotFound("User not found");
  return ToProfile(*vertex);
}

Result<users::UserProfile> GraphUserDirectory::Upsert(const users::UserProfile& profile) {
  if (profile.username.empty()) return InvalidArgument("A user needs a username");
  BROKER_ASSIGN_OR_RETURN(const graph::Vertex vertex,
                          graph_.UpsertUser({.username = profile.username,
                                             .name = profile.name,
                                             .email = profile.email,
                                             .domain = profile.domain,
                                             .guid = profile.guid}));
  return ToProfile(vertex);
}

}  // namespace broker::app
