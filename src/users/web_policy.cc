#include "users/web_policy.h"

#include <algorithm>
#include <cmath>

#include "core/secret.h"

namespace broker::users {

namespace {

constexpr size_t kMaxBuckets = 10000;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "scheme://authority" of an absolute URL, or "" if it is not one.
std::string_view OriginOf(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, authority_end);
}

std::string_view AuthorityOf(std::string_view origin) {
  size_t scheme_end = origin.find("://");
  return scheme_end == std::string_view::npos ? std::string_view{} : origin.substr(scheme_end + 3);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsOwnOrigin(std::string_view origin, const RequestFacts& facts, const OriginPolicy& policy) {
  if (origin.empty()) return false;
  if (!policy.allowed_origin.empty()) return EqualsIgnoreCase(origin, policy.allowed_origin);
  return facts.host.has_value() && !facts.host->empty() &&
         EqualsIgnoreCase(AuthorityOf(origin), *facts.host);
}

Error CrossSite() { return PermissionDenied("Cross-site request refused"); }

}  // namespace

std::string SessionCookieName(bool secure) {
  return secure ? "__Host-broker_session" : "broker_session";
}

std::string PreLoginCookieName(bool secure) {
  return secure ? "__Host-broker_oidc" : "broker_oidc";
}

std::string SetCookieValue(std::string_view name, std::string_view value, bool secure) {
  std::string cookie =
      std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string ClearCookieValue(std::string_view name, bool secure) {
  std::string cookie = std::string(name) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    size_t end = cookie_header.find(';');
    std::string_view pair = Trim(cookie_header.substr(0, end));
    cookie_header =
        end == std::string_view::npos ? std::string_view{} : cookie_header.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (Trim(pair.substr(0, eq)) == name) return std::string(Trim(pair.substr(eq + 1)));
  }
  return std::nullopt;
}

Status CheckCredentialMix(const RequestFacts& facts) {
  if (facts.has_session_cookie && facts.has_bearer) {
    return PermissionDenied("Session cookie and bearer token together are not allowed");
  }
  return OkStatus();
}

Status CheckSameOrigin(const RequestFacts& facts, const OriginPolicy& policy) {
  if (!facts.unsafe_method) return OkStatus();
  if (facts.sec_fetch_site.has_value()) {
    std::string_view site = *facts.sec_fetch_site;
    if (site == "cross-site") return CrossSite();
    if (site == "same-site" && !policy.allow_same_site) return CrossSite();
  }
  if (facts.origin.has_value()) {
    return IsOwnOrigin(*facts.origin, facts, policy) ? OkStatus() : Status(CrossSite());
  }
  if (facts.referer.has_value() && !IsOwnOrigin(OriginOf(*facts.referer), facts, policy)) {
    return CrossSite();
  }
  return OkStatus();
}

Status CheckCsrfToken(const RequestFacts& facts, std::string_view session_csrf) {
  if (!facts.unsafe_method) return OkStatus();
  bool valid = facts.csrf_header.has_value() && !session_csrf.empty() &&
               SecretEquals(*facts.csrf_header, session_csrf);
  if (!valid) return PermissionDenied("Invalid CSRF token");
  return OkStatus();
}

Status DecideSessionRequest(const RequestFacts& facts, const OriginPolicy& policy,
                            std::string_view session_csrf) {
  BROKER_RETURN_IF_ERROR(CheckCredentialMix(facts));
  BROKER_RETURN_IF_ERROR(CheckSameOrigin(facts, policy));
  return CheckCsrfToken(facts, session_csrf);
}

RateLimiter::RateLimiter(double capacity, std::chrono::seconds period, Now now)
    : capacity_(capacity),
      per_second_(capacity / static_cast<double>(period.count())),
      now_(now ? std::move(now) : Now([] { return std::chrono::steady_clock::now(); })) {}

void RateLimiter::Refill(Bucket& bucket, std::chrono::steady_clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(capacity_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
  bucket.updated = now;
}

void RateLimiter::PruneFull(std::chrono::steady_clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    it = it->second.tokens >= capacity_ ? buckets_.erase(it) : std::next(it);
  }
}

std::optional<int64_t> RateLimiter::Take(std::string_view key) {
  std::lock_guard lock(mu_);
  auto now = now_();
  if (buckets_.size() >= kMaxBuckets) PruneFull(now);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(key), Bucket{capacity_, now}).first;
  Bucket& bucket = it->second;
  Refill(bucket, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  double wait = (1.0 - bucket.tokens) / per_second_;
  // The epsilon keeps floating-point noise from adding a second to an exact wait.
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait - 1e-6)));
}

}  // namespace broker::users
