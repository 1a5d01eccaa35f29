#pragma once

// Test helpers for the sign-in handlers: a wired set of services over SQLite and a way to call
// routes through the Router without sockets.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/auth/auth_api.h"
#include "core/clock.h"
#include "core/random.h"
#include "http/router.h"
#include "store/database.h"
#include "support/temp_dir.h"
#include "users/schema.h"

namespace broker::api::auth::testing {

struct Cookie {
  std::string name;
  std::string value;
  std::map<std::string, std::string> attributes;  // lower-cased names; flags map to ""
};

// Parses one Set-Cookie value.
inline Cookie ParseSetCookie(std::string_view header) {
  Cookie cookie;
  bool first = true;
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view part = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    std::string name(part.substr(0, eq));
    std::string value(eq == std::string_view::npos ? "" : part.substr(eq + 1));
    if (first) {
      cookie.name = name;
      cookie.value = value;
      first = false;
      continue;
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    cookie.attributes[name] = value;
  }
  return cookie;
}

inline std::vector<Cookie> SetCookies(const http::Response& response) {
  std::vector<Cookie> cookies;
  for (const auto& [name, value] : response.headers) {
    if (name == "Set-Cookie") cookies.push_back(ParseSetCookie(value));
  }
  return cookies;
}

inline http::Response Call(const http::Router& router, http::Method method, std::string_view target,
                           http::Fields headers = {}, std::string body = {},
                           std::string remote = "192.0.2.1") {
  http::Request request;
  request.method = method;
  request.target = std::string(target);
  EXPECT_TRUE(http::ParseTarget(target, request).ok());
  for (auto& [name, value] : headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.remote_address = std::move(remote);
  request.request_id = "test";
  http::Router::Match match = router.Find(method, request.path);
  if (match.handler == nullptr) return http::Response::Empty(match.method_not_allowed ? 405 : 404);
  request.path_params = match.params;
  return (*match.handler)(request);
}

// Everything the handlers need, over a fresh SQLite database.
struct AuthWorld {
  explicit AuthWorld(WebConfig config = {}, users::OidcConfig* oidc_config = nullptr,
                     users::HttpClient* http_client = nullptr)
      : db(Open()),
        credentials(*db, clock, hasher),
        sessions(*db, clock, random),
        limiter(20, std::chrono::seconds(60), [this] { return steady_now; }),
        authenticator(sessions, directory, std::move(config)) {
    if (oidc_config != nullptr) {
      oidc = std::make_unique<users::OidcClient>(*oidc_config, *db, *http_client, clock, random);
    }
    AuthServices services{credentials,
                          sessions,
                          directory,
                          limiter,
                          authenticator,
                          oidc.get(),
                          [this](const AuthEvent& event) { events.push_back(event); }};
    AddAuthRoutes(router, services);
  }

  std::unique_ptr<store::Database> Open() {
    auto opened = store::Open("sqlite:" + dir.File("auth.db"));
    if (!opened.ok()) throw std::runtime_error(opened.error().ToString());
    auto migrated = users::MigrateUsers(**opened);
    if (!migrated.ok()) throw std::runtime_error(migrated.error().ToString());
    return std::move(opened).value();
  }

  static users::PasswordPolicy Fast() {
    users::PasswordPolicy policy;
    policy.opslimit = 1;
    policy.memlimit_bytes = size_t{64} * 1024;
    return policy;
  }

  broker::testing::TempDir dir;
  FakeClock clock{1'800'000'000};
  OsRandom random;
  std::chrono::steady_clock::time_point steady_now{};
  users::PasswordHasher hasher{Fast()};
  std::unique_ptr<store::Database> db;
  users::InMemoryUserDirectory directory;
  users::CredentialStore credentials;
  users::SessionStore sessions;
  users::RateLimiter limiter;
  SessionAuthenticator authenticator;
  std::unique_ptr<users::OidcClient> oidc;
  std::vector<AuthEvent> events;
  http::Router router;
};

}  // namespace broker::api::auth::testing
