#include "http/server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "http/static_files.h"
#include "http/test_client.h"

namespace broker::http {
namespace {

namespace fs = std::filesystem;
using testing::Client;
using testing::Get;
using testing::RawResponse;
using testing::Roundtrip;
using namespace std::chrono_literals;

Response Text(std::string body) {
  Response response;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "text/plain");
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add(Method::kGet, "/hello", [](const Request&) { return Text("hello"); });
    router_.Add(Method::kPost, "/echo", [](const Request& request) {
      auto json = request.JsonBody();
      if (!json.ok()) return Response::FromError(json.error());
      return Response::Json(200, *json);
    });
    router_.Add(Method::kPost, "/size",
                [](const Request& request) { return Text(std::to_string(request.body.size())); });
    router_.Add(Method::kGet, "/throw",
                [](const Request&) -> Response { throw std::runtime_error("bug"); });
    router_.Add(Method::kGet, "/v1/items/:id",
                [](const Request& r) { return Text("param:" + std::string(r.Param("id"))); });
    router_.Add(Method::kGet, "/v1/items/special", [](const Request&) { return Text("literal"); });
    router_.Add(Method::kGet, "/v1/search", [](const Request& r) {
      return Text(std::string(r.Query("q").value_or("-")) + "|" + r.path);
    });
    router_.Add(Method::kGet, "/cache", [](const Request&) {
      Response response = Text("c");
      response.SetHeader("Cache-Control", "public, max-age=60");
      return response;
    });
    router_.Add(Method::kGet, "/override", [](const Request&) {
      Response response = Text("o");
      response.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
      response.headers.emplace_back("Content-Length", "999");
      response.headers.emplace_back("X-Injected", "a\r\nSet-Cookie: evil=1");
      response.headers.emplace_back("Bad Name", "x");
      response.headers.emplace_back("X-Fine", "yes");
      return response;
    });
    router_.Add(Method::kGet, "/slow", [](const Request&) {
      std::this_thread::sleep_for(300ms);
      return Text("slow");
    });
    router_.Add(Method::kGet, "/whoami", [](const Request& r) {
      return Text(r.request_id + "|" + r.remote_address + "|" +
                  std::string(r.Header("x-custom").value_or("")));
    });
    router_.AddStream(
        "/events",
        [this](const Request& request, std::shared_ptr<EventSink> sink) -> std::optional<Response> {
          if (request.Query("deny")) return Response::FromError(Unauthenticated());
          std::lock_guard lock(sink_mutex_);
          sink_ = std::move(sink);
          return std::nullopt;
        });
    log_sink_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", log_sink_));
  }

  ~ServerTest() override {
    if (server_) server_->Stop(0ms);
    spdlog::set_default_logger(previous_logger_);
  }

  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<Server>(options, router_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }

  std::optional<RawResponse> Send(std::string_view request) { return Roundtrip(port_, request); }

  std::shared_ptr<EventSink> WaitForSink() {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(sink_mutex_);
        if (sink_) return sink_;
      }
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }

  std::string Log() {
    std::string out;
    for (const auto& line : log_sink_->last_formatted()) out += line;
    return out;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::mutex sink_mutex_;
  std::shared_ptr<EventSink> sink_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_sink_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};

void ExpectStandardHeaders(const RawResponse& response) {
  EXPECT_EQ(response.Header("content-security-policy"),
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'");
  EXPECT_EQ(response.Header("x-frame-options"), "DENY");
  EXPECT_EQ(response.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(response.Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(response.Header("cross-origin-opener-policy"), "same-origin");
  EXPECT_EQ(response.Header("cross-origin-resource-policy"), "same-origin");
  EXPECT_EQ(response.Header("permissions-policy"), "camera=(), microphone=(), geolocation=()");
  EXPECT_TRUE(std::regex_match(response.Header("x-request-id"), std::regex("[0-9a-f]{16}")))
      << response.Header("x-request-id");
  for (const auto& [name, value] : response.headers) {
    EXPECT_NE(name.rfind("access-control-", 0), 0u) << name;
  }
}

TEST_F(ServerTest, SecurityHeadersOnEveryStatus) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  struct Case {
    std::string request;
    int status;
  };
  std::vector<Case> cases = {
      {Get("/hello"), 200},
      {Get("/nope"), 404},
      {"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 405},
      {"POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413},
      {Get("/throw"), 500},
      {Get("/v1/items/%zz"), 400},
  };
  for (const auto& c : cases) {
    auto response = Send(c.request);
    ASSERT_TRUE(response) << c.request;
    EXPECT_EQ(response->status, c.status) << c.request;
    ExpectStandardHeaders(*response);
    EXPECT_EQ(response->Header("cache-control"), "no-store");
  }
}

TEST_F(ServerTest, ErrorEnvelopes) {
  StartServer();
  auto not_found = Send(Get("/nope"));
  ASSERT_TRUE(not_found);
  EXPECT_EQ(Json::parse(not_found->body),
            Json::parse(R"({"statusCode":404,"message":"Route not found","error":"Not Found"})"));
  EXPECT_EQ(not_found->Header("content-type"), "application/json; charset=utf-8");
  auto wrong_method = Send("DELETE /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(Json::parse(wrong_method->body)["error"], "Method Not Allowed");
  auto crash = Send(Get("/throw"));
  ASSERT_TRUE(crash);
  EXPECT_EQ(crash->body, R"({"statusCode":500,"message":"Internal server error"})");
  EXPECT_NE(Log().find("handler threw: bug"), std::string::npos);
  auto after = Send(Get("/hello"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "hello");
}

TEST_F(ServerTest, HandlerCacheControlIsKept) {
  StartServer();
  auto response = Send(Get("/cache"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("cache-control"), "public, max-age=60");
  ExpectStandardHeaders(*response);
}

TEST_F(ServerTest, HandlerCannotOverrideServerHeadersOrInjectLines) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send("GET /override HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string raw = client.ReadSome(2s);
  EXPECT_NE(raw.find("X-Frame-Options: DENY\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("SAMEORIGIN"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("999"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("evil"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("Bad Name"), std::string::npos) << raw;
  EXPECT_NE(raw.find("X-Fine: yes\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Content-Length: 1\r\n"), std::string::npos) << raw;
}

TEST_F(ServerTest, Http10KeepAliveOnlyWhenAsked) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto kept = client.Read();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->Header("connection"), "keep-alive");
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n"));
  auto closed = client.Read();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->body, "hello");
  EXPECT_EQ(closed->Header("connection"), "close");
  EXPECT_TRUE(client.WaitClosed(1s));
}

TEST_F(ServerTest, RequestIdHonouredWhenSaneAndReplacedOtherwise) {
  StartServer();
  auto honoured = Send(Get("/whoami", "X-Request-Id: abc-DEF-123\r\nX-Custom: v\r\n"));
  ASSERT_TRUE(honoured);
  EXPECT_EQ(honoured->Header("x-request-id"), "abc-DEF-123");
  EXPECT_EQ(honoured->body, "abc-DEF-123|127.0.0.1|v");
  for (const std::string& bad : {std::string("a_b"), std::string(65, 'a'), std::string("a b")}) {
    auto replaced = Send(Get("/whoami", "X-Request-Id: " + bad + "\r\n"));
    ASSERT_TRUE(replaced);
    EXPECT_TRUE(std::regex_match(replaced->Header("x-request-id"), std::regex("[0-9a-f]{16}")));
  }
  auto a = Send(Get("/hello"));
  auto b = Send(Get("/hello"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->Header("x-request-id"), b->Header("x-request-id"));
}

TEST_F(ServerTest, JsonTestSuiteRejectsAreAnswered400AndServerKeepsServing) {
  StartServer();
  fs::path dir = fs::path(BROKER_SHARED_DIR) / "testdata/jsontestsuite/test_parsing";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int count = 0;
  auto client = std::make_unique<Client>(port_);
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("n_", 0) != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string request =
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    if (!client->Send(request)) {
      client = std::make_unique<Client>(port_);
      ASSERT_TRUE(client->Send(request)) << name;
    }
    auto response = client->Read();
    ASSERT_TRUE(response) << name;
    EXPECT_EQ(response->status, 400) << name;
    EXPECT_EQ(Json::parse(response->body)["statusCode"], 400) << name;
    ++count;
  }
  EXPECT_GT(count, 150);
  ASSERT_TRUE(client->Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}"));
  auto ok = client->Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, R"({"a":1})");
}

TEST_F(ServerTest, OversizedContentLengthIsRefusedWithoutReadingTheBody) {
  ServerOptions options;
  options.body_timeout = 20s;
  StartServer(options);
  Client client(port_);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      client.Send("POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n"
                  "Content-Type: application/json\r\n\r\n{\"a\":"));
  auto response = client.Read();
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(Json::parse(response->body),
            Json::parse(R"({"statusCode":413,"message":"Request body too large",)"
                        R"("error":"Payload Too Large"})"));
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_LT(elapsed, 1s);
  EXPECT_TRUE(client.WaitClosed(5s));
}

TEST_F(ServerTest, ChunkedBodyStopsAtTheCap) {
  ServerOptions options;
  options.max_body_bytes = 10'000;
  StartServer(options);
  Client client(port_);
  ASSERT_TRUE(client.Send("POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "1000\r\n" + std::string(4096, 'x') + "\r\n";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Send(chunk));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  // A chunked body under the cap is fine.
  Client small(port_);
  ASSERT_TRUE(small.Send("POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                         chunk + "0\r\n\r\n"));
  auto accepted = small.Read();
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->body, "4096");
}

TEST_F(ServerTest, BodyAtTheCapIsAccepted) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  auto at = Send("POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" +
                 std::string(1000, 'a'));
  ASSERT_TRUE(at);
  EXPECT_EQ(at->body, "1000");
  auto over = Send("POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n" +
                   std::string(1001, 'a'));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
}

TEST_F(ServerTest, ExpectContinue) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(
      client.Send("POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  auto interim = client.Read(true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("abc"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "3");
}

TEST_F(ServerTest, HeaderCap) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  auto response = Send(Get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  ExpectStandardHeaders(*response);
  auto fine = Send(Get("/hello", "X-Small: " + std::string(500, 'a') + "\r\n"));
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST_F(ServerTest, SlowlorisClientsDoNotDelayOthersAndAreClosedAtTheHeaderDeadline) {
  ServerOptions options;
  options.header_timeout = 1500ms;
  StartServer(options);
  std::vector<std::unique_ptr<Client>> slow;
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<Client>(port_, 100ms));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  }
  auto opened = std::chrono::steady_clock::now();
  std::atomic<bool> trickling = true;
  std::thread trickler([&] {
    while (trickling) {
      for (auto& client : slow) client->Send("X");
      std::this_thread::sleep_for(50ms);
    }
  });
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto response = Send(Get("/hello"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_until(opened + 2500ms);
  trickling = false;
  trickler.join();
  int closed = 0;
  for (auto& client : slow) closed += client->WaitClosed(500ms) ? 1 : 0;
  EXPECT_EQ(closed, 200);
}

TEST_F(ServerTest, ConnectionCap) {
  ServerOptions options;
  options.max_connections = 3;
  StartServer(options);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(held.back()->Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(held.back()->Read());  // accepted and kept alive
  }
  Client excess(port_);
  ASSERT_TRUE(excess.connected());  // the kernel accepts; the server closes at once
  EXPECT_TRUE(excess.WaitClosed(2s));
  held.pop_back();
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    auto response = Send(Get("/hello"));
    served = response && response->status == 200;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

TEST_F(ServerTest, PathParamsLiteralPrecedenceAndDecoding) {
  StartServer();
  EXPECT_EQ(Send(Get("/v1/items/special"))->body, "literal");
  EXPECT_EQ(Send(Get("/v1/items/abc"))->body, "param:abc");
  EXPECT_EQ(Send(Get("/v1/items/a%20b+c"))->body, "param:a b+c");
  EXPECT_EQ(Send(Get("/v1/items/%C3%A9"))->body, "param:\xC3\xA9");
  EXPECT_EQ(Send(Get("/v1/search?q=a+b%26c&x=1"))->body, "a b&c|/v1/search");
  for (const char* bad : {"/v1/items/%00", "/v1/items/%C3", "/v1/items/%zz", "/v1/search?q=%FF",
                          "/v1/items/../hello", "/v1/%2e%2e/hello", "/v1/items/a%2Fb"}) {
    auto response = Send(Get(bad));
    ASSERT_TRUE(response) << bad;
    EXPECT_EQ(response->status, 400) << bad;
  }
}

TEST_F(ServerTest, HeadKeepAliveAndConnectionClose) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.Read(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "5");
  // Pipelined: both answered in order on the same connection, and HEAD sent no body.
  ASSERT_TRUE(
      client.Send("GET /v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /v1/items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "param:1");
  EXPECT_EQ(second->body, "param:2");
  EXPECT_EQ(second->Header("connection"), "close");
  EXPECT_TRUE(client.WaitClosed(1s));
}

TEST_F(ServerTest, IdleKeepAliveTimeout) {
  ServerOptions options;
  options.idle_timeout = 300ms;
  StartServer(options);
  Client client(port_);
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.Read());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitClosed(2s));
  EXPECT_GT(std::chrono::steady_clock::now() - start, 200ms);
}

TEST_F(ServerTest, AccessLogHasNoQueryStringOrHeaders) {
  StartServer();
  auto response =
      Send(Get("/v1/search?token=SECRET123&q=x", "Authorization: Bearer HDRSECRET\r\n"));
  ASSERT_TRUE(response);
  std::string rid = response->Header("x-request-id");
  std::string log;
  // The line is written when the write completes, which may be just after the client read it.
  for (int i = 0; i < 100 && log.find("rid=" + rid) == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
    log = Log();
  }
  EXPECT_NE(log.find("access GET /v1/search 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("rid=" + rid), std::string::npos) << log;
  EXPECT_NE(log.find("remote=127.0.0.1"), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET123"), std::string::npos) << log;
  EXPECT_EQ(log.find("token="), std::string::npos) << log;
  EXPECT_EQ(log.find("HDRSECRET"), std::string::npos) << log;
}

TEST_F(ServerTest, StopDrainsInFlightRequests) {
  StartServer();
  std::optional<RawResponse> response;
  std::thread client([&] { response = Send(Get("/slow")); });
  std::this_thread::sleep_for(100ms);
  server_->Stop(2s);
  client.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "slow");
  Client late(port_);
  EXPECT_FALSE(late.connected() && late.Send(Get("/hello")) && late.Read());
}

TEST_F(ServerTest, WaitReturnsAfterStop) {
  StartServer();
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    server_->Stop(100ms);
  });
  server_->Wait();
  stopper.join();
}

TEST_F(ServerTest, SseDeliversEventsHeartbeatsAndNoticesDisconnect) {
  ServerOptions options;
  options.sse_heartbeat = 200ms;
  options.header_timeout = 300ms;  // a stream must outlive the request deadlines
  options.idle_timeout = 300ms;
  StartServer(options);
  auto client = std::make_unique<Client>(port_);
  ASSERT_TRUE(client->Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto sink = WaitForSink();
  ASSERT_TRUE(sink);
  EXPECT_TRUE(sink->Send("greet", "hello\nworld"));
  EXPECT_TRUE(sink->Send("", "plain"));
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (received.find(": heartbeat") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    received += client->ReadSome(100ms);
  }
  EXPECT_EQ(received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << received;
  EXPECT_NE(received.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(received.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(received.find("X-Frame-Options: DENY\r\n"), std::string::npos);
  EXPECT_NE(received.find("event: greet\ndata: hello\ndata: world\n\ndata: plain\n\n"),
            std::string::npos)
      << received;
  EXPECT_NE(received.find(": heartbeat\n\n"), std::string::npos);
  std::this_thread::sleep_for(500ms);  // past header and idle timeouts: still open
  EXPECT_TRUE(sink->IsOpen());
  EXPECT_TRUE(sink->Send("later", "x"));
  EXPECT_NE(client->ReadSome(300ms).find("event: later\ndata: x\n\n"), std::string::npos);
  client.reset();
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = !sink->IsOpen();
    if (!closed) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_FALSE(sink->Send("after", "x"));
}

TEST_F(ServerTest, SseRefusalIsANormalReply) {
  StartServer();
  auto response = Send(Get("/events?deny=1"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  ExpectStandardHeaders(*response);
}

TEST_F(ServerTest, SseSlowClientIsDropped) {
  ServerOptions options;
  options.sse_max_queued_bytes = size_t{64} * 1024;
  StartServer(options);
  Client client(port_);
  ASSERT_TRUE(client.Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto sink = WaitForSink();
  ASSERT_TRUE(sink);
  std::string payload(size_t{16} * 1024, 'x');
  bool refused = false;
  for (int i = 0; i < 10'000 && !refused; ++i) refused = !sink->Send("e", payload);
  EXPECT_TRUE(refused);
  EXPECT_FALSE(sink->IsOpen());
  EXPECT_TRUE(client.WaitClosed(5s));
}

TEST_F(ServerTest, StopClosesStreams) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto sink = WaitForSink();
  ASSERT_TRUE(sink);
  server_->Stop(1s);
  EXPECT_FALSE(sink->IsOpen());
  EXPECT_FALSE(sink->Send("e", "x"));
}

TEST_F(ServerTest, StaticFilesThroughTheServer) {
  fs::path base = fs::temp_directory_path() / ("http_srv_static_" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "dist" / "assets");
  std::ofstream(base / "dist" / "index.html") << "<html>spa</html>";
  std::ofstream(base / "dist" / "assets" / "a.js") << "js";
  std::ofstream(base / "secret") << "top secret";
  router_.SetFallback(StaticFiles({.root = base / "dist"}));
  StartServer();
  auto js = Send(Get("/assets/a.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->Header("cache-control"), "public, max-age=31536000, immutable");
  auto spa = Send(Get("/browse/x"));
  ASSERT_TRUE(spa);
  EXPECT_EQ(spa->body, "<html>spa</html>");
  EXPECT_EQ(spa->Header("cache-control"), "no-store");
  ExpectStandardHeaders(*spa);
  auto head = Send("HEAD /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("content-length"), "16");
  EXPECT_EQ(Send(Get("/v1/unknown"))->status, 404);
  for (const char* bad : {"/../secret", "/%2e%2e/secret", "/assets/%2E%2E/%2e%2e/secret",
                          "/assets/..%2F..%2Fsecret"}) {
    auto response = Send(Get(bad));
    ASSERT_TRUE(response) << bad;
    EXPECT_EQ(response->status, 400) << bad;
    EXPECT_EQ(response->body.find("top secret"), std::string::npos) << bad;
  }
  fs::remove_all(base);
}

TEST_F(ServerTest, StartFailsOnABusyPort) {
  StartServer();
  ServerOptions options;
  options.port = port_;
  Server second(options, router_);
  Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace broker::http
