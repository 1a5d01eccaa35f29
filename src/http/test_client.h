#pragma once

// A tiny blocking HTTP/1.1 client over raw sockets for the server tests: it sends exactly the
// bytes a test gives it, so tests can send malformed, slow or oversized requests.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace broker::http::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class Client {
 public:
  // Connects to 127.0.0.1:port; receive timeout `timeout`. Check connected().
  explicit Client(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(std::string_view data);
  // Reads one response (Content-Length framed, or until close). nullopt on timeout or close
  // before a whole header. With `head`, expects no body.
  std::optional<RawResponse> Read(bool head = false);
  // Reads whatever arrives until `timeout`; returns it (for SSE).
  std::string ReadSome(std::chrono::milliseconds timeout);
  // True if the server closes (EOF or reset) within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);
  void Close();

 private:
  bool Fill();
  int fd_ = -1;
  std::string buffer_;
};

// Connects, sends `request`, reads one response.
std::optional<RawResponse> Roundtrip(uint16_t port, std::string_view request);
// A GET request with Connection: close.
std::string Get(std::string_view target, std::string_view extra_headers = "");

}  // namespace broker::http::testing
