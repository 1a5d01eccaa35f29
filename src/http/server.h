#pragma once

// The HTTP/1.1 server (Boost.Beast over Asio).
//
// Every connection has deadlines (headers, body, idle keep-alive), a header size cap and a body
// size cap; a body over the cap is answered 413 without being read whole. Past
// `max_connections`, new connections are closed at once. Every response carries X-Request-Id
// and the security headers (CSP with frame-ancestors 'none', X-Content-Type-Options,
// X-Frame-Options, Referrer-Policy, COOP, CORP) and, unless the handler set one,
// `Cache-Control: no-store`. Each request is written to the access log (method, path without
// query, status, bytes, duration, request id; never headers or bodies).
//
// Handlers run on the server's I/O threads and may block briefly (database calls).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/router.h"

namespace broker::http {

// One answered request, for metrics. `route` is the matched route pattern (e.g.
// "/v1/collection/:collection/:id"), "(static)" for the fallback, "(none)" when nothing
// matched or the request was malformed. Never the raw path: it may be unbounded or secret.
struct RequestRecord {
  std::string_view method;
  std::string_view route;
  int status = 0;
  std::chrono::microseconds duration{0};
};

struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  uint16_t port = 3000;  // 0 picks a free port; see Server::port()
  int threads = 2;
  size_t max_header_bytes = size_t{8} * 1024;
  size_t max_body_bytes = size_t{1024} * 1024;
  size_t max_connections = 1024;
  std::chrono::milliseconds header_timeout{10'000};  // from accept or from the previous reply
  std::chrono::milliseconds body_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive between requests
  std::chrono::milliseconds sse_heartbeat{15'000};
  std::chrono::milliseconds write_timeout{30'000};   // each response write, each SSE write
  size_t sse_max_queued_bytes = size_t{256} * 1024;  // per stream; past it the client is dropped
  bool access_log = true;
  // Called on an I/O thread after each response is written (not for event streams). Must be
  // quick and thread-safe.
  std::function<void(const RequestRecord&)> on_response;
};

class Server {
 public:
  // The router must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O threads. Unavailable if the address cannot be bound.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to `drain`), closes streams, joins.
  void Stop(std::chrono::milliseconds drain = std::chrono::milliseconds(5000));
  // Blocks until Stop() is called from another thread or a signal handler.
  void Wait();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace broker::http
