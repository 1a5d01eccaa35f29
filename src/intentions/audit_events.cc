#include "intentions/audit_events.h"

namespace broker::intentions {
namespace {

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& Sub(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::optional<int64_t> OptInt(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// The members every intention record shares.
audit::RecordBuilder Base(const Json& intention, std::string action, std::string category,
                          std::string type, std::string outcome) {
  audit::RecordBuilder builder(std::move(action), std::move(category), std::move(type),
                               std::move(outcome));
  const Json& event = Sub(intention, "event");
  builder.Auth(AuthOf(intention))
      .Set("/transaction/id", Str(Sub(intention, "transaction"), "hash"))
      .Set("/event/reason", Str(event, "reason"))
      .Set("/event/provider", Str(event, "provider"))
      .Label("intention_id", Str(intention, "id"));
  return builder;
}

void AddAction(audit::RecordBuilder& builder, const Json& action) {
  const Json& service = Sub(action, "service");
  builder.Set("/trace/id", Str(Sub(action, "trace"), "hash"))
      .Label("action_id", Str(action, "id"))
      .Label("target_project", Str(service, "project"))
      .Set("/service/target", Json{{"name", Str(service, "name")},
                                   {"project", Str(service, "project")},
                                   {"environment", Str(service, "environment")}});
  if (service.contains("target")) builder.Set("/service/origin", service["target"]);
}

std::string OutcomeOf(const Json& trace_or_transaction) {
  std::string outcome = Str(trace_or_transaction, "outcome");
  if (outcome == "rejected") return "failure";
  return outcome.empty() ? "unknown" : outcome;
}

}  // namespace

audit::AuthFields AuthOf(const Json& intention) {
  const Json& jwt = Sub(intention, "jwt");
  audit::AuthFields auth;
  auth.client_id = Str(jwt, "client_id");
  auth.jti = Str(jwt, "jti");
  auth.sub = Str(jwt, "sub");
  auth.exp = OptInt(jwt, "exp");
  auth.iat = OptInt(jwt, "iat");
  auth.nbf = OptInt(jwt, "nbf");
  return auth;
}

Json IntentionOpenRecord(const Json& intention, const audit::RequestInfo& request) {
  const Json& transaction = Sub(intention, "transaction");
  const bool rejected = Str(transaction, "outcome") == "rejected";
  auto builder =
      Base(intention, "intention-open", "session", "start", rejected ? "failure" : "success");
  const Json& user = Sub(intention, "user");
  builder.Request(request)
      .Set("/event/start", Str(transaction, "start"))
      .Set("/user/id", Str(user, "id"))
      .Set("/user/name", Str(user, "name"))
      .Set("/user/full_name", Str(user, "full_name"))
      .Set("/user/domain", Str(user, "domain"))
      .Set("/user/group", Sub(user, "group"))
      .Message(rejected ? "Intention rejected" : "Intention opened");
  const std::string url = Str(Sub(intention, "event"), "url");
  if (!url.empty()) builder.Set("/event/url", url);
  return builder.Build();
}

Json ActionAuthRecord(const Json& intention, size_t index, const audit::RequestInfo& request) {
  const Json& action = intention["actions"][index];
  const bool rejected = action.contains("ruleViolation");
  auto builder = Base(intention, "auth-" + Str(action, "action"), "session", "info",
                      rejected ? "failure" : "success");
  builder.Request(request);
  AddAction(builder, action);
  if (action.contains("package")) builder.Set("/package", action["package"]);
  if (action.contains("cloud")) builder.Set("/cloud", action["cloud"]);
  if (rejected) {
    const Json& violation = action["ruleViolation"];
    builder.Set("/error/message", Str(violation, "message"))
        .Set("/error/type", "rule-violation")
        .Set("/error/code", Str(violation, "key"));
  }
  return builder.Build();
}

Json ActionLifecycleRecord(const Json& intention, size_t index, const std::string& type) {
  const Json& action = intention["actions"][index];
  const Json& trace = Sub(action, "trace");
  auto builder = Base(intention, "action-" + Str(action, "action"), "process", type,
                      type == "start" ? "success" : OutcomeOf(trace));
  AddAction(builder, action);
  if (!Str(trace, "start").empty()) builder.Set("/event/start", Str(trace, "start"));
  if (!Str(trace, "end").empty()) builder.Set("/event/end", Str(trace, "end"));
  if (auto duration = OptInt(trace, "duration")) builder.Set("/event/duration", *duration);
  return builder.Build();
}

Json IntentionCloseRecord(const Json& intention, const std::string& reason) {
  const Json& transaction = Sub(intention, "transaction");
  auto builder = Base(intention, "intention-close", "session", "end", OutcomeOf(transaction));
  builder.Set("/event/start", Str(transaction, "start"))
      .Set("/event/end", Str(transaction, "end"))
      .Message("Intention closed");
  if (auto duration = OptInt(transaction, "duration")) builder.Set("/event/duration", *duration);
  if (!reason.empty()) builder.Set("/event/reason", reason);
  return builder.Build();
}

Json ActionChangeRecord(const Json& intention, size_t index, const std::string& event_action,
                        const std::string& type) {
  const Json& action = intention["actions"][index];
  auto builder = Base(intention, event_action, "configuration", type, "success");
  AddAction(builder, action);
  if (action.contains("package")) builder.Set("/package", action["package"]);
  return builder.Build();
}

Json ProvisionRecord(const Json& intention, size_t index, const std::string& event_action,
                     const std::string& type, const std::string& client_token_hash,
                     const std::optional<std::string>& error) {
  const Json& action = intention["actions"][index];
  const std::string outcome = error ? "failure" : (type == "start" ? "unknown" : "success");
  auto builder = Base(intention, event_action, "configuration", type, outcome);
  AddAction(builder, action);
  if (!client_token_hash.empty()) builder.Set("/auth/client_token", client_token_hash);
  if (error) builder.Set("/error/message", *error);
  return builder.Build();
}

Json RoleIdDeniedRecord(const Json& intention, size_t index, const std::string& role) {
  const Json& action = intention["actions"][index];
  auto builder = Base(intention, "test-role-id", "api", "denied", "failure");
  AddAction(builder, action);
  builder.Message("Request (header: x-vault-role-id) did not match role id of " + role);
  return builder.Build();
}

}  // namespace broker::intentions
