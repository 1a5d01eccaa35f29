#include "api/intention/intention_routes.h"

#include <charconv>

#include "core/ids.h"
#include "core/time_format.h"

namespace broker::api {
namespace {

using http::Request;
using http::Response;
using intentions::IntentionService;

constexpr int64_t kMaxPageSize = 100;

Response Answer(int status, const Json& body) {
  Response response = Response::Json(status, body);
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

audit::RequestInfo RequestInfoOf(const Request& request) {
  std::string ip = request.remote_address;
  if (auto forwarded = request.Header("x-forwarded-for")) {
    ip = std::string(forwarded->substr(0, forwarded->find(',')));
  }
  return {ip, std::string(request.UserAgent())};
}

// The X-Broker-Token header; an absent one is treated like an unknown token.
std::string_view BrokerToken(const Request& request) {
  return request.Header("x-broker-token").value_or(std::string_view());
}

intentions::Opener OpenerOf(const AccountPrincipal& principal) {
  intentions::Opener opener;
  opener.account_id = principal.account_id;
  opener.vertex_id = principal.vertex_id;
  opener.client_id = principal.client_id;
  opener.jti = principal.jti;
  opener.sub = principal.sub;
  opener.exp = principal.exp;
  return opener;
}

// The JSON body, or an empty object when there is none.
Result<Json> OptionalBody(const Request& request) {
  if (request.body.empty()) return Json::object();
  return request.JsonBody();
}

// `name` from the query string, else from the JSON body (as a string).
std::optional<std::string> Param(const Request& request, const Json& body, const char* name) {
  if (auto value = request.Query(name)) return std::string(*value);
  auto it = body.find(name);
  if (it != body.end() && it->is_string()) return it->get<std::string>();
  if (it != body.end() && it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return std::nullopt;
}

Result<int64_t> IntParam(const std::optional<std::string>& text, int64_t fallback,
                         const char* name) {
  if (!text) return fallback;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || ptr != text->data() + text->size() || value < 0) {
    return InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
  return value;
}

Result<std::optional<UnixMillis>> DateParam(const std::optional<std::string>& text,
                                            const char* name) {
  if (!text || text->empty()) return std::optional<UnixMillis>();
  auto parsed = ParseIso8601(*text);
  if (!parsed) return InvalidArgument(std::string(name) + " must be an ISO 8601 date");
  return std::optional<UnixMillis>(*parsed);
}

Result<intentions::SearchFilter> FilterOf(const Request& request, const Json& body) {
  intentions::SearchFilter filter;
  filter.account_id = Param(request, body, "account").value_or("");
  filter.project = Param(request, body, "project").value_or("");
  filter.service = Param(request, body, "service").value_or("");
  filter.action = Param(request, body, "action").value_or("");
  filter.outcome = Param(request, body, "outcome").value_or("");
  BROKER_ASSIGN_OR_RETURN(filter.from_ms, DateParam(Param(request, body, "from"), "from"));
  BROKER_ASSIGN_OR_RETURN(filter.to_ms, DateParam(Param(request, body, "to"), "to"));
  BROKER_ASSIGN_OR_RETURN(filter.offset, IntParam(Param(request, body, "offset"), 0, "offset"));
  BROKER_ASSIGN_OR_RETURN(filter.limit, IntParam(Param(request, body, "limit"), 10, "limit"));
  if (filter.limit == 0 || filter.limit > kMaxPageSize) {
    return InvalidArgument("limit must be between 1 and 100");
  }
  return filter;
}

// Accepts an account token when the request carries Authorization, else a session.
Status RequireReader(const Auth& auth, const Request& request) {
  if (request.Header("authorization")) {
    auto account = auth.require_account(request);
    if (!account.ok()) return std::move(account).error();
    return OkStatus();
  }
  auto user = auth.require_user(request);
  if (!user.ok()) return std::move(user).error();
  return OkStatus();
}

Response Open(IntentionService& service, const Auth& auth, const Request& request) {
  auto principal = auth.require_account(request);
  if (!principal.ok()) return Response::FromError(principal.error());
  auto body = request.JsonBody();
  if (!body.ok()) {
    return Response::FromError(
        InvalidArgument("Intention validation error").WithLabel(body.error().message()));
  }
  auto reply = service.Open(OpenerOf(*principal), *body, request.Query("ttl"),
                            request.Query("quickstart"), RequestInfoOf(request));
  if (!reply.ok()) return Response::FromError(reply.error());
  return Answer(reply->status, reply->body);
}

Response Close(IntentionService& service, const Request& request) {
  auto body = OptionalBody(request);
  if (!body.ok()) return Response::FromError(body.error());
  auto outcome = Param(request, *body, "outcome");
  auto reason = Param(request, *body, "reason");
  auto closed = service.Close(BrokerToken(request), outcome, reason);
  if (!closed.ok()) return Response::FromError(closed.error());
  return Response::Json(201, *closed);
}

Response Lifecycle(IntentionService& service, const Request& request, bool start) {
  auto body = OptionalBody(request);
  if (!body.ok()) return Response::FromError(body.error());
  const Status status =
      start ? service.StartAction(BrokerToken(request))
            : service.EndAction(BrokerToken(request), Param(request, *body, "outcome"));
  if (!status.ok()) return Response::FromError(status.error());
  return Response::Empty(201);
}

Response Artifact(IntentionService& service, const Request& request) {
  auto body = request.JsonBody();
  if (!body.ok()) return Response::FromError(body.error());
  auto added = service.AddArtifact(BrokerToken(request), *body);
  if (!added.ok()) return Response::FromError(added.error());
  return Response::Json(201, *added);
}

Response Patch(IntentionService& service, const Request& request) {
  auto body = request.JsonBody();
  if (!body.ok()) return Response::FromError(body.error());
  auto patched = service.PatchAction(BrokerToken(request), *body);
  if (!patched.ok()) return Response::FromError(patched.error());
  return Response::Json(patched->status, patched->body);
}

Response GetOne(IntentionService& service, const Auth& auth, const Request& request) {
  const Status allowed = RequireReader(auth, request);
  if (!allowed.ok()) return Response::FromError(allowed.error());
  const std::string id(request.Param("id"));
  if (!IsObjectId(id)) {
    return Response::FromError(
        InvalidArgument("Validation failed (ObjectId: " + id + " is not a valid ObjectId)"));
  }
  auto found = service.Get(id);
  if (!found.ok()) return Response::FromError(found.error());
  return Response::Json(200, *found);
}

Response Search(IntentionService& service, const Request& request,
                std::optional<std::string> account) {
  auto body = OptionalBody(request);
  if (!body.ok()) return Response::FromError(body.error());
  auto filter = FilterOf(request, *body);
  if (!filter.ok()) return Response::FromError(filter.error());
  if (account) filter->account_id = *account;
  auto page = service.Search(*filter);
  if (!page.ok()) return Response::FromError(page.error());
  return Response::Json(account ? 200 : 201, *page);
}

}  // namespace

void RegisterIntentionRoutes(http::Router& router, IntentionService& service, const Auth& auth) {
  using http::Method;
  IntentionService* s = &service;
  router.Add(Method::kPost, "/v1/intention/open",
             [s, auth](const Request& r) { return Open(*s, auth, r); });
  router.Add(Method::kPost, "/v1/intention/close", [s](const Request& r) { return Close(*s, r); });
  router.Add(Method::kPost, "/v1/intention/action/start",
             [s](const Request& r) { return Lifecycle(*s, r, true); });
  router.Add(Method::kPost, "/v1/intention/action/end",
             [s](const Request& r) { return Lifecycle(*s, r, false); });
  router.Add(Method::kPost, "/v1/intention/action/artifact",
             [s](const Request& r) { return Artifact(*s, r); });
  router.Add(Method::kPost, "/v1/intention/action/patch",
             [s](const Request& r) { return Patch(*s, r); });
  router.Add(Method::kPost, "/v1/intention/search", [s, auth](const Request& r) {
    const Status allowed = RequireReader(auth, r);
    if (!allowed.ok()) return Response::FromError(allowed.error());
    return Search(*s, r, std::nullopt);
  });
  router.Add(Method::kGet, "/v1/intention/:id",
             [s, auth](const Request& r) { return GetOne(*s, auth, r); });
  router.Add(
      Method::kGet, "/v1/collection/broker-account/:id/intentions", [s, auth](const Request& r) {
        auto user = auth.require_user(r);
        if (!user.ok()) return Response::FromError(user.error());
        const std::string id(r.Param("id"));
        if (!IsObjectId(id)) {
          return Response::FromError(
              InvalidArgument("Validation failed (ObjectId: " + id + " is not a valid ObjectId)"));
        }
        return Search(*s, r, id);
      });
}

}  // namespace broker::api
