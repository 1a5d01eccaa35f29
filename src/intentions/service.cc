#include "intentions/service.h"

#include <charconv>
#include <ctime>

#include "core/ids.h"
#include "core/secret.h"
#include "core/time_format.h"
#include "graph/traversals.h"
#include "intentions/audit_events.h"
#include "intentions/body.h"

namespace broker::intentions {
namespace {

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Reply Refusal(const std::string& message, Json error, std::optional<Json> data = std::nullopt) {
  Json body = {{"statusCode", 400}, {"message", message}, {"error", std::move(error)}};
  if (data) body["data"] = std::move(*data);
  return Reply{400, std::move(body)};
}

// RFC 1123, e.g. "Wed, 05 Aug 2026 19:01:10 GMT", as the reference's `expiry`.
std::string FormatHttpDate(UnixMillis millis) {
  const auto seconds = static_cast<time_t>(millis / 1000);
  struct tm parts {};
  gmtime_r(&seconds, &parts);
  char text[40];
  const size_t length = strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return {text, length};
}

std::optional<int> ParseTtl(std::string_view text) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

bool QuickstartRequested(std::optional<std::string_view> quickstart) {
  // The reference starts quickly for any value, even "false"; we honour false and 0.
  return quickstart && !quickstart->empty() && *quickstart != "false" && *quickstart != "0";
}

// "name@domain" splits at the last '@'; otherwise the domain comes from `user.domain`.
std::pair<std::string, std::string> NameAndDomain(const Json& user) {
  std::string name = Str(user, "name");
  std::string domain = Str(user, "domain");
  const size_t at = name.rfind('@');
  if (at != std::string::npos && at > 0) {
    domain = name.substr(at + 1);
    name = name.substr(0, at);
  }
  return {name, domain};
}

const graph::Vertex* FindByAlias(const graph::Snapshot& snapshot, const std::string& guid,
                                 const std::string& domain) {
  for (const graph::Vertex* user : snapshot.InCollection("user")) {
    const Json& aliases = user->doc.value("alias", Json::array());
    if (!aliases.is_array()) continue;
    for (const Json& alias : aliases) {
      if (Str(alias, "guid") == guid && Str(alias, "domain") == domain) return user;
    }
  }
  return nullptr;
}

const graph::Vertex* FindUser(const graph::Snapshot& snapshot, const Json& user) {
  const std::string id = Str(user, "id");
  if (!id.empty()) return snapshot.FindByField("user", "guid", id);
  auto [name, domain] = NameAndDomain(user);
  if (name.empty()) return nullptr;
  const graph::Vertex* found = snapshot.FindByKey("user", name);
  if (found != nullptr) {
    const std::string found_domain = Str(found->doc, "domain");
    if (domain.empty() || found_domain.empty() || found_domain == domain) return found;
  }
  return FindByAlias(snapshot, name, domain);
}

Json EmbeddedUser(const graph::Vertex& user, const graph::Vertex& account) {
  return {{"domain", Str(user.doc, "domain")},
          {"email", Str(user.doc, "email")},
          {"full_name", user.name},
          {"id", Str(user.doc, "guid")},
          {"name", user.key},
          {"vertex", user.id},
          {"group", {{"domain", "broker"}, {"id", account.object_id}, {"name", account.name}}}};
}

Json JwtOf(const Opener& opener) {
  Json jwt = {{"client_id", opener.client_id},
              {"exp", opener.exp},
              {"jti", opener.jti},
              {"sub", opener.sub}};
  if (opener.iat) jwt["iat"] = *opener.iat;
  if (opener.nbf) jwt["nbf"] = *opener.nbf;
  return jwt;
}

std::string LifecycleOf(const Json& action) {
  std::string state = Str(action, "lifecycle");
  return state.empty() ? "undefined" : state;
}

Error IllegalTransition(const Json& action, const std::string& transition) {
  return InvalidArgument("Illegal lifecycle request")
      .WithLabel("Action's current lifecycle state (" + LifecycleOf(action) +
                 ") can not do transition: " + transition);
}

Status CheckOutcome(std::optional<std::string_view> outcome) {
  if (!outcome || *outcome == "success" || *outcome == "failure" || *outcome == "unknown") {
    return OkStatus();
  }
  return InvalidArgument("Illegal outcome");
}

// Merges `patch` into `target` (objects recursively; other values replace).
void MergeInto(Json& target, const Json& patch) {
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_object() && target.contains(key) && target[key].is_object() && key != "prop") {
      MergeInto(target[key], value);
    } else {
      target[key] = value;
    }
  }
}

void MergeCloudTarget(Json& action, const Json& target) {
  Json& current = action["cloud"]["target"];
  const bool replace = Str(target, "propStrategy") == "replace";
  Json prop = current.is_object() ? current.value("prop", Json::object()) : Json::object();
  if (replace) prop = Json::object();
  if (target.contains("prop")) prop.update(target["prop"]);
  MergeInto(current, target);
  current["prop"] = prop;
}

}  // namespace

IntentionService::IntentionService(IntentionDeps deps, IntentionOptions options)
    : deps_(std::move(deps)), options_(std::move(options)) {}

Result<Reply> IntentionService::Open(const Opener& opener, const Json& body,
                                     std::optional<std::string_view> ttl_text,
                                     std::optional<std::string_view> quickstart,
                                     const audit::RequestInfo& request) {
  BROKER_RETURN_IF_ERROR(ValidateIntentionBody(body));
  int ttl = options_.default_ttl_seconds;
  if (ttl_text) {
    auto parsed = ParseTtl(*ttl_text);
    if (!parsed) return InvalidArgument("Validation failed (numeric string is expected)");
    ttl = *parsed;
  }
  if (ttl < options_.min_ttl_seconds || ttl > options_.max_ttl_seconds) {
    return InvalidArgument("TTL out of bounds")
        .WithLabel("TTL must be between " + std::to_string(options_.min_ttl_seconds) + " and " +
                   std::to_string(options_.max_ttl_seconds));
  }
  const bool quick = QuickstartRequested(quickstart);
  if (quick && body["actions"].size() != 1) {
    return InvalidArgument("Quick start failure")
        .WithLabel("Quick start intentions must have 1 action");
  }
  return OpenChecked(opener, body, ttl, quick, request);
}

namespace {

// The per-open state built inside the store transaction.
struct Draft {
  StoredIntention intention;
  std::string token;
  std::vector<std::string> action_tokens;
  Json errors = Json::array();
};

Json PrepareAction(const graph::Snapshot& snapshot, const graph::Vertex& account, const Json& input,
                   const Json& intention_user, const graph::Vertex* intention_user_vertex,
                   const graph::Vertex** action_user) {
  Json action = input;
  for (const char* ignored :
       {"artifacts", "lifecycle", "trace", "ruleViolation", "vaultInstance"}) {
    action.erase(ignored);
  }
  if (action.contains("source")) {
    Json references = Json::array({action["source"]});
    for (const Json& reference : action.value("references", Json::array())) {
      references.push_back(reference);
    }
    action["references"] = references;
    action.erase("source");
  }
  *action_user = intention_user_vertex;
  if (input.contains("user") && input["user"].is_object()) {
    *action_user = FindUser(snapshot, input["user"]);
    action["user"] = *action_user ? EmbeddedUser(**action_user, account) : input["user"];
  } else {
    action["user"] = intention_user;
  }
  const graph::Vertex* service = snapshot.FindByKey("service", Str(action["service"], "name"));
  if (service != nullptr) {
    action["service"]["id"] = service->object_id;
  } else {
    action["service"].erase("id");
  }
  const std::string name = Str(action, "action");
  if (name != "package-build" && name != "package-installation") action.erase("package");
  ApplyVaultEnvironment(snapshot, action);
  return action;
}

// The package-build action of a closed, successful intention that `reference` names
// ({intention, action?} where action is "<action>#<id>" or an id), or null.
Json BuildActionOf(store::Session& session, const Json& reference) {
  auto found = FindById(session, Str(reference, "intention"));
  if (!found.ok() || !*found || Str((**found).doc["transaction"], "outcome") != "success") {
    return nullptr;
  }
  std::string wanted = Str(reference, "action");
  if (const size_t hash = wanted.find('#'); hash != std::string::npos) {
    wanted = wanted.substr(hash + 1);
  }
  for (const Json& action : (**found).doc["actions"]) {
    if (Str(action, "action") != "package-build") continue;
    if (wanted.empty() || Str(action, "id") == wanted) return action;
  }
  return nullptr;
}

// Reference 6.6: an install that names its build (first of `references`) takes the build's
// package, overridden by the members the install sets itself.
void EnrichInstall(store::Session& session, Json& action) {
  if (Str(action, "action") != "package-installation") return;
  const Json& references = action.value("references", Json::array());
  if (!references.is_array() || references.empty()) return;
  const Json build = BuildActionOf(session, references[0]);
  if (!build.is_object() || !build.contains("package")) return;
  Json package = build["package"];
  const Json own = action.value("package", Json::object());
  for (const auto& [key, value] : own.items()) {
    if (!value.is_null()) package[key] = value;
  }
  action["package"] = package;
}

}  // namespace

Result<Reply> IntentionService::OpenChecked(const Opener& opener, const Json& body, int ttl,
                                            bool quickstart, const audit::RequestInfo& request) {
  const auto snapshot = deps_.graph->snapshot();
  if (deps_.token_still_valid && !deps_.token_still_valid(opener.jti).ok()) {
    return Refusal("Authorization failed", "Authorization failed", Json::array());
  }
  const graph::Vertex* account = snapshot->FindVertex(opener.vertex_id);
  if (account == nullptr) account = snapshot->FindByObjectId(opener.account_id);
  if (account == nullptr || account->collection != "brokerAccount") {
    return Refusal(
        "Token must be bound to a broker account", "Bad Request",
        Json{{"action", ""}, {"action_id", ""}, {"key", "jwt.jti"}, {"value", opener.jti}});
  }
  const AccountFlags flags = FlagsOf(account);
  const graph::Vertex* user = FindUser(*snapshot, body["user"]);
  if (user == nullptr && !flags.skip_user_validation) {
    return Refusal("User not found",
                   "Please check if user details in intention are correct. If an alias is "
                   "used, ensure it exists in the system.",
                   body["user"]);
  }
  const Json intention_user =
      user ? EmbeddedUser(*user, *account) : Json{{"name", NameAndDomain(body["user"]).first}};
  const UnixMillis now = deps_.clock->NowMillis();
  RuleContext context{snapshot.get(), account,
                      flags,          graph::BoundProjectsAndServices(*snapshot, account->id),
                      nullptr,        nullptr};

  Draft draft;
  const Status stored =
      deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
        draft = Draft{};
        const History history = HistoryFor(session);
        context.history = &history;
        draft.token = deps_.random->Base64UrlToken(32);
        StoredIntention& intention = draft.intention;
        intention.id = NewObjectId(*deps_.clock, *deps_.random);
        intention.account_id = account->object_id;
        intention.jti = opener.jti;
        intention.start_ms = now;
        intention.expiry_ms = now + int64_t{ttl} * 1000;
        Json& doc = intention.doc;
        doc = {{"id", intention.id},
               {"accountId", account->object_id},
               {"requireRoleId", flags.require_role_id},
               {"event", body["event"]},
               {"jwt", JwtOf(opener)},
               {"user", intention_user},
               {"transaction", {{"hash", Sha256Hex(draft.token)}, {"start", FormatIso8601(now)}}},
               {"actions", Json::array()}};
        for (const Json& input : body["actions"]) {
          const graph::Vertex* action_user = nullptr;
          Json action =
              PrepareAction(*snapshot, *account, input, intention_user, user, &action_user);
          EnrichInstall(session, action);
          draft.action_tokens.push_back(deps_.random->Base64UrlToken(32));
          action["trace"] = {{"hash", Sha256Hex(draft.action_tokens.back())}};
          context.user = action_user;
          if (auto violation = CheckAction(context, action)) {
            action["ruleViolation"] = {{"message", violation->message}, {"key", violation->key}};
            action["trace"]["outcome"] = "rejected";
            draft.errors.push_back({{"message", violation->message},
                                    {"data",
                                     {{"action", Str(action, "action")},
                                      {"action_id", Str(action, "id")},
                                      {"key", violation->key},
                                      {"value", ValueAt(action, violation->key)}}}});
          }
          doc["actions"].push_back(std::move(action));
        }
        if (!draft.errors.empty()) {
          intention.closed = true;
          intention.expiry_ms = now;
          doc["transaction"]["outcome"] = "rejected";
          doc["transaction"]["end"] = FormatIso8601(now);
          doc["transaction"]["duration"] = 0;
        }
        doc["expiry"] = intention.expiry_ms;
        doc["closed"] = intention.closed;
        BROKER_RETURN_IF_ERROR(InsertIntention(session, intention, doc["transaction"]["hash"]));
        BROKER_RETURN_IF_ERROR(
            deps_.audit->AppendInTransaction(session, IntentionOpenRecord(doc, request)));
        for (size_t i = 0; i < doc["actions"].size(); ++i) {
          BROKER_RETURN_IF_ERROR(
              deps_.audit->AppendInTransaction(session, ActionAuthRecord(doc, i, request)));
        }
        return OkStatus();
      });
  BROKER_RETURN_IF_ERROR(stored);
  if (!draft.errors.empty()) return Refusal("Authorization failed", draft.errors);

  const Json& doc = draft.intention.doc;
  Json actions = Json::object();
  for (size_t i = 0; i < doc["actions"].size(); ++i) {
    const Json& action = doc["actions"][i];
    actions[Str(action, "id")] = {{"token", draft.action_tokens[i]},
                                  {"trace_id", action["trace"]["hash"]},
                                  {"outcome", "success"}};
  }
  Json answer = {{"actions", actions},
                 {"id", draft.intention.id},
                 {"token", draft.token},
                 {"transaction_id", doc["transaction"]["hash"]},
                 {"trace_id", doc["transaction"]["hash"]},
                 {"expiry", FormatHttpDate(draft.intention.expiry_ms)}};
  if (quickstart && !StartAction(draft.action_tokens.front()).ok()) {
    return InvalidArgument("Quick start failure").WithLabel("Quick start could not start action");
  }
  return Reply{201, std::move(answer)};
}

History IntentionService::HistoryFor(store::Session& session) const {
  History history;
  history.release_build_version = [&session](const std::string& service, const std::string& name,
                                             const std::string& version) {
    auto found = ReleaseBuildVersion(session, service, name, version);
    return found.ok() ? *found : std::nullopt;
  };
  history.deployed_build_versions = [&session](const std::string& service,
                                               const std::string& environment) {
    auto found = DeployedBuildVersions(session, service, environment);
    return found.ok() ? *found : std::vector<std::string>{};
  };
  return history;
}

Status IntentionService::WithAction(
    std::string_view token, const std::function<Status(store::Session&, ActionRef&)>& body) {
  const std::string hash = Sha256Hex(token);
  return deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    BROKER_ASSIGN_OR_RETURN(auto found, FindOpenByTraceHash(session, hash));
    if (!found) return NotFound("Action not found").WithLabel("");
    BROKER_RETURN_IF_ERROR(body(session, *found));
    return SaveIntention(session, found->intention, deps_.clock->NowMillis());
  });
}

Status IntentionService::StartAction(std::string_view token) {
  return WithAction(token, [&](store::Session& session, ActionRef& ref) -> Status {
    Json& action = ref.intention.doc["actions"][ref.index];
    if (action.contains("lifecycle")) return IllegalTransition(action, "start");
    action["lifecycle"] = "started";
    action["trace"]["start"] = FormatIso8601(deps_.clock->NowMillis());
    auto appended = deps_.audit->AppendInTransaction(
        session, ActionLifecycleRecord(ref.intention.doc, ref.index, "start"));
    if (!appended.ok()) return std::move(appended).error();
    return OkStatus();
  });
}

namespace {

void EndTrace(Json& action, const std::string& outcome, UnixMillis now) {
  action["lifecycle"] = "ended";
  action["trace"]["end"] = FormatIso8601(now);
  action["trace"]["outcome"] = outcome;
  auto start = ParseIso8601(Str(action["trace"], "start"));
  if (start) action["trace"]["duration"] = now - *start;
}

}  // namespace

Status IntentionService::EndAction(std::string_view token,
                                   std::optional<std::string_view> outcome) {
  BROKER_RETURN_IF_ERROR(CheckOutcome(outcome));
  return WithAction(token, [&](store::Session& session, ActionRef& ref) -> Status {
    Json& action = ref.intention.doc["actions"][ref.index];
    if (Str(action, "lifecycle") == "ended") return IllegalTransition(action, "end");
    EndTrace(action, std::string(outcome.value_or("success")), deps_.clock->NowMillis());
    auto appended = deps_.audit->AppendInTransaction(
        session, ActionLifecycleRecord(ref.intention.doc, ref.index, "end"));
    if (!appended.ok()) return std::move(appended).error();
    return OkStatus();
  });
}

Result<Json> IntentionService::AddArtifact(std::string_view token, const Json& body) {
  BROKER_RETURN_IF_ERROR(ValidateArtifactBody(body));
  Json answer;
  const Status done = (WithAction(token, [&](store::Session& session, ActionRef& ref) -> Status {
    Json& action = ref.intention.doc["actions"][ref.index];
    const std::string kind = Str(action, "action");
    if (kind != "backup" && kind != "package-build") {
      return InvalidArgument("Illegal action")
          .WithLabel("Artifacts may only be added to backup and package-build actions");
    }
    if (Str(action, "lifecycle") != "started") return IllegalTransition(action, "artifact");
    Json& artifacts = action["artifacts"];
    if (!artifacts.is_array()) artifacts = Json::array();
    for (const Json& artifact : artifacts) {
      if (Str(artifact, "name") == Str(body, "name")) {
        return InvalidArgument("Illegal artifact").WithLabel("Artifact name must be unique");
      }
    }
    artifacts.push_back(body);
    answer = {{"buildGuid", Str(action.value("package", Json::object()), "buildGuid")}};
    auto appended = deps_.audit->AppendInTransaction(
        session, ActionChangeRecord(ref.intention.doc, ref.index, "artifact-register", "creation"));
    if (!appended.ok()) return std::move(appended).error();
    return OkStatus();
  }));
  if (!done.ok()) return done.error();
  return answer;
}

Result<Reply> IntentionService::PatchAction(std::string_view token, const Json& body) {
  BROKER_RETURN_IF_ERROR(ValidatePatchBody(body));
  Reply reply;
  const auto snapshot = deps_.graph->snapshot();
  const Status done = (WithAction(token, [&](store::Session& session, ActionRef& ref) -> Status {
    Json& doc = ref.intention.doc;
    Json& action = doc["actions"][ref.index];
    const std::string kind = Str(action, "action");
    if (kind != "package-build" && kind != "package-installation") {
      return InvalidArgument("Illegal action")
          .WithLabel("Only package-build and package-installation actions may be patched");
    }
    if (Str(action, "lifecycle") != "started") return IllegalTransition(action, "patch");
    if (kind == "package-build" && body.contains("package") && body["package"].is_object()) {
      MergeInto(action["package"], body["package"]);
    } else if (kind == "package-installation" && body.contains("cloud") &&
               body["cloud"].contains("target")) {
      MergeCloudTarget(action, body["cloud"]["target"]);
    } else {
      return InvalidArgument("Nothing to patch");
    }
    const graph::Vertex* account = snapshot->FindByObjectId(ref.intention.account_id);
    const History history = HistoryFor(session);
    RuleContext context{snapshot.get(),
                        account,
                        FlagsOf(account),
                        account ? graph::BoundProjectsAndServices(*snapshot, account->id)
                                : std::map<std::string, graph::BoundProject>{},
                        nullptr,
                        &history};
    Json errors = Json::array();
    for (Json& each : doc["actions"]) {
      context.user = snapshot->FindVertex(Str(each.value("user", Json::object()), "vertex"));
      auto violation = CheckAction(context, each);
      if (!violation) continue;
      each["ruleViolation"] = {{"message", violation->message}, {"key", violation->key}};
      errors.push_back({{"message", violation->message},
                        {"data",
                         {{"action", Str(each, "action")},
                          {"action_id", Str(each, "id")},
                          {"key", violation->key},
                          {"value", ValueAt(each, violation->key)}}}});
    }
    if (!errors.empty()) {
      reply = Refusal("Authorization failed", errors);
      return Finalize(session, ref.intention, "rejected", "Patch failed");
    }
    reply = Reply{201, action};
    auto appended = deps_.audit->AppendInTransaction(
        session, ActionChangeRecord(doc, ref.index, "package-annotate", "change"));
    if (!appended.ok()) return std::move(appended).error();
    return OkStatus();
  }));
  if (!done.ok()) return done.error();
  return reply;
}

Status IntentionService::Finalize(store::Session& session, StoredIntention& intention,
                                  const std::string& outcome, const std::string& reason) {
  const UnixMillis now = deps_.clock->NowMillis();
  Json& doc = intention.doc;
  const std::string trace_outcome = outcome == "rejected" ? "failure" : outcome;
  for (size_t i = 0; i < doc["actions"].size(); ++i) {
    Json& action = doc["actions"][i];
    if (Str(action, "lifecycle") != "started") continue;
    EndTrace(action, trace_outcome, now);
    auto appended = deps_.audit->AppendInTransaction(session, ActionLifecycleRecord(doc, i, "end"));
    if (!appended.ok()) return std::move(appended).error();
  }
  for (Json& action : doc["actions"]) {
    const Json& package = action.value("package", Json::object());
    if (outcome != "success" || Str(action, "action") != "package-build" ||
        Str(action["trace"], "outcome") != "success" || Str(package, "name").empty()) {
      continue;
    }
    Json artifact = {{"name", Str(package, "name")}};
    for (const char* key : {"checksum", "source", "size", "type"}) {
      if (package.contains(key)) artifact[key] = package[key];
    }
    if (!action["artifacts"].is_array()) action["artifacts"] = Json::array();
    action["artifacts"].push_back(artifact);
  }
  doc["transaction"]["end"] = FormatIso8601(now);
  doc["transaction"]["duration"] = now - intention.start_ms;
  doc["transaction"]["outcome"] = outcome;
  doc["closed"] = true;
  intention.closed = true;
  auto appended = deps_.audit->AppendInTransaction(session, IntentionCloseRecord(doc, reason));
  if (!appended.ok()) return std::move(appended).error();
  return SaveIntention(session, intention, now);
}

Result<Json> IntentionService::Close(std::string_view token,
                                     std::optional<std::string_view> outcome,
                                     std::optional<std::string_view> reason) {
  BROKER_RETURN_IF_ERROR(CheckOutcome(outcome));
  const std::string hash = Sha256Hex(token);
  const std::string result(outcome.value_or("success"));
  Json closed;
  const Status done =
      (deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
        BROKER_ASSIGN_OR_RETURN(auto found, FindOpenByTokenHash(session, hash));
        if (!found) return NotFound("Intention not found").WithLabel("");
        BROKER_RETURN_IF_ERROR(Finalize(session, *found, result, std::string(reason.value_or(""))));
        closed = found->doc;
        return OkStatus();
      }));
  if (!done.ok()) return done.error();
  if (result == "success") SyncGraph(closed);
  return Json{
      {"statusCode", 200}, {"message", "Intention closed"}, {"audit", AuditUrl(Str(closed, "id"))}};
}

Result<int> IntentionService::ExpireDue() {
  std::vector<std::string> due;
  BROKER_RETURN_IF_ERROR(deps_.db->Transact(store::TxMode::kRead, [&](store::Session& session) {
    auto ids = DueIds(session, deps_.clock->NowMillis(), 500);
    if (!ids.ok()) return Status(std::move(ids).error());
    due = std::move(ids).value();
    return OkStatus();
  }));
  int closed = 0;
  for (const std::string& id : due) {
    const Status done =
        (deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
          BROKER_ASSIGN_OR_RETURN(auto found, FindById(session, id));
          if (!found || found->closed) return OkStatus();
          ++closed;
          return Finalize(session, *found, "unknown", "TTL expiry");
        }));
    if (!done.ok()) return done.error();
  }
  return closed;
}

Result<int64_t> IntentionService::CleanupStale() {
  const UnixMillis now = deps_.clock->NowMillis();
  int64_t deleted = 0;
  const Status done =
      (deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
        BROKER_ASSIGN_OR_RETURN(deleted, DeleteStale(session, now - options_.transient_retention_ms,
                                                     now - options_.rejected_retention_ms));
        return OkStatus();
      }));
  if (!done.ok()) return done.error();
  return deleted;
}

Result<Json> IntentionService::Get(const std::string& id) {
  std::optional<StoredIntention> found;
  BROKER_RETURN_IF_ERROR(deps_.db->Transact(store::TxMode::kRead, [&](store::Session& session) {
    auto loaded = FindById(session, id);
    if (!loaded.ok()) return Status(std::move(loaded).error());
    found = std::move(loaded).value();
    return OkStatus();
  }));
  if (!found) return NotFound("Intention not found").WithLabel("");
  Json doc = found->doc;
  doc["auditUrl"] = AuditUrl(id);
  return doc;
}

Result<Json> IntentionService::Search(const SearchFilter& filter) {
  SearchPage page;
  BROKER_RETURN_IF_ERROR(deps_.db->Transact(store::TxMode::kRead, [&](store::Session& session) {
    auto found = SearchIntentions(session, filter);
    if (!found.ok()) return Status(std::move(found).error());
    page = std::move(found).value();
    return OkStatus();
  }));
  Json data = Json::array();
  for (const StoredIntention& intention : page.items) data.push_back(intention.doc);
  return Json{{"data", data}, {"meta", {{"total", page.total}}}};
}

Result<FoundAction> IntentionService::FindActionForProvision(std::string_view token) {
  const std::string hash = Sha256Hex(token);
  std::optional<ActionRef> found;
  const Status done =
      (deps_.db->Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
        BROKER_ASSIGN_OR_RETURN(found, FindOpenByTraceHash(session, hash));
        return OkStatus();
      }));
  if (!done.ok()) return done.error();
  if (!found) return NotFound("Action not found").WithLabel("");
  if (found->intention.expiry_ms <= deps_.clock->NowMillis()) {
    return FailedPrecondition("Intention expired").WithLabel("");
  }
  const Json& action = found->intention.doc["actions"][found->index];
  if (Str(action, "lifecycle") == "ended") return FailedPrecondition("Action ended").WithLabel("");
  if (deps_.token_still_valid && !deps_.token_still_valid(found->intention.jti).ok()) {
    return PermissionDenied("Account token of this intention is no longer accepted")
        .WithLabel("Forbidden");
  }
  return FoundAction{std::move(found->intention), found->index};
}

Status IntentionService::Audit(Json record) {
  return deps_.audit->AppendBatch(*deps_.db, {std::move(record)});
}

std::string IntentionService::AuditUrl(const std::string& id) const {
  std::string url = options_.audit_url_template;
  const size_t at = url.find("{id}");
  if (at != std::string::npos) url.replace(at, 4, id);
  return url;
}

}  // namespace broker::intentions
