#include "secrets/fake_vault_fixture.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace broker::secrets::testing {
namespace {

OutboundOptions ControlOptions() {
  OutboundOptions o;
  o.name = "fake-vault-control";
  o.max_retries = 0;
  o.breaker_threshold = 1 << 30;
  return o;
}

// Reads the first line the child prints (its port), waiting at most `timeout_ms`.
std::string ReadFirstLine(int fd, int timeout_ms) {
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  return line;
}

}  // namespace

FakeProcess::FakeProcess(const std::string& script, std::vector<std::string> args) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = {"python3", script, "--port", "0"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    argv.reserve(argv_s.size() + 1);
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("python3", argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string line = ReadFirstLine(fds[0], 10000);
  ::close(fds[0]);
  port_ = std::atoi(line.c_str());
  if (port_ <= 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    throw std::runtime_error("fake server did not start: " + script);
  }
}

FakeProcess::~FakeProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

Json FakeControl(const std::string& addr, const std::string& method, const std::string& path,
                 const Json& body) {
  HttpRequest request;
  request.method = method;
  request.url = addr + path;
  if (!body.is_null()) request.body = SecretString(body.dump());
  auto response = HttpClient(ControlOptions()).Send(request);
  if (!response.ok()) throw std::runtime_error("fake control request failed: " + path);
  if (response->body.empty()) return {};
  return Json::parse(response->body);
}

FakeVault::FakeVault(const std::string& script, std::vector<std::string> args)
    : process_(script, std::move(args)) {}

Json FakeVault::Control(const std::string& method, const std::string& what, const Json& body) {
  return FakeControl(addr(), method, "/_fake/" + what, body);
}

void FakeVault::AddFault(const Json& rule) { Control("POST", "faults", rule); }
void FakeVault::ClearFaults() { Control("DELETE", "faults", Json()); }

void FakeVault::Refuse(int ms) {
  Control("POST", "faults", Json{{"mode", "refuse"}, {"duration_ms", ms}});
  // The fake closes its listener asynchronously; wait until connections are refused.
  for (int i = 0; i < 100; ++i) {
    HttpRequest probe;
    probe.url = addr() + "/_fake/stats";
    OutboundOptions o = ControlOptions();
    o.total_timeout_ms = 200;
    if (!HttpClient(o).Send(probe).ok()) return;
    ::usleep(10000);
  }
}

int FakeVault::Requests() { return Control("GET", "stats", Json())["requests"].get<int>(); }

int FakeVault::Requests(const std::string& method_path) {
  Json stats = Control("GET", "stats", Json())["by_method_path"];
  return stats.contains(method_path) ? stats[method_path].get<int>() : 0;
}

Json FakeVault::Raw(const std::string& mount, const std::string& path) {
  Json raw = Control("GET", "kv/" + mount + "/" + path, Json());
  return raw.is_object() && raw.empty() ? Json() : raw;
}

}  // namespace broker::secrets::testing
