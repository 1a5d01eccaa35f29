#pragma once

// Outbound HTTP for Vault and GitHub, over libcurl, with the reliability rules of
// docs/SECURITY.md 4.0: connect timeout 2 s, total 5 s per attempt, at most 2 retries with
// jittered exponential backoff (only for connection errors and 502/503/504), and a circuit
// breaker that fails fast for 30 s after 5 consecutive failed calls.
//
// Request bodies and headers may carry secrets (tokens, sealed values); they are held as
// SecretString and never appear in errors or logs. Errors name the method, the destination
// name and the URL path only.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/secret.h"
#include "core/status.h"

namespace broker::secrets {

using MonotonicNow = std::function<std::chrono::steady_clock::time_point()>;

struct OutboundOptions {
  std::string name = "outbound";  // "vault", "github": used in messages and logs
  long connect_timeout_ms = 2000;
  long total_timeout_ms = 5000;
  int max_retries = 2;
  int backoff_base_ms = 100;
  int breaker_threshold = 5;
  int breaker_cooldown_ms = 30000;
};

// Counts consecutive failures; after `threshold` of them it opens and refuses calls for
// `cooldown`, then lets one trial call through (half-open). Thread-safe.
class CircuitBreaker {
 public:
  CircuitBreaker(int threshold, std::chrono::milliseconds cooldown, MonotonicNow now);

  // False while open. In half-open state, true for exactly one caller until it reports.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  bool IsOpen() const;
  int consecutive_failures() const;

 private:
  const int threshold_;
  const std::chrono::milliseconds cooldown_;
  MonotonicNow now_;
  mutable std::mutex mu_;
  int failures_ = 0;
  bool open_ = false;
  bool trial_in_flight_ = false;
  std::chrono::steady_clock::time_point open_until_{};
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  // Headers whose values are secrets ("X-Vault-Token", "Authorization").
  std::vector<std::pair<std::string, SecretString>> secret_headers;
  SecretString body;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased

  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(
      OutboundOptions options, MonotonicNow now = [] { return std::chrono::steady_clock::now(); });

  // Sends `request`, retrying as described above. Returns the response for any HTTP status
  // (the caller maps statuses) except that a 502/503/504 that persists through the retries is
  // returned as a response too. Errors:
  //   Unavailable  connection refused/reset/timed out after the retries, or the breaker is open
  //                (public message "<name> is unavailable").
  // Thread-safe.
  Result<HttpResponse> Send(const HttpRequest& request);

  const CircuitBreaker& breaker() const { return breaker_; }
  const OutboundOptions& options() const { return options_; }

 private:
  Result<HttpResponse> SendWithRetries(const HttpRequest& request);
  void SleepBeforeRetry(int attempt) const;

  OutboundOptions options_;
  CircuitBreaker breaker_;
};

// The path of `url` without scheme, host or query, for error messages.
std::string UrlPathForLogs(const std::string& url);

// Percent-encodes one path segment (RFC 3986 unreserved characters are kept).
std::string EncodePathSegment(std::string_view segment);

}  // namespace broker::secrets
