#include "secrets/http_client.h"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "core/random.h"

namespace broker::secrets {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The outcome of one attempt: a response, or a transport failure and whether it happened
// before the connection was made (only those are retried).
struct Attempt {
  CURLcode code = CURLE_OK;
  bool connect_failed = false;
  HttpResponse response;
};

// Appends the header line "name: value". The line is wiped afterwards because it may carry a
// credential (libcurl keeps its own copy, freed with the list).
curl_slist* AppendHeaderLine(curl_slist* list, std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 2 + value.size());
  line.append(name).append(": ").append(value);
  curl_slist* appended = curl_slist_append(list, line.c_str());
  sodium_memzero(line.data(), line.size());
  return appended;
}

curl_slist* BuildHeaders(const HttpRequest& request) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) list = AppendHeaderLine(list, name, value);
  for (const auto& [name, value] : request.secret_headers) {
    list = AppendHeaderLine(list, name, value.RevealForUse());
  }
  // libcurl would otherwise send "Expect: 100-continue" for larger bodies.
  return curl_slist_append(list, "Expect:");
}

bool IsConnectPhaseError(CURLcode code, CURL* curl) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return true;
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_us);
      return connect_us == 0;
    }
    default:
      return false;
  }
}

Attempt PerformOnce(const HttpRequest& request, const OutboundOptions& options) {
  GlobalInitOnce();
  Attempt attempt;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::unique_ptr<curl_slist, SlistDeleter> headers(BuildHeaders(request));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options.total_timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    const std::string& body = request.body.RevealForUse();
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &attempt.response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &attempt.response.headers);
  attempt.code = curl_easy_perform(c);
  if (attempt.code != CURLE_OK) {
    attempt.connect_failed = IsConnectPhaseError(attempt.code, c);
    return attempt;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &attempt.response.status);
  return attempt;
}

bool IsRetryableStatus(long status) { return status == 502 || status == 503 || status == 504; }

}  // namespace

CircuitBreaker::CircuitBreaker(int threshold, std::chrono::milliseconds cooldown, MonotonicNow now)
    : threshold_(threshold), cooldown_(cooldown), now_(std::move(now)) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  if (!open_) return true;
  if (now_() < open_until_ || trial_in_flight_) return false;
  trial_in_flight_ = true;  // half-open: one trial call decides
  return true;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  failures_ = 0;
  open_ = false;
  trial_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mu_);
  ++failures_;
  trial_in_flight_ = false;
  if (failures_ >= threshold_) {
    open_ = true;
    open_until_ = now_() + cooldown_;
  }
}

bool CircuitBreaker::IsOpen() const {
  std::lock_guard lock(mu_);
  return open_ && now_() < open_until_;
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(OutboundOptions options, MonotonicNow now)
    : options_(std::move(options)),
      breaker_(options_.breaker_threshold, std::chrono::milliseconds(options_.breaker_cooldown_ms),
               std::move(now)) {}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  if (!breaker_.Allow()) {
    return Unavailable(options_.name + " is unavailable",
                       "circuit breaker open; " + request.method + " " +
                           UrlPathForLogs(request.url) + " not attempted");
  }
  auto result = SendWithRetries(request);
  bool failed = !result.ok() || result->status >= 500;
  if (failed) {
    breaker_.RecordFailure();
  } else {
    breaker_.RecordSuccess();
  }
  return result;
}

Result<HttpResponse> HttpClient::SendWithRetries(const HttpRequest& request) {
  for (int attempt_no = 0;; ++attempt_no) {
    Attempt attempt = PerformOnce(request, options_);
    bool last = attempt_no >= options_.max_retries;
    if (attempt.code == CURLE_OK) {
      if (!IsRetryableStatus(attempt.response.status) || last) return std::move(attempt.response);
    } else if (!attempt.connect_failed || last) {
      return Unavailable(options_.name + " is unavailable", request.method + " " +
                                                                UrlPathForLogs(request.url) + ": " +
                                                                curl_easy_strerror(attempt.code));
    }
    SleepBeforeRetry(attempt_no);
  }
}

void HttpClient::SleepBeforeRetry(int attempt) const {
  // Exponential backoff with "equal jitter": half fixed, half random.
  int64_t ceiling = int64_t{options_.backoff_base_ms} << attempt;
  uint8_t byte = 0;
  OsRandom::Instance().Fill(std::span<uint8_t>(&byte, 1));
  int64_t delay = ceiling / 2 + (ceiling / 2) * byte / 255;
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));
}

std::string UrlPathForLogs(const std::string& url) {
  auto scheme = url.find("://");
  auto start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (start == std::string::npos) return "/";
  auto end = url.find_first_of("?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string EncodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : segment) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace broker::secrets
