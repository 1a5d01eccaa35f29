#include "http/security_headers.h"

#include <strings.h>

#include <algorithm>

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
  return std::ranges::any_of(SecurityHeaders(), [name](const auto& header) {
    const std::string_view known = header.first;
    return known.size() == name.size() &&
           ::strncasecmp(known.data(), name.data(), name.size()) == 0;
  });
}

void ApplyStandardHeaders(Response& response, const std::string& request_id) {
  for (const auto& [name, value] : SecurityHeaders()) response.SetHeader(name, value);
  if (!response.Header("Cache-Control")) response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("X-Request-Id", request_id);
}

}  // namespace broker::http
