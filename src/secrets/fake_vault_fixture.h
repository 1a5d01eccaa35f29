#pragma once

// Test helper: runs tests/fakes/fake_vault.py on a free loopback port for the lifetime of the
// object, and drives its control endpoints (faults, stats, raw state). Throws
// std::runtime_error if the fake does not start within 10 s.

#include <string>
#include <vector>

#include "core/json.h"
#include "secrets/http_client.h"

namespace broker::secrets::testing {

// A fake server script (python3 SCRIPT --port 0 ARGS...) that prints its port on its first
// line; killed on destruction.
class FakeProcess {
 public:
  FakeProcess(const std::string& script, std::vector<std::string> args);
  ~FakeProcess();
  FakeProcess(const FakeProcess&) = delete;
  FakeProcess& operator=(const FakeProcess&) = delete;
  int port() const { return port_; }
  std::string addr() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int pid_ = -1;
  int port_ = 0;
};

// Sends one control request to a fake and returns the parsed JSON body (null when empty).
// Throws std::runtime_error if the fake does not answer.
Json FakeControl(const std::string& addr, const std::string& method, const std::string& path,
                 const Json& body);

class FakeVault {
 public:
  // `script` is the path of fake_vault.py; `args` are extra command-line arguments.
  explicit FakeVault(const std::string& script, std::vector<std::string> args = {});
  ~FakeVault() = default;
  FakeVault(const FakeVault&) = delete;
  FakeVault& operator=(const FakeVault&) = delete;

  int port() const { return process_.port(); }
  std::string addr() const { return process_.addr(); }

  // Appends a fault rule (see fake_vault.py), e.g. {"mode":"503","count":2}.
  void AddFault(const Json& rule);
  void ClearFaults();
  // Closes the listener for `ms` milliseconds (connections refused), then listens again.
  void Refuse(int ms);
  // Total /v1 requests seen, and per "METHOD path".
  int Requests();
  int Requests(const std::string& method_path);
  // The raw stored state of one secret (all versions), or null if absent.
  Json Raw(const std::string& mount, const std::string& path);

 private:
  Json Control(const std::string& method, const std::string& what, const Json& body);

  FakeProcess process_;
};

}  // namespace broker::secrets::testing
