#include "api/auth/auth_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace broker::api::auth {

namespace {

constexpr size_t kMaxUsernameLength = 256;
constexpr size_t kMaxPasswordLength = 1024;
constexpr char kInvalidLogin[] = "Invalid username or password";

http::Response NoStore(http::Response response) {
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("Pragma", "no-cache");
  return response;
}

http::Response ErrorResponse(const Error& error) {
  return NoStore(http::Response::FromError(error));
}

http::Response TooMany(int64_t retry_after_seconds) {
  http::Response response =
      ErrorResponse(Error(ErrorCode::kResourceExhausted, "Too many login attempts"));
  response.SetHeader("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

http::Response Redirect(const std::string& location) {
  http::Response response = NoStore(http::Response::Empty(302));
  response.SetHeader("Location", location);
  return response;
}

void AddSetCookie(http::Response& response, std::string value) {
  response.headers.emplace_back("Set-Cookie", std::move(value));
}

struct LoginBody {
  std::string username;
  SecretString password;
};

Result<LoginBody> ParseLoginBody(const http::Request& request) {
  BROKER_ASSIGN_OR_RETURN(Json body, request.JsonBody());
  if (!body.is_object()) return InvalidArgument("Body must be a JSON object");
  auto username = body.find("username");
  auto password = body.find("password");
  if (username == body.end() || !username->is_string() || password == body.end() ||
      !password->is_string()) {
    return InvalidArgument("username and password must be strings");
  }
  LoginBody login{username->get<std::string>(), SecretString(password->get<std::string>())};
  if (login.username.empty() || login.password.empty()) {
    return InvalidArgument("username and password must not be empty");
  }
  if (login.username.size() > kMaxUsernameLength ||
      login.password.RevealForUse().size() > kMaxPasswordLength) {
    return InvalidArgument("username or password too long");
  }
  return login;
}

Json ProfileJson(const SessionUser& user) {
  const users::UserProfile& profile = user.profile;
  return Json{{"id", profile.user_id},
              {"vertex", profile.vertex_id},
              {"username", profile.username},
              {"name", profile.name},
              {"email", profile.email},
              {"domain", profile.domain},
              {"guid", profile.guid},
              {"roles", user.principal.admin ? Json::array({"admin"}) : Json::array()},
              {"csrfToken", user.principal.csrf_token}};
}

class AuthApi {
 public:
  explicit AuthApi(AuthServices services) : s_(std::move(services)) {}

  http::Response LocalLogin(const http::Request& request);
  http::Response Logout(const http::Request& request);
  http::Response Self(const http::Request& request);
  http::Response Providers(const http::Request& request);
  http::Response OidcLogin(const http::Request& request);
  http::Response OidcCallback(const http::Request& request);

 private:
  bool secure() const { return s_.authenticator.config().secure_cookies; }
  std::string SessionCookie() const { return users::SessionCookieName(secure()); }
  std::string PreLoginCookie() const { return users::PreLoginCookieName(secure()); }
  void Emit(const http::Request& request, std::string action, std::string outcome,
            std::string username, std::string reason) const;
  http::Response LoginFailure(const http::Request& request, const std::string& username,
                              const std::string& reason, http::Response response) const;
  Result<http::Response> StartSession(const http::Request& request,
                                      const users::UserProfile& profile, bool admin);
  void EndPresentedSession(const http::Request& request);
  std::optional<SecretString> PreLoginBinding(const http::Request& request) const;

  AuthServices s_;
};

void AuthApi::Emit(const http::Request& request, std::string action, std::string outcome,
                   std::string username, std::string reason) const {
  spdlog::info("auth {} {} user={} reason={} request_id={}", action, outcome, username, reason,
               request.request_id);
  if (!s_.on_event) return;
  s_.on_event(AuthEvent{std::move(action), std::move(outcome), std::move(username),
                        std::move(reason), request.remote_address, request.request_id});
}

http::Response AuthApi::LoginFailure(const http::Request& request, const std::string& username,
                                     const std::string& reason, http::Response response) const {
  Emit(request, "login", "failure", username, reason);
  return response;
}

void AuthApi::EndPresentedSession(const http::Request& request) {
  // A session id the browser held before login must not survive it (session fixation).
  if (auto old = s_.authenticator.SessionCookie(request)) {
    auto deleted = s_.sessions.Delete(*old);
    if (!deleted.ok()) spdlog::warn("could not end old session: {}", deleted.error().ToString());
  }
}

Result<http::Response> AuthApi::StartSession(const http::Request& request,
                                             const users::UserProfile& profile, bool admin) {
  EndPresentedSession(request);
  BROKER_ASSIGN_OR_RETURN(users::NewSession session,
                          s_.sessions.Create({profile.user_id, profile.username, admin}));
  http::Response response = NoStore(http::Response::Json(200, {{"csrfToken", session.csrf_token}}));
  AddSetCookie(response,
               users::SetCookieValue(SessionCookie(), session.id.RevealForUse(), secure()));
  return response;
}

http::Response AuthApi::LocalLogin(const http::Request& request) {
  if (auto refused = http::RequireJsonContentType(request)) return NoStore(*refused);
  users::RequestFacts facts = FactsOf(request, false);
  if (Status origin = users::CheckSameOrigin(facts, s_.authenticator.config().origin);
      !origin.ok()) {
    return LoginFailure(request, "", "cross-site login", ErrorResponse(origin.error()));
  }
  if (auto wait = s_.login_limiter.Take(request.remote_address)) {
    return LoginFailure(request, "", "ip rate limit", TooMany(*wait));
  }
  auto body = ParseLoginBody(request);
  if (!body.ok()) return ErrorResponse(body.error());
  auto outcome = s_.credentials.Verify(body->username, body->password);
  if (!outcome.ok()) return ErrorResponse(outcome.error());
  if (outcome->verdict == users::LoginVerdict::kLocked) {
    return LoginFailure(request, body->username, "locked", TooMany(outcome->retry_after_seconds));
  }
  http::Response invalid = ErrorResponse(Unauthenticated(kInvalidLogin));
  if (outcome->verdict != users::LoginVerdict::kOk) {
    return LoginFailure(request, body->username, "bad credentials", invalid);
  }
  auto profile = s_.directory.FindByUsername(body->username);
  if (!profile.ok() && profile.error().code() == ErrorCode::kNotFound) {
    return LoginFailure(request, body->username, "no user profile", invalid);
  }
  if (!profile.ok()) return ErrorResponse(profile.error());
  auto response = StartSession(request, *profile, outcome->admin);
  if (!response.ok()) return ErrorResponse(response.error());
  Emit(request, "login", "success", body->username, "");
  return std::move(response).value();
}

http::Response AuthApi::Logout(const http::Request& request) {
  auto user = s_.authenticator.Authenticate(request);
  if (!user.ok()) return ErrorResponse(user.error());
  EndPresentedSession(request);
  Emit(request, "logout", "success", user->profile.username, "");
  http::Response response = NoStore(http::Response::Empty(204));
  AddSetCookie(response, users::ClearCookieValue(SessionCookie(), secure()));
  return response;
}

http::Response AuthApi::Self(const http::Request& request) {
  auto user = s_.authenticator.Authenticate(request);
  if (!user.ok()) return ErrorResponse(user.error());
  return NoStore(http::Response::Json(200, ProfileJson(*user)));
}

http::Response AuthApi::Providers(const http::Request&) {
  Json oidc = {{"enabled", s_.oidc != nullptr},
               {"label", s_.oidc != nullptr ? s_.oidc->config().label : std::string()}};
  return NoStore(http::Response::Json(200, {{"local", true}, {"oidc", oidc}}));
}

std::optional<SecretString> AuthApi::PreLoginBinding(const http::Request& request) const {
  for (const auto& [field, value] : request.headers) {
    if (field != "cookie") continue;
    if (auto found = users::FindCookie(value, PreLoginCookie())) {
      return SecretString(std::move(*found));
    }
  }
  return std::nullopt;
}

http::Response AuthApi::OidcLogin(const http::Request& request) {
  if (s_.oidc == nullptr) return ErrorResponse(NotFound("OIDC sign-in is not configured"));
  std::string return_to(request.Query("return").value_or("/"));
  auto start = s_.oidc->Start(return_to);
  if (!start.ok()) return ErrorResponse(start.error());
  http::Response response = Redirect(start->authorize_url);
  AddSetCookie(response,
               users::SetCookieValue(PreLoginCookie(), start->binding.RevealForUse(), secure()));
  return response;
}

http::Response AuthApi::OidcCallback(const http::Request& request) {
  if (s_.oidc == nullptr) return ErrorResponse(NotFound("OIDC sign-in is not configured"));
  auto fail = [&](const Error& error) {
    Emit(request, "oidc-login", "failure", "", error.ToString());
    http::Response response = ErrorResponse(error);
    AddSetCookie(response, users::ClearCookieValue(PreLoginCookie(), secure()));
    return response;
  };
  if (request.Query("error").has_value()) {
    return fail(Unauthenticated("Login failed", "provider returned an error"));
  }
  SecretString binding = PreLoginBinding(request).value_or(SecretString());
  auto identity = s_.oidc->Finish(binding, request.Query("state").value_or(""),
                                  request.Query("code").value_or(""));
  if (!identity.ok()) return fail(identity.error());
  auto profile = s_.directory.Upsert(identity->profile);
  if (!profile.ok()) return fail(profile.error());
  const auto& roles = identity->roles;
  bool admin = std::find(roles.begin(), roles.end(), "admin") != roles.end();
  auto session = StartSession(request, *profile, admin);
  if (!session.ok()) return fail(session.error());
  http::Response response = Redirect(identity->return_to);
  for (auto& header : session->headers) {
    if (header.first == "Set-Cookie") response.headers.push_back(header);
  }
  AddSetCookie(response, users::ClearCookieValue(PreLoginCookie(), secure()));
  Emit(request, "oidc-login", "success", profile->username, "");
  return response;
}

}  // namespace

void AddAuthRoutes(http::Router& router, const AuthServices& services) {
  auto api = std::make_shared<AuthApi>(services);
  auto bind = [api](http::Response (AuthApi::*method)(const http::Request&)) {
    return [api, method](const http::Request& request) { return ((*api).*method)(request); };
  };
  router.Add(http::Method::kPost, "/auth/local/login", bind(&AuthApi::LocalLogin));
  router.Add(http::Method::kPost, "/auth/logout", bind(&AuthApi::Logout));
  router.Add(http::Method::kGet, "/v1/collection/user/self", bind(&AuthApi::Self));
  router.Add(http::Method::kGet, "/auth/user", bind(&AuthApi::Self));
  router.Add(http::Method::kGet, "/auth/providers", bind(&AuthApi::Providers));
  router.Add(http::Method::kGet, "/auth/login", bind(&AuthApi::OidcLogin));
  router.Add(http::Method::kGet, "/auth/callback", bind(&AuthApi::OidcCallback));
}

}  // namespace broker::api::auth
