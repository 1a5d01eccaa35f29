#include "http/security_headers.h"

#include <strings.h>

namespace broker::http {

const Fields& SecurityHeaders() {
  static const Fields kHeaders = {
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Frame-Options", "DENY"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
  };
  return kHeaders;
}

bool IsSecurityHeader(std::string_view name) {
  for (const auto& [known, value] : SecurityHeaders()) {
    if (known.size() == name.size() && ::strncasecmp(known.data(), name.data(), name.size()) == 0) {
      return true;
    }
  }
  return false;
}

void ApplyStandardHeaders(Response& response, const std::string& request_id) {
  for (const auto& [name, value] : SecurityHeaders()) response.SetHeader(name, value);
  if (!response.Header("Cache-Control")) response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("X-Request-Id", request_id);
}

}  // namespace broker::http
