#include "http/message.h"

#include <algorithm>
#include <cctype>

#include "core/encoding.h"

namespace broker::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string_view> FindField(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The envelope with its members in the reference's order (nlohmann::json would sort them).
Response EnvelopeResponse(int status, std::string_view message,
                          std::optional<std::string_view> label) {
  nlohmann::ordered_json body = {{"statusCode", status}, {"message", message}};
  if (label) body["error"] = *label;
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  return response;
}

bool HasDotSegment(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

Status ParseQuery(std::string_view query, Fields& out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return InvalidArgument("Invalid query string");
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return OkStatus();
}

}  // namespace

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  return FindField(headers, name);
}

size_t Request::HeaderCount(std::string_view name) const {
  return static_cast<size_t>(std::count_if(headers.begin(), headers.end(), [&](const auto& field) {
    return EqualsIgnoreCase(field.first, name);
  }));
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::string_view Request::UserAgent() const { return Header("user-agent").value_or(""); }

Result<Json> Request::JsonBody() const {
  if (body.empty()) return InvalidArgument("Request body is empty");
  return ParseStrictJson(body);
}

Response Response::Json(int status, const broker::Json& body) {
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, broker::Json::error_handler_t::replace);
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  return response;
}

Response Response::FromError(const Error& error) {
  int status = HttpStatusFor(error.code());
  const auto& label = error.label();
  if (!label && error.code() == ErrorCode::kInternal) {
    return EnvelopeResponse(status, "Internal server error", std::nullopt);
  }
  std::optional<std::string_view> shown = ReasonPhrase(status);
  if (label) shown = label->empty() ? std::nullopt : std::optional<std::string_view>(*label);
  return EnvelopeResponse(status, error.message(), shown);
}

Response Response::Envelope(int status, std::string_view message) {
  return EnvelopeResponse(status, message, ReasonPhrase(status));
}

Response Response::Empty(int status) {
  Response response;
  response.status = status;
  return response;
}

void Response::SetHeader(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& field) { return EqualsIgnoreCase(field.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  return FindField(headers, name);
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::optional<Response> RequireJsonContentType(const Request& request) {
  if (request.body.empty()) return std::nullopt;
  std::string_view type = request.Header("content-type").value_or("");
  type = Trim(type.substr(0, type.find(';')));
  if (EqualsIgnoreCase(type, "application/json")) return std::nullopt;
  return Response::Envelope(415, "Content-Type must be application/json");
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  if (out.find('\0') != std::string::npos || !IsValidUtf8(out)) return std::nullopt;
  return out;
}

Status ParseTarget(std::string_view target, Request& request) {
  if (target.empty() || target.front() != '/') return InvalidArgument("Invalid request target");
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  // An encoded slash would route differently from how a proxy sees the path: refuse it.
  if (raw_path.find("%2F") != std::string_view::npos ||
      raw_path.find("%2f") != std::string_view::npos) {
    return InvalidArgument("Invalid request path");
  }
  auto path = PercentDecode(raw_path);
  if (!path) return InvalidArgument("Invalid request path");
  if (HasDotSegment(*path)) return InvalidArgument("Invalid request path");
  request.target = std::string(target);
  request.path = std::move(*path);
  request.query.clear();
  if (question == std::string_view::npos) return OkStatus();
  return ParseQuery(target.substr(question + 1), request.query);
}

}  // namespace broker::http
