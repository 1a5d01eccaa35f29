#pragma once

// Black-box test support: runs the real `broker` binary on a temporary data directory and a
// free loopback port, and talks to it over HTTP.
//
//   BrokerProcess broker({.import_file = "tests/blackbox/graph.json"});
//   HttpClient alice(broker.url());
//   alice.Login("alice", "alice-pass");
//   auto r = alice.Post("/v1/collection/broker-account/" + id + "/token?expiration=3600");

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"

namespace broker::testing {

struct BrokerOptions {
  std::string import_file;              // imported before start, if set
  std::vector<std::string> extra_args;  // passed to `broker serve`
  std::map<std::string, std::string> env;
  std::string database;  // empty = SQLite in the data directory
  // Files written into the data directory (mode 0600) before import and start, by name, e.g.
  // another node's "jwt-signing-key.pem" and "tools-store.key" for a second node of a cluster.
  std::map<std::string, std::string> files;
};

class BrokerProcess {
 public:
  explicit BrokerProcess(BrokerOptions options);
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  const std::string& url() const { return url_; }
  const std::string& data_dir() const { return data_dir_; }
  // Everything the process wrote to stdout and stderr so far.
  std::string Output() const;
  // Runs `broker ARGS... --data-dir DIR` (a CLI command against the same data) and returns
  // {exit code, stdout followed by stderr}. `stdin_text` is fed to its standard input; when
  // `stdout_only` is given it receives standard output alone.
  std::pair<int, std::string> RunCli(const std::vector<std::string>& args,
                                     const std::string& stdin_text = "",
                                     std::string* stdout_only = nullptr) const;
  // Sends SIGTERM and waits; returns the exit status.
  int Stop();
  // Sends SIGKILL (a crash: no shutdown work at all) and waits.
  void Kill();
  void Restart();

  static std::string BinaryPath();

 private:
  void Start();
  std::vector<std::string> DataArgs() const;

  BrokerOptions options_;
  std::string data_dir_;
  std::string log_path_;
  std::string url_;
  pid_t pid_ = -1;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names, last value wins
  std::vector<std::string> set_cookies;
  Json json() const;
};

// A blocking HTTP client with a cookie jar and the CSRF header a signed-in browser would send.
class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POST /auth/local/login; keeps the session cookie and CSRF token. Returns the response.
  HttpResponse Login(const std::string& username, const std::string& password);
  void SetBearer(std::string token) { bearer_ = std::move(token); }
  void ClearBearer() { bearer_.clear(); }
  // Replaces the CSRF token sent on unsafe methods (tests of forged requests).
  void SetCsrfToken(std::string token) { csrf_token_ = std::move(token); }
  void SetHeader(const std::string& name, const std::string& value) { extra_[name] = value; }

  HttpResponse Get(const std::string& path);
  HttpResponse Post(const std::string& path, const std::string& body = "",
                    const std::string& content_type = "application/json");
  HttpResponse Delete(const std::string& path);
  HttpResponse Request(const std::string& method, const std::string& path,
                       const std::optional<std::string>& body, const std::string& content_type);

 private:
  std::string base_url_;
  void* curl_;
  std::string bearer_;
  std::string csrf_token_;
  std::map<std::string, std::string> extra_;
};

}  // namespace broker::testing
