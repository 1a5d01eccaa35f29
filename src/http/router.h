#pragma once

// Maps (method, path pattern) to handlers. Patterns are literal segments and ":name"
// parameters, e.g. "/v1/collection/:collection/:id/token". Literal segments win over
// parameters when both match, so "/v1/collection/user/self" can sit beside
// "/v1/collection/:collection/:id".
//
// Thread-safety: build the router before the server starts; after that it is read-only.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace broker::http {

using Handler = std::function<Response(const Request&)>;

// A server-sent-events stream. The http server owns the connection; the application keeps a
// shared_ptr to push events. Thread-safe.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues one event ("data: <data>\n\n", with "event: <event>" if non-empty). Returns false
  // once the client has gone; the holder should then drop the sink.
  virtual bool Send(std::string_view event, std::string_view data) = 0;
  virtual bool IsOpen() const = 0;
};

// Accepts a stream by returning nullopt (and keeping `sink` to push events later), or refuses
// it by returning a response (e.g. 401), which is sent as a normal reply.
using StreamHandler =
    std::function<std::optional<Response>(const Request&, std::shared_ptr<EventSink> sink)>;

class Router {
 public:
  void Add(Method method, std::string pattern, Handler handler);
  void AddStream(std::string pattern, StreamHandler handler);  // GET only
  // Used when no route matches the path (e.g. serving the web UI). Without one, 404.
  void SetFallback(Handler handler);

  struct Match {
    const Handler* handler = nullptr;       // a plain route
    const StreamHandler* stream = nullptr;  // a stream route
    Fields params;
    bool method_not_allowed = false;  // the path matched, but not with this method
    std::string_view pattern;         // the matched route's pattern (for metrics); "" if none
  };
  // Finds the route for `method` and `path`. With neither handler set and
  // method_not_allowed false, nothing matched (use the fallback or 404).
  Match Find(Method method, std::string_view path) const;
  const Handler* fallback() const { return fallback_ ? &*fallback_ : nullptr; }

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;
    std::optional<Handler> handler;
    std::optional<StreamHandler> stream;
  };
  std::vector<Route> routes_;
  std::optional<Handler> fallback_;
};

}  // namespace broker::http
