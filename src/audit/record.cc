#include "audit/record.h"

#include <sys/utsname.h>

#include <utility>

#include "core/time_format.h"

namespace broker::audit {
namespace {

std::string Describe(const AccountRef& account) {
  return account.name + " (" + account.client_id + ")";
}

std::string Describe(const Operator& user) { return user.name + " <" + user.email + ">"; }

}  // namespace

ServiceInfo DetectServiceInfo(std::string environment) {
  ServiceInfo info;
  info.environment = std::move(environment);
  struct utsname names {};
  if (uname(&names) == 0) {
    info.hostname = names.nodename;
    info.architecture = names.machine;
    info.os_type = names.sysname;
    info.os_version = names.release;
  }
  return info;
}

RecordBuilder::RecordBuilder(std::string action, std::string category, std::string type,
                             std::string outcome) {
  record_["event"] = {{"action", std::move(action)},
                      {"category", std::move(category)},
                      {"type", std::move(type)},
                      {"outcome", std::move(outcome)},
                      {"kind", "event"}};
}

RecordBuilder& RecordBuilder::Message(std::string message) {
  record_["message"] = std::move(message);
  return *this;
}

RecordBuilder& RecordBuilder::Tags(const std::vector<std::string>& tags) {
  record_["tags"] = tags;
  return *this;
}

RecordBuilder& RecordBuilder::Auth(const AuthFields& auth) {
  Json block = Json::object();
  if (!auth.client_id.empty()) block["client_id"] = auth.client_id;
  if (!auth.jti.empty()) block["jti"] = auth.jti;
  if (!auth.sub.empty()) block["sub"] = auth.sub;
  const std::pair<const char*, const std::optional<int64_t>*> dates[] = {
      {"exp", &auth.exp}, {"iat", &auth.iat}, {"nbf", &auth.nbf}};
  for (const auto& [name, value] : dates) {
    if (!value->has_value()) continue;
    block[name] = **value;
    block[std::string(name) + "_timestamp"] = FormatIso8601(**value * 1000);
  }
  record_["auth"] = std::move(block);
  return *this;
}

RecordBuilder& RecordBuilder::User(const Operator& user) {
  record_["user"] = {{"id", user.id}, {"name", user.name}, {"email", user.email}};
  return *this;
}

RecordBuilder& RecordBuilder::Request(const RequestInfo& request) {
  if (!request.source_ip.empty()) record_["source"]["ip"] = request.source_ip;
  if (!request.user_agent.empty()) record_["user_agent"]["original"] = request.user_agent;
  return *this;
}

RecordBuilder& RecordBuilder::Label(const std::string& key, std::string value) {
  record_["labels"][key] = std::move(value);
  return *this;
}

RecordBuilder& RecordBuilder::Set(const std::string& json_pointer, Json value) {
  record_[Json::json_pointer(json_pointer)] = std::move(value);
  return *this;
}

RecordBuilder& RecordBuilder::Timestamp(UnixMillis at) {
  record_["@timestamp"] = FormatIso8601(at);
  return *this;
}

Json TokenCreated(const AccountRef& account, const AuthFields& claims,
                  const std::optional<Operator>& by, const std::optional<RequestInfo>& request) {
  RecordBuilder builder("token-generation", "iam", "creation", "success");
  builder.Tags({"token", "generated"}).Auth(claims);
  if (by) {
    builder.Message("Token generated for " + Describe(account) + " by " + Describe(*by));
    builder.User(*by);
  } else {
    builder.Message("Token renewed for " + Describe(account) + " by API call");
  }
  if (request) builder.Request(*request);
  return builder.Build();
}

Json TokenRevoked(const AccountRef& account, const std::string& jti, const Operator& by,
                  const std::optional<RequestInfo>& request) {
  const bool all = jti == "multiple";
  AuthFields auth;
  auth.client_id = account.client_id;
  auth.jti = jti;
  RecordBuilder builder("token-generation", "iam", "deletion", "success");
  builder.Tags({"token", "revoked"})
      .Auth(auth)
      .User(by)
      .Message(std::string(all ? "All tokens revoked for " : "Token " + jti + " revoked for ") +
               Describe(account) + " by " + Describe(by));
  if (request) builder.Request(*request);
  return builder.Build();
}

Json TokenExpiryWarning(const AccountRef& account, const AuthFields& claims) {
  return RecordBuilder("token-generation", "iam", "info", "success")
      .Tags({"token", "warning", "expiry"})
      .Auth(claims)
      .Message("Token will expire soon for " + Describe(account))
      .Build();
}

Json AuthenticationStart(const RequestInfo& request) {
  return RecordBuilder("authentication", "authentication", "start", "unknown")
      .Request(request)
      .Build();
}

Json AuthenticationEnd(bool success, const AuthFields& auth, const RequestInfo& request,
                       const std::string& reason) {
  RecordBuilder builder("authentication", "authentication", "end", success ? "success" : "failure");
  builder.Request(request);
  if (!auth.jti.empty() || !auth.client_id.empty()) builder.Auth(auth);
  if (!success) builder.Set("/event/reason", reason);
  return builder.Build();
}

}  // namespace broker::audit
