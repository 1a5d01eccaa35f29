#pragma once

// Outbound HTTP for the OIDC client: a small interface so tests can substitute it, and a
// libcurl implementation with timeouts, no redirects followed and no debug output (request
// bodies carry client secrets and codes).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace broker::users {

struct HttpReply {
  long status = 0;
  std::string body;
  std::string location;  // the Location header, if any
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Unavailable when the server cannot be reached or does not answer in time. Any HTTP status
  // is a successful reply.
  virtual Result<HttpReply> Get(const std::string& url, const HttpHeaders& headers) = 0;
  // POSTs an application/x-www-form-urlencoded body. Errors as Get.
  virtual Result<HttpReply> PostForm(const std::string& url, const std::string& body,
                                     const HttpHeaders& headers) = 0;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  Result<HttpReply> Get(const std::string& url, const HttpHeaders& headers) override;
  Result<HttpReply> PostForm(const std::string& url, const std::string& body,
                             const HttpHeaders& headers) override;

 private:
  Result<HttpReply> Perform(const std::string& url, const std::string* body,
                            const HttpHeaders& headers);
  std::chrono::milliseconds timeout_;
};

// application/x-www-form-urlencoded / RFC 3986 percent-encoding of everything but unreserved
// characters.
std::string UrlEncode(std::string_view text);

}  // namespace broker::users
