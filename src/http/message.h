#pragma once

// The request and response types that handlers see. Handlers never touch Beast: they take a
// parsed `Request` and return a `Response`, so they can be unit-tested without sockets.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace broker::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method method);

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::kGet;
  std::string target;  // as received: path and query string
  std::string path;    // percent-decoded path, without the query string
  Fields headers;      // names lower-cased
  Fields query;        // percent-decoded query parameters in order
  Fields path_params;  // filled by the router from ":name" segments
  std::string body;
  std::string remote_address;  // peer IP address
  std::string request_id;      // unique per request; echoed as X-Request-Id

  // The value of the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
  // How many headers are named `name` (case-insensitive).
  size_t HeaderCount(std::string_view name) const;
  // The first query parameter named `name`, or nullopt.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The path parameter `name` from the route pattern. REQUIRES: the pattern declares it.
  std::string_view Param(std::string_view name) const;
  // The User-Agent header, or "".
  std::string_view UserAgent() const;

  // Parses the body as strict JSON (core/json.h). InvalidArgument for an empty or malformed
  // body; the message never echoes the body.
  Result<Json> JsonBody() const;
};

struct Response {
  int status = 200;
  Fields headers;
  std::string body;

  // `body` serialised, Content-Type application/json.
  static Response Json(int status, const broker::Json& body);
  // The JSON error envelope {"statusCode": N, "message": "...", "error": "..."} for `error`,
  // with the status from HttpStatusFor. The internal message is not included. "error" is the
  // label, or the reason phrase without one; an empty label omits "error" (NestJS bodies such
  // as {"message":"Unauthorized","statusCode":401}). kInternal without a label gives exactly
  // {"statusCode":500,"message":"Internal server error"}.
  static Response FromError(const Error& error);
  // The envelope for a status that has no ErrorCode (405, 415, 431): "error" is the reason
  // phrase of `status`.
  static Response Envelope(int status, std::string_view message);
  // No body (e.g. 204).
  static Response Empty(int status);

  // Replaces any header named `name`.
  void SetHeader(std::string_view name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;
};

// The standard reason phrase for an HTTP status ("Bad Request"), or "Unknown".
std::string_view ReasonPhrase(int status);

// Content-type policy for JSON endpoints, kept out of Request::JsonBody so that handlers which
// must accept what the reference accepts can skip it. Returns nullopt when the body is empty or
// the Content-Type media type is application/json (parameters such as charset allowed, case
// ignored); otherwise a 415 envelope ready to return.
std::optional<Response> RequireJsonContentType(const Request& request);

// Percent-decodes `text` ("+" stays "+"; with `plus_as_space`, "+" becomes " " as in query
// strings). Returns nullopt for a malformed escape, a decoded NUL or invalid UTF-8.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space = false);

// Splits a request target into the decoded path and query parameters of `request`. Returns
// InvalidArgument when the target is not origin-form ("/..."), an escape is malformed, the
// result holds NUL or invalid UTF-8, the path has an encoded slash (%2F) or a "." or ".."
// segment (encoded or not).
Status ParseTarget(std::string_view target, Request& request);

}  // namespace broker::http
