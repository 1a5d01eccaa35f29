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
  // with the status from HttpStatusFor. The internal message is not included.
  static Response FromError(const Error& error);
  // No body (e.g. 204).
  static Response Empty(int status);

  // Replaces any header named `name`.
  void SetHeader(std::string_view name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;
};

// The standard reason phrase for an HTTP status ("Bad Request").
std::string_view ReasonPhrase(int status);

}  // namespace broker::http
