#include "api/token/token_api.h"

#include <charconv>
#include <optional>
#include <utility>

#include "core/secret.h"
#include "core/time_format.h"

namespace broker::api::token {
namespace {

using http::Method;
using http::Request;
using http::Response;

constexpr std::string_view kAccountBase = "/v1/collection/broker-account";
constexpr int64_t kDefaultExpirationSeconds = 7776000;  // 90 days, the UI default

audit::RequestInfo RequestInfoOf(const Request& request) {
  return {request.remote_address, std::string(request.UserAgent())};
}

// A whole number of seconds from the query, `fallback` when absent.
Result<int64_t> SecondsParam(const Request& request, std::string_view name, int64_t fallback) {
  std::optional<std::string_view> text = request.Query(name);
  if (!text) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
    return InvalidArgument(std::string(name) +
                           " must be a whole number of seconds between 3600 and 31536000");
  }
  BROKER_RETURN_IF_ERROR(accounts::CheckLifetime(value, name));
  return value;
}

bool FlagParam(const Request& request, std::string_view name) {
  std::optional<std::string_view> text = request.Query(name);
  return !text || *text == "true";
}

Response TokenResponse(const accounts::IssuedToken& issued) {
  Response response = Response::Json(201, {{"token", issued.token.RevealForUse()}});
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("Pragma", "no-cache");
  response.SetHeader("Referrer-Policy", "no-referrer");
  return response;
}

std::optional<std::string> IsoSeconds(const std::optional<UnixSeconds>& seconds) {
  if (!seconds) return std::nullopt;
  return FormatIso8601(*seconds * 1000);
}

// The newest row's summary for "My accounts", or null without one.
Json NewestToken(accounts::TokenRegistry& registry, const accounts::AccountRecord& account,
                 UnixSeconds now) {
  auto rows = registry.List(account.id);
  if (!rows.ok() || rows->empty()) return nullptr;
  const accounts::TokenRow& row = rows->front();
  Json current = {{"jti", row.jti},
                  {"state", accounts::TokenStateName(accounts::StateAt(row, now))},
                  {"exp", row.exp},
                  {"expiresAt", FormatIso8601(row.exp * 1000)}};
  if (row.last_used_at) current["lastUsedAt"] = FormatIso8601(*row.last_used_at);
  return current;
}

class Handlers {
 public:
  explicit Handlers(TokenApiDeps deps) : deps_(std::move(deps)) {}

  Response List(const Request& request) const {
    const std::string account_id(request.Param("id"));
    if (Status status = CheckReader(request, account_id); !status.ok()) {
      return Response::FromError(status.error());
    }
    auto rows = deps_.registry->List(account_id);
    if (!rows.ok()) return Response::FromError(rows.error());
    const UnixSeconds now = deps_.clock->NowSeconds();
    Json body = Json::array();
    for (const accounts::TokenRow& row : *rows) body.push_back(TokenRowJson(row, now));
    return Response::Json(200, body);
  }

  Response Generate(const Request& request) const {
    auto user = deps_.auth.require_user(request);
    if (!user.ok()) return Response::FromError(user.error());
    auto expiration = SecondsParam(request, "expiration", kDefaultExpirationSeconds);
    if (!expiration.ok()) return Response::FromError(expiration.error());
    accounts::GenerateOptions options{FlagParam(request, "patch"),
                                      FlagParam(request, "syncSecrets")};
    auto issued = deps_.registry->Generate(*user, request.Param("id"), *expiration, options,
                                           RequestInfoOf(request));
    if (!issued.ok()) return Response::FromError(issued.error());
    return TokenResponse(*issued);
  }

  Response RevokeAll(const Request& request) const {
    auto user = deps_.auth.require_user(request);
    if (!user.ok()) return Response::FromError(user.error());
    Status status = deps_.registry->RevokeAll(*user, request.Param("id"), RequestInfoOf(request));
    if (!status.ok()) return Response::FromError(status.error());
    return Response::Empty(200);
  }

  Response RevokeOne(const Request& request) const {
    auto user = deps_.auth.require_user(request);
    if (!user.ok()) return Response::FromError(user.error());
    Status status = deps_.registry->RevokeOne(*user, request.Param("id"), request.Param("jti"),
                                              RequestInfoOf(request));
    if (!status.ok()) return Response::FromError(status.error());
    return Response::Empty(200);
  }

  Response Renew(const Request& request) const {
    auto caller = deps_.auth.require_account(request);
    if (!caller.ok()) return Response::FromError(caller.error());
    auto ttl = SecondsParam(request, "ttl", accounts::kDefaultRenewalSeconds);
    if (!ttl.ok()) return Response::FromError(ttl.error());
    auto issued = deps_.registry->Renew(*caller, *ttl, RequestInfoOf(request));
    if (!issued.ok()) return Response::FromError(issued.error());
    return TokenResponse(*issued);
  }

  Response Lookup(const Request& request) const {
    auto user = deps_.auth.require_user(request);
    if (!user.ok()) return Response::FromError(user.error());
    if (auto refused = http::RequireJsonContentType(request)) return *refused;
    auto body = request.JsonBody();
    if (!body.ok()) return Response::FromError(body.error());
    if (!body->is_object() || !body->contains("query") || !(*body)["query"].is_string()) {
      return Response::FromError(InvalidArgument(R"(Body must be {"query": "..."})"));
    }
    SecretString query((*body)["query"].get<std::string>());
    auto found = deps_.lookup->Lookup(query);
    if (!found.ok()) return Response::FromError(found.error());
    Response response = Response::Json(200, accounts::LookupJson(*found));
    response.SetHeader("Cache-Control", "no-store");
    return response;
  }

  Response Mine(const Request& request) const {
    auto user = deps_.auth.require_user(request);
    if (!user.ok()) return Response::FromError(user.error());
    auto accounts = deps_.directory->ListManageable(*user);
    if (!accounts.ok()) return Response::FromError(accounts.error());
    const UnixSeconds now = deps_.clock->NowSeconds();
    Json body = Json::array();
    for (const accounts::AccountRecord& account : *accounts) {
      body.push_back({{"id", account.id},
                      {"name", account.name},
                      {"clientId", account.client_id},
                      {"current", NewestToken(*deps_.registry, account, now)}});
    }
    return Response::Json(200, body);
  }

  // {mayManage, reason?}: lets the token page disable Generate and Revoke up front, with the
  // sentence that names the role and team that would allow them.
  Response Permission(const Request& request) const {
    auto user = deps_.auth.require_user(request);
    if (!user.ok()) return Response::FromError(user.error());
    auto account = deps_.directory->FindById(request.Param("id"));
    if (!account.ok()) return Response::FromError(account.error());
    const Status may = deps_.directory->CheckMayManage(*user, *account);
    Json body = {{"mayManage", may.ok()}};
    if (!may.ok()) body["reason"] = may.error().message();
    return Response::Json(200, body);
  }

  Response TokenCheck(const Request& request) const {
    auto caller = deps_.auth.require_account(request);
    if (!caller.ok()) return Response::FromError(caller.error());
    return Response::Empty(204);
  }

  Response Jwks(const Request&) const {
    Json jwks = deps_.keys->Jwks();
    if (!jwks.contains("keys") || jwks["keys"].empty()) {
      return Response::Json(
          404,
          {{"statusCode", 404}, {"message", "No public key configured"}, {"error", "Not Found"}});
    }
    Response response = Response::Json(200, jwks);
    response.SetHeader("Cache-Control", "public, max-age=300");
    return response;
  }

  std::optional<Response> Events(const Request& request,
                                 std::shared_ptr<http::EventSink> sink) const {
    Status caller = CheckAnyCaller(request);
    if (!caller.ok()) return Response::FromError(caller.error());
    deps_.events->Add(std::move(sink));
    return std::nullopt;
  }

 private:
  // A signed-in user, or the token of this very account.
  Status CheckReader(const Request& request, std::string_view account_id) const {
    if (request.HeaderCount("authorization") == 0) {
      auto user = deps_.auth.require_user(request);
      return user.ok() ? OkStatus() : Status(user.error());
    }
    auto caller = deps_.auth.require_account(request);
    if (!caller.ok()) return caller.error();
    return accounts::CheckAccountScope(*caller, account_id);
  }

  Status CheckAnyCaller(const Request& request) const {
    if (request.HeaderCount("authorization") == 0) {
      auto user = deps_.auth.require_user(request);
      return user.ok() ? OkStatus() : Status(user.error());
    }
    auto caller = deps_.auth.require_account(request);
    return caller.ok() ? OkStatus() : Status(caller.error());
  }

  TokenApiDeps deps_;
};

}  // namespace

void TokenEventHub::Add(std::shared_ptr<http::EventSink> sink) {
  std::lock_guard lock(mutex_);
  sinks_.push_back(std::move(sink));
}

void TokenEventHub::Publish(const std::string& client_id) {
  const std::string data = Json{{"clientId", client_id}}.dump();
  std::lock_guard lock(mutex_);
  std::erase_if(sinks_, [&](const std::shared_ptr<http::EventSink>& sink) {
    return !sink->IsOpen() || !sink->Send("", data);
  });
}

size_t TokenEventHub::size() const {
  std::lock_guard lock(mutex_);
  return sinks_.size();
}

Json TokenRowJson(const accounts::TokenRow& row, UnixSeconds now) {
  const accounts::TokenState state = accounts::StateAt(row, now);
  Json out = {
      {"jti", row.jti},
      {"accountId", row.account_id},
      {"claims",
       {{"client_id", row.client_id}, {"exp", row.exp}, {"jti", row.jti}, {"sub", row.sub}}},
      {"iat", row.iat},
      {"createdAt", FormatIso8601(row.created_at)},
      {"createdBy", {{"id", row.created_by_user_id}, {"name", row.created_by_name}}},
      {"state", accounts::TokenStateName(state)},
      {"blocked", state == accounts::TokenState::kBlocked}};
  if (auto grace = IsoSeconds(row.grace_until)) out["graceUntil"] = *grace;
  if (row.blocked_at) out["blockedAt"] = FormatIso8601(*row.blocked_at);
  if (!row.blocked_reason.empty()) out["blockedReason"] = row.blocked_reason;
  if (row.last_used_at) {
    out["lastUsedAt"] = FormatIso8601(*row.last_used_at);
    out["lastUsedIp"] = row.last_used_ip;
    out["lastUsedUserAgent"] = row.last_used_user_agent;
  }
  return out;
}

accounts::BearerCredentials CredentialsOf(const http::Request& request) {
  accounts::BearerCredentials credentials;
  credentials.authorization_count = request.HeaderCount("authorization");
  credentials.authorization = std::string(request.Header("authorization").value_or(""));
  credentials.token_in_query = request.Query("access_token").has_value();
  credentials.source_ip = request.remote_address;
  credentials.user_agent = std::string(request.UserAgent());
  return credentials;
}

std::function<Result<AccountPrincipal>(const http::Request&)> RequireAccount(
    accounts::BearerAuthenticator& authenticator) {
  return [&authenticator](const http::Request& request) {
    return authenticator.Authenticate(CredentialsOf(request));
  };
}

void AddTokenRoutes(http::Router& router, const TokenApiDeps& deps) {
  auto h = std::make_shared<Handlers>(deps);
  const std::string base(kAccountBase);
  auto bind = [h](Response (Handlers::*fn)(const Request&) const) {
    return [h, fn](const Request& request) { return ((*h).*fn)(request); };
  };
  router.Add(Method::kGet, base + "/mine", bind(&Handlers::Mine));
  router.AddStream(base + "/events",
                   [h](const Request& request, std::shared_ptr<http::EventSink> sink) {
                     return h->Events(request, std::move(sink));
                   });
  router.Add(Method::kPost, base + "/renewal", bind(&Handlers::Renew));
  router.Add(Method::kGet, base + "/:id/token", bind(&Handlers::List));
  router.Add(Method::kPost, base + "/:id/token", bind(&Handlers::Generate));
  router.Add(Method::kDelete, base + "/:id/token", bind(&Handlers::RevokeAll));
  router.Add(Method::kDelete, base + "/:id/token/:jti", bind(&Handlers::RevokeOne));
  router.Add(Method::kGet, base + "/:id/token/permission", bind(&Handlers::Permission));
  router.Add(Method::kPost, "/v1/token/lookup", bind(&Handlers::Lookup));
  router.Add(Method::kGet, "/v1/health/token-check", bind(&Handlers::TokenCheck));
  router.Add(Method::kGet, "/.well-known/jwks.json", bind(&Handlers::Jwks));
}

}  // namespace broker::api::token
