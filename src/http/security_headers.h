#pragma once

// The headers the server puts on every response (see docs/http.md).

#include <string>
#include <string_view>

#include "http/message.h"

namespace broker::http {

// The Content-Security-Policy of every response. Deviation from SECURITY.md 3.3: style-src
// allows 'unsafe-inline' and font-src allows data:, because the web UI's MUI/emotion injects
// <style> elements at run time and bundles small fonts inline. Scripts stay 'self' only.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

// The fixed security headers, in the order they are sent.
const Fields& SecurityHeaders();
// True if `name` (any case) is one of SecurityHeaders().
bool IsSecurityHeader(std::string_view name);

// Sets the security headers (replacing any the handler set), X-Request-Id, and
// `Cache-Control: no-store` unless the handler set a Cache-Control.
void ApplyStandardHeaders(Response& response, const std::string& request_id);

}  // namespace broker::http
