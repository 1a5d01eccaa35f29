#pragma once

// Pure decisions about browser requests: cookie names and attributes, and the CSRF policy
// (SECURITY.md 3.1, 3.2). No I/O, so they can be unit-tested and fuzzed on their own.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace broker::users {

// "__Host-broker_session" when cookies are Secure (served over TLS), else "broker_session".
std::string SessionCookieName(bool secure);
// The pre-login cookie of the OIDC flow, named the same way ("broker_oidc").
std::string PreLoginCookieName(bool secure);

// "NAME=VALUE; Path=/; HttpOnly; SameSite=Lax" plus "; Secure" when `secure`. No Domain, no
// Max-Age: a browser-session cookie.
std::string SetCookieValue(std::string_view name, std::string_view value, bool secure);
// A Set-Cookie value that deletes the cookie (empty value, Max-Age=0, same attributes).
std::string ClearCookieValue(std::string_view name, bool secure);

// The value of the first cookie named `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name);

// What the CSRF policy looks at in a request.
struct RequestFacts {
  bool unsafe_method = false;  // POST, PUT, PATCH, DELETE (and anything not GET/HEAD/OPTIONS)
  bool has_session_cookie = false;
  bool has_bearer = false;  // an Authorization header is present
  std::optional<std::string_view> sec_fetch_site;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> referer;
  std::optional<std::string_view> host;
  std::optional<std::string_view> csrf_header;  // X-CSRF-Token
};

struct OriginPolicy {
  // The web UI's origin, e.g. "https://broker.example.com". When empty, an Origin header must
  // name the request's own Host.
  std::string allowed_origin;
  bool allow_same_site = false;  // accept Sec-Fetch-Site: same-site on unsafe methods
};

// PermissionDenied ("Session cookie and bearer token together are not allowed") when the
// request carries both credentials.
Status CheckCredentialMix(const RequestFacts& facts);
// For unsafe methods: PermissionDenied ("Cross-site request refused") for Sec-Fetch-Site
// cross-site (or same-site unless allowed), for Origin "null" or another origin, or, without
// Origin, a Referer from another origin. Safe methods always pass.
Status CheckSameOrigin(const RequestFacts& facts, const OriginPolicy& policy);
// For unsafe methods: PermissionDenied ("Invalid CSRF token") unless X-CSRF-Token equals
// `session_csrf` (constant time). Safe methods always pass.
Status CheckCsrfToken(const RequestFacts& facts, std::string_view session_csrf);
// The whole decision for a request made with a valid session whose CSRF token is
// `session_csrf`: the three checks above, in that order.
Status DecideSessionRequest(const RequestFacts& facts, const OriginPolicy& policy,
                            std::string_view session_csrf);

// A token bucket per key (the client IP) on a steady clock: `capacity` attempts, refilled at
// `capacity` per `period`. Thread-safe.
class RateLimiter {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;
  RateLimiter(double capacity, std::chrono::seconds period, Now now = nullptr);

  // Takes one token for `key`. Returns nullopt when allowed, else the whole seconds (>= 1) to
  // wait before a token is available.
  std::optional<int64_t> Take(std::string_view key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  void Refill(Bucket& bucket, std::chrono::steady_clock::time_point now) const;
  void PruneFull(std::chrono::steady_clock::time_point now);

  double capacity_;
  double per_second_;
  Now now_;
  std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace broker::users
