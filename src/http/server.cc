#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/encoding.h"
#include "core/random.h"
#include "http/security_headers.h"

namespace broker::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// How long a connection we are closing on an error keeps draining what the client still sends,
// so that the kernel does not reset the connection before the client has read our reply.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLoggedPathLimit = 256;

class Session;

// State shared by the server and every connection; it outlives both.
struct Shared {
  Shared(ServerOptions opts, const Router& r) : options(std::move(opts)), router(r) {}
  const ServerOptions options;
  const Router& router;
  std::atomic<size_t> connections{0};
  std::mutex mutex;  // guards `sessions`
  std::condition_variable drained;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
};

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}

// Request ids must be unique, not secret: a per-thread generator seeded from the OS CSPRNG
// saves a system call per request.
std::string NewRequestId() {
  thread_local std::mt19937_64 generator = [] {
    std::array<uint8_t, 8> seed{};
    OsRandom::Instance().Fill(seed);
    uint64_t value = 0;
    for (uint8_t byte : seed) value = (value << 8) | byte;
    return std::mt19937_64(value);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t value = generator();
  std::string out(16, '0');
  for (size_t i = 0; i < 16; ++i) out[i] = kHex[(value >> (60 - 4 * i)) & 0xF];
  return out;
}

// The raw (still percent-encoded) path of a target, for the access log: never the query string.
// The parser already refused control characters and spaces in the target.
std::string LoggedPath(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() > kLoggedPathLimit) return std::string(path.substr(0, kLoggedPathLimit)) + "...";
  return std::string(path);
}

bool IsSafeHeaderValue(std::string_view text) {
  return text.find_first_of("\r\n\0", 0, 3) == std::string_view::npos;
}

bool IsToken(std::string_view name) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kExtra.find(c) != kExtra.npos;
  });
}

// Headers the server owns: a handler's value for them is ignored.
bool IsServerOwnedHeader(std::string_view name) {
  for (std::string_view owned :
       {"content-length", "transfer-encoding", "connection", "x-request-id"}) {
    if (beast::iequals(name, owned)) return true;
  }
  return IsSecurityHeader(name);
}

const std::string& SecurityBlock() {
  static const std::string block = [] {
    std::string out;
    for (const auto& [name, value] : SecurityHeaders())
      out.append(name).append(": ").append(value).append("\r\n");
    return out;
  }();
  return block;
}

struct ReplyContext {
  const std::string& request_id;
  bool keep_alive;
  bool is_head;
  unsigned version;
};

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// The whole response as bytes: one buffer, one write.
std::string SerializeResponse(const Response& response, const ReplyContext& context) {
  int status = response.status;
  bool bodiless = status < 200 || status == 204 || status == 304;
  std::string out;
  out.reserve(640 + response.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(ReasonPhrase(status)).append("\r\n");
  bool has_cache_control = false;
  for (const auto& [name, value] : response.headers) {
    if (!IsToken(name) || !IsSafeHeaderValue(value)) {
      spdlog::warn("[{}] dropped an invalid response header", context.request_id);
      continue;
    }
    if (IsServerOwnedHeader(name)) continue;
    has_cache_control = has_cache_control || beast::iequals(name, "cache-control");
    AppendHeader(out, name, value);
  }
  out += SecurityBlock();
  if (!has_cache_control) AppendHeader(out, "Cache-Control", "no-store");
  AppendHeader(out, "X-Request-Id", context.request_id);
  if (!bodiless) AppendHeader(out, "Content-Length", std::to_string(response.body.size()));
  if (!context.keep_alive) AppendHeader(out, "Connection", "close");
  if (context.keep_alive && context.version == 10) AppendHeader(out, "Connection", "keep-alive");
  out += "\r\n";
  if (!bodiless && !context.is_head) out += response.body;
  return out;
}

std::string FormatEvent(std::string_view event, std::string_view data) {
  std::string out;
  if (!event.empty()) {
    out += "event: ";
    for (char c : event) {
      if (c != '\r' && c != '\n') out.push_back(c);
    }
    out += "\n";
  }
  size_t start = 0;
  while (true) {
    size_t end = data.find('\n', start);
    std::string_view line = data.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "data: ";
    out += line;
    out += "\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  out += "\n";
  return out;
}

// The EventSink handed to stream handlers. Events are queued here and pulled by the session on
// its strand; the queue is bounded so a client that stops reading cannot grow it without limit.
class SseSink final : public EventSink {
 public:
  SseSink(std::weak_ptr<Session> session, size_t max_queued)
      : session_(std::move(session)), max_queued_(max_queued) {}

  bool Send(std::string_view event, std::string_view data) override;
  bool IsOpen() const override {
    std::lock_guard lock(mutex_);
    return open_;
  }
  // Marks the sink closed; later Sends return false. Called by the session when it ends.
  void Close() {
    std::lock_guard lock(mutex_);
    open_ = false;
    queued_.clear();
  }
  std::string TakeQueued() {
    std::lock_guard lock(mutex_);
    return std::exchange(queued_, {});
  }

 private:
  mutable std::mutex mutex_;
  bool open_ = true;
  std::string queued_;
  std::weak_ptr<Session> session_;
  const size_t max_queued_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)),
        options_(shared_->options),
        stream_(std::move(socket)),
        heartbeat_(stream_.get_executor()) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  ~Session() {
    if (sink_) sink_->Close();
    std::lock_guard lock(shared_->mutex);
    shared_->sessions.erase(this);
    shared_->connections.fetch_sub(1);
    shared_->drained.notify_all();
  }

  void Start() {
    {
      std::lock_guard lock(shared_->mutex);
      shared_->sessions.emplace(this, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Asks the session to end (server stop). Idle and streaming connections close now; a request
  // in progress finishes and then closes. Call on the session's strand.
  void RequestStop() {
    stop_requested_ = true;
    if (state_ == State::kIdle || state_ == State::kReadingHeader || state_ == State::kStreaming) {
      Close();
    }
  }

  // Writes queued events. Call on the session's strand.
  void Flush() {
    if (state_ != State::kStreaming || writing_) return;
    std::string data = sink_->TakeQueued();
    if (!data.empty()) StreamWrite(std::move(data));
  }

  // Closes the stream from any thread.
  void PostClose() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }
  void PostFlush() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Flush(); });
  }
  void PostRequestStop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->RequestStop(); });
  }
  std::shared_ptr<SseSink> sink() const { return sink_; }

 private:
  enum class State {
    kIdle,
    kReadingHeader,
    kReadingBody,
    kHandling,
    kWriting,
    kLingering,
    kStreaming,
    kClosed
  };

  // Waits up to the idle timeout for the first byte of the next request on a kept-alive
  // connection; the header deadline starts when it arrives.
  void WaitForNextRequest() {
    parser_.reset();
    if (stop_requested_) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    state_ = State::kIdle;
    stream_.expires_after(options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  // The header deadline is absolute: trickling bytes does not extend it.
  void ReadHeader() {
    state_ = State::kReadingHeader;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser_->body_limit(static_cast<std::uint64_t>(options_.max_body_bytes));
    stream_.expires_after(options_.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    started_ = SteadyClock::now();
    request_id_ = NewRequestId();
    method_ = "-";
    logged_path_ = "-";
    if (ec) return OnReadError(ec, "Bad request");
    const auto& message = parser_->get();
    method_ = std::string(MethodName(ToMethod(message.method())));
    logged_path_ = LoggedPath(message.target());
    auto incoming_id = message["X-Request-Id"];
    if (IsSaneRequestId(incoming_id)) request_id_ = std::string(incoming_id);
    if (parser_->content_length() && *parser_->content_length() > options_.max_body_bytes) {
      return ReplyAndLinger(Response::FromError(TooLarge()));
    }
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(message[bhttp::field::expect], "100-continue")) return SendContinue();
    ReadBody();
  }

  static Error TooLarge() { return {ErrorCode::kPayloadTooLarge, "Request body too large"}; }

  void OnReadError(beast::error_code ec, std::string_view bad_request_message) {
    if (ec == bhttp::error::header_limit) {
      return ReplyAndLinger(Response::Envelope(431, "Request headers too large"));
    }
    if (ec == bhttp::error::body_limit) return ReplyAndLinger(Response::FromError(TooLarge()));
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        state_ == State::kClosed) {
      return Close();
    }
    ReplyAndLinger(Response::FromError(InvalidArgument(std::string(bad_request_message))));
  }

  void SendContinue() {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(options_.body_timeout);
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->ReadBody();
                     });
  }

  void ReadBody() {
    state_ = State::kReadingBody;
    stream_.expires_after(options_.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec, "Bad request body");
                        self->Dispatch();
                      });
  }

  Request BuildRequest(bhttp::request<bhttp::string_body>& message) {
    Request request;
    request.method = ToMethod(message.method());
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_;
    request.request_id = request_id_;
    return request;
  }

  void Dispatch() {
    state_ = State::kHandling;
    auto& message = parser_->get();
    bool keep_alive = message.keep_alive() && !stop_requested_;
    is_head_ = message.method() == bhttp::verb::head;
    version_ = message.version();
    Request request = BuildRequest(message);
    if (Status parsed = ParseTarget(message.target(), request); !parsed.ok()) {
      return Reply(Response::FromError(parsed.error()), keep_alive);
    }
    Router::Match match = shared_->router.Find(request.method, request.path);
    request.path_params = std::move(match.params);
    route_ = match.pattern.empty() ? "(none)" : match.pattern;
    if (match.stream) return StartStream(*match.stream, request, keep_alive);
    if (match.method_not_allowed) {
      return Reply(Response::Envelope(405, "Method not allowed"), keep_alive);
    }
    const Handler* handler = match.handler ? match.handler : shared_->router.fallback();
    if (!match.handler && handler) route_ = "(static)";
    if (!handler) return Reply(Response::FromError(NotFound("Route not found")), keep_alive);
    Reply(Invoke(*handler, request), keep_alive);
  }

  template <typename Fn>
  auto Guarded(Fn&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const std::exception& e) {
      spdlog::error("[{}] handler threw: {}", request_id_, e.what());
    } catch (...) {
      spdlog::error("[{}] handler threw a non-exception", request_id_);
    }
    return Response::FromError(Internal("handler threw"));
  }

  Response Invoke(const Handler& handler, const Request& request) {
    Response response = Guarded([&]() -> Response { return handler(request); });
    if (response.status < 100 || response.status > 599) {
      spdlog::error("[{}] handler returned status {}", request_id_, response.status);
      return Response::FromError(Internal("bad status"));
    }
    return response;
  }

  void Reply(const Response& response, bool keep_alive) {
    state_ = State::kWriting;
    reply_status_ = response.status;
    reply_bytes_ = is_head_ ? 0 : response.body.size();
    write_buffer_ = SerializeResponse(response, {request_id_, keep_alive, is_head_, version_});
    stream_.expires_after(options_.write_timeout);
    net::async_write(stream_, net::buffer(write_buffer_),
                     [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                       self->OnWritten(ec, keep_alive);
                     });
  }

  // For errors after which the request stream cannot be trusted: answer, then close.
  void ReplyAndLinger(const Response& response) {
    linger_after_write_ = true;
    is_head_ = false;
    Reply(response, false);
  }

  void LogAccess(int status, size_t bytes) {
    if (!options_.access_log) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started_);
    spdlog::info("access {} {} {} {}B {}ms rid={} remote={}", method_, logged_path_, status, bytes,
                 ms.count(), request_id_, remote_);
  }

  void ReportResponse() {
    if (!options_.on_response) return;
    const auto elapsed = SteadyClock::now() - started_;
    options_.on_response({method_, route_, reply_status_,
                          std::chrono::duration_cast<std::chrono::microseconds>(elapsed)});
    route_ = "(none)";
  }

  void OnWritten(beast::error_code ec, bool keep_alive) {
    LogAccess(reply_status_, reply_bytes_);
    ReportResponse();
    write_buffer_.clear();
    if (ec) return Close();
    if (linger_after_write_) return Linger();
    if (!keep_alive || stop_requested_) return Close();
    WaitForNextRequest();
  }

  // Half-closes and discards input for a short while, so the client reads the reply before it
  // sees the connection end.
  void Linger() {
    state_ = State::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    DiscardInput();
  }

  void DiscardInput() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(size_t{16} * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->DiscardInput();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    if (sink_) sink_->Close();
    heartbeat_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // --- Server-sent events ---

  void StartStream(const StreamHandler& handler, const Request& request, bool keep_alive) {
    auto sink = std::make_shared<SseSink>(weak_from_this(), options_.sse_max_queued_bytes);
    auto refusal = Guarded([&]() -> std::optional<Response> { return handler(request, sink); });
    if (refusal) {
      sink->Close();
      return Reply(*refusal, keep_alive);
    }
    sink_ = std::move(sink);
    state_ = State::kStreaming;
    LogAccess(200, 0);
    stream_.expires_never();
    WatchForDisconnect();
    StreamWrite(StreamHeader());
    ArmHeartbeat();
  }

  std::string StreamHeader() {
    Response head = Response::Empty(200);
    head.SetHeader("Content-Type", "text/event-stream");
    head.SetHeader("Cache-Control", "no-store");
    head.SetHeader("X-Accel-Buffering", "no");
    head.SetHeader("Connection", "close");
    ApplyStandardHeaders(head, request_id_);
    std::string out = "HTTP/1.1 200 OK\r\n";
    for (const auto& [name, value] : head.headers)
      out.append(name).append(": ").append(value).append("\r\n");
    return out + "\r\n";
  }

  // The client sends nothing on a stream; a completed read means it went away.
  void WatchForDisconnect() {
    buffer_.consume(buffer_.size());
    stream_.expires_never();  // only the read timer while a write is pending
    stream_.async_read_some(buffer_.prepare(1024),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->WatchForDisconnect();
                            });
  }

  void StreamWrite(std::string data) {
    if (state_ != State::kStreaming) return;
    writing_ = true;
    write_buffer_ = std::move(data);
    stream_.expires_after(options_.write_timeout);
    net::async_write(stream_, net::buffer(write_buffer_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec) return self->Close();
                       self->Flush();
                     });
  }

  void ArmHeartbeat() {
    heartbeat_.expires_after(options_.sse_heartbeat);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->state_ != State::kStreaming) return;
      if (!self->writing_) self->StreamWrite(": heartbeat\n\n");
      self->ArmHeartbeat();
    });
  }

  std::shared_ptr<Shared> shared_;
  const ServerOptions& options_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  net::steady_timer heartbeat_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  int reply_status_ = 0;
  size_t reply_bytes_ = 0;
  unsigned version_ = 11;
  State state_ = State::kReadingHeader;
  bool stop_requested_ = false;
  bool linger_after_write_ = false;
  bool is_head_ = false;
  std::string remote_;
  std::string request_id_;
  std::string method_ = "-";
  std::string logged_path_ = "-";
  std::string_view route_ = "(none)";  // points into the router, which outlives the server
  SteadyClock::time_point started_ = SteadyClock::now();
  std::shared_ptr<SseSink> sink_;
  bool writing_ = false;
  std::string write_buffer_;
};

bool SseSink::Send(std::string_view event, std::string_view data) {
  std::string message = FormatEvent(event, data);
  // Declared before the lock so that, if this is the last reference, ~Session (which takes
  // mutex_ to close the sink) runs after the lock is released.
  std::shared_ptr<Session> session;
  std::lock_guard lock(mutex_);
  // Checked before touching the session: once closed (at the latest when the server stops), a
  // sink never posts to the I/O loop again.
  if (!open_) return false;
  session = session_.lock();
  if (!session) return false;
  if (queued_.size() + message.size() > max_queued_) {
    // A client this far behind is dropped rather than buffered without bound.
    open_ = false;
    queued_.clear();
    session->PostClose();
    return false;
  }
  bool was_empty = queued_.empty();
  queued_ += message;
  // Posting under the lock orders it before Close(), which the server calls before it stops.
  if (was_empty) session->PostFlush();
  return true;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : shared_(std::make_shared<Shared>(std::move(options), router)),
        ioc_(std::max(1, shared_->options.threads)),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {}

  ~Impl() { Stop(std::chrono::milliseconds(0)); }

  Status Start() {
    std::lock_guard lock(state_mutex_);
    if (started_) return FailedPrecondition("Server already started");
    if (Status bound = Bind(); !bound.ok()) return bound;
    started_ = true;
    Accept();
    for (int i = 0; i < std::max(1, shared_->options.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    spdlog::info("http: listening on {}:{}", shared_->options.listen_address, port_);
    return OkStatus();
  }

  uint16_t port() const { return port_; }

  void Stop(std::chrono::milliseconds drain) {
    {
      std::lock_guard lock(state_mutex_);
      if (!started_ || stopped_) return;
      stopped_ = true;
    }
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    for (const auto& session : LiveSessions()) session->PostRequestStop();
    WaitForDrain(drain);
    ioc_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    // No thread runs now; close every sink so that no application thread posts to a dead loop.
    for (const auto& session : LiveSessions()) {
      if (auto sink = session->sink()) sink->Close();
    }
    stopped_cv_.notify_all();
  }

  void Wait() {
    std::unique_lock lock(state_mutex_);
    stopped_cv_.wait(lock, [this] { return stopped_; });
  }

 private:
  Status Bind() {
    beast::error_code ec;
    auto address = net::ip::make_address(shared_->options.listen_address, ec);
    if (ec) return Unavailable("Cannot listen", "bad listen address: " + ec.message());
    tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Unavailable("Cannot listen", "bind/listen failed: " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return OkStatus();
  }

  void Accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_),
        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Usually out of file descriptors: back off instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    if (shared_->connections.load() >= shared_->options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      shared_->connections.fetch_add(1);
      std::make_shared<Session>(std::move(socket), shared_)->Start();
    }
    Accept();
  }

  std::vector<std::shared_ptr<Session>> LiveSessions() {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(shared_->mutex);
    for (const auto& [key, weak] : shared_->sessions) {
      if (auto session = weak.lock()) out.push_back(std::move(session));
    }
    return out;
  }

  void WaitForDrain(std::chrono::milliseconds drain) {
    std::unique_lock lock(shared_->mutex);
    shared_->drained.wait_for(lock, drain, [this] { return shared_->connections.load() == 0; });
  }

  std::shared_ptr<Shared> shared_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex state_mutex_;
  std::condition_variable stopped_cv_;
  bool started_ = false;
  bool stopped_ = false;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Stop(std::chrono::milliseconds drain) { impl_->Stop(drain); }
void Server::Wait() { impl_->Wait(); }

}  // namespace broker::http
