#include "api/auth/session_auth.h"

namespace broker::api::auth {

namespace {

std::optional<std::string> CookieFromHeaders(const http::Request& request,
                                             const std::string& name) {
  for (const auto& [field, value] : request.headers) {
    if (field != "cookie") continue;
    if (auto found = users::FindCookie(value, name)) return found;
  }
  return std::nullopt;
}

}  // namespace

users::RequestFacts FactsOf(const http::Request& request, bool has_session_cookie) {
  users::RequestFacts facts;
  http::Method method = request.method;
  facts.unsafe_method = method != http::Method::kGet && method != http::Method::kHead &&
                        method != http::Method::kOptions;
  facts.has_session_cookie = has_session_cookie;
  facts.has_bearer = request.Header("authorization").has_value();
  facts.sec_fetch_site = request.Header("sec-fetch-site");
  facts.origin = request.Header("origin");
  facts.referer = request.Header("referer");
  facts.host = request.Header("host");
  facts.csrf_header = request.Header("x-csrf-token");
  return facts;
}

SessionAuthenticator::SessionAuthenticator(users::SessionStore& sessions,
                                           users::UserDirectory& directory, WebConfig config)
    : sessions_(sessions), directory_(directory), config_(std::move(config)) {}

std::optional<SecretString> SessionAuthenticator::SessionCookie(
    const http::Request& request) const {
  auto value = CookieFromHeaders(request, users::SessionCookieName(config_.secure_cookies));
  if (!value.has_value() || value->empty()) return std::nullopt;
  return SecretString(std::move(*value));
}

Result<SessionUser> SessionAuthenticator::Authenticate(const http::Request& request) {
  std::optional<SecretString> cookie = SessionCookie(request);
  if (!cookie.has_value()) return Unauthenticated();
  users::RequestFacts facts = FactsOf(request, true);
  // The cheap request checks run before the database is asked anything.
  BROKER_RETURN_IF_ERROR(users::CheckCredentialMix(facts));
  BROKER_RETURN_IF_ERROR(users::CheckSameOrigin(facts, config_.origin));
  BROKER_ASSIGN_OR_RETURN(users::SessionRecord record, sessions_.Resolve(*cookie));
  BROKER_RETURN_IF_ERROR(users::CheckCsrfToken(facts, record.csrf_token));
  auto profile = directory_.FindById(record.subject.user_id);
  if (!profile.ok() && profile.error().code() == ErrorCode::kNotFound) {
    return Unauthenticated("Unauthorized", "session user no longer exists");
  }
  if (!profile.ok()) return std::move(profile).error();
  UserPrincipal principal{profile->user_id, profile->vertex_id,   profile->username, profile->name,
                          profile->email,   record.subject.admin, record.csrf_token};
  return SessionUser{std::move(principal), std::move(profile).value()};
}

Result<UserPrincipal> SessionAuthenticator::RequireUser(const http::Request& request) {
  BROKER_ASSIGN_OR_RETURN(SessionUser user, Authenticate(request));
  return std::move(user.principal);
}

}  // namespace broker::api::auth
