// Broker's HTTP server (broker::http) with one route, GET /v1/health/ping -> 204, for
// bench/http_bench.sh to compare with baseline_hello.
//
// Usage: bench_http_server PORT [THREADS] [--access-log]

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "http/server.h"

int main(int argc, char** argv) {
  using broker::http::Method;
  if (argc < 2) {
    std::cerr << "usage: bench_http_server PORT [THREADS] [--access-log]\n";
    return 2;
  }
  broker::http::Router router;
  router.Add(Method::kGet, "/v1/health/ping",
             [](const broker::http::Request&) { return broker::http::Response::Empty(204); });
  broker::http::ServerOptions options;
  options.port = static_cast<uint16_t>(std::atoi(argv[1]));
  options.threads = argc > 2 && argv[2][0] != '-' ? std::atoi(argv[2]) : 2;
  options.access_log = std::string_view(argv[argc - 1]) == "--access-log";
  spdlog::set_level(spdlog::level::warn);
  if (options.access_log) spdlog::set_level(spdlog::level::info);
  // Block SIGINT/SIGTERM before the I/O threads start (they inherit the mask), then wait for one
  // here and stop cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  broker::http::Server server(options, router);
  if (auto status = server.Start(); !status.ok()) {
    std::cerr << status.error().ToString() << "\n";
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  server.Stop(std::chrono::milliseconds(1000));
  return 0;
}
