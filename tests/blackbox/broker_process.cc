#include "broker_process.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/ports.h"

namespace broker::testing {
namespace {

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "broker-bb-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Runs argv with stdout+stderr to `log_path`, optional stdin text; returns the pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& log_path, const std::string* stdin_text,
            const std::string& err_path = "") {
  int in_pipe[2] = {-1, -1};
  if (stdin_text != nullptr && pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(log, 1);
    if (err_path.empty()) {
      dup2(log, 2);
    } else {
      dup2(open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600), 2);
    }
    if (stdin_text != nullptr) {
      dup2(in_pipe[0], 0);
      close(in_pipe[1]);
    } else {
      const int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
    }
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (stdin_text != nullptr) {
    close(in_pipe[0]);
    const ssize_t written = write(in_pipe[1], stdin_text->data(), stdin_text->size());
    (void)written;
    close(in_pipe[1]);
  }
  return pid;
}

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* out) {
  auto* response = static_cast<HttpResponse*>(out);
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    if (name == "set-cookie") response->set_cookies.push_back(value);
    response->headers[name] = value;
  }
  return size * n;
}

}  // namespace

std::string BrokerProcess::BinaryPath() {
  if (const char* bin = std::getenv("BROKER_BIN")) return bin;
  return BROKER_BIN_PATH;
}

BrokerProcess::BrokerProcess(BrokerOptions options) : options_(std::move(options)) {
  data_dir_ = MakeTempDir();
  log_path_ = data_dir_ + "/broker.log";
  for (const auto& [name, content] : options_.files) {
    const std::string path = data_dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  if (!options_.import_file.empty()) {
    const auto [code, output] = RunCli({"import", options_.import_file});
    if (code != 0) throw std::runtime_error("broker import failed: " + output);
  }
  Start();
}

BrokerProcess::~BrokerProcess() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

std::vector<std::string> BrokerProcess::DataArgs() const {
  std::vector<std::string> args = {"--data-dir", data_dir_};
  if (!options_.database.empty()) {
    args.emplace_back("--database");
    args.push_back(options_.database);
  }
  return args;
}

void BrokerProcess::Start() {
  const int port = UnusedLoopbackPort();
  url_ = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> argv = {BinaryPath(), "serve", "--listen",
                                   "127.0.0.1:" + std::to_string(port)};
  for (const auto& a : DataArgs()) argv.push_back(a);
  for (const auto& a : options_.extra_args) argv.push_back(a);
  pid_ = Spawn(argv, options_.env, log_path_, nullptr);
  HttpClient probe(url_);
  for (int i = 0; i < 200; ++i) {
    if (probe.Get("/v1/health/ping").status == 204) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("broker exited at start:\n" + Output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("broker did not answer within 10 s:\n" + Output());
}

std::string BrokerProcess::Output() const { return ReadFile(log_path_); }

std::pair<int, std::string> BrokerProcess::RunCli(const std::vector<std::string>& args,
                                                  const std::string& stdin_text,
                                                  std::string* stdout_only) const {
  const std::string out_path = data_dir_ + "/cli-" + std::to_string(rand()) + ".log";
  const std::string err_path = out_path + ".err";
  std::vector<std::string> argv = {BinaryPath()};
  for (const auto& a : args) argv.push_back(a);
  for (const auto& a : DataArgs()) argv.push_back(a);
  const pid_t pid = Spawn(argv, options_.env, out_path, &stdin_text, err_path);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string output = ReadFile(out_path);
  if (stdout_only != nullptr) *stdout_only = output;
  output += ReadFile(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

int BrokerProcess::Stop() {
  if (pid_ <= 0) return 0;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void BrokerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void BrokerProcess::Restart() {
  Stop();
  Start();
}

Json HttpResponse::json() const { return Json::parse(body.empty() ? "null" : body); }

HttpClient::HttpClient(std::string base_url)
    : base_url_(std::move(base_url)), curl_(curl_easy_init()) {
  curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");  // in-memory cookie jar
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 30L);
}

HttpClient::~HttpClient() { curl_easy_cleanup(curl_); }

HttpResponse HttpClient::Login(const std::string& username, const std::string& password) {
  const Json body = {{"username", username}, {"password", password}};
  HttpResponse response = Post("/auth/local/login", body.dump());
  if (response.status == 200) csrf_token_ = response.json().value("csrfToken", "");
  return response;
}

HttpResponse HttpClient::Get(const std::string& path) {
  return Request("GET", path, std::nullopt, "");
}
HttpResponse HttpClient::Post(const std::string& path, const std::string& body,
                              const std::string& content_type) {
  return Request("POST", path, body, content_type);
}
HttpResponse HttpClient::Delete(const std::string& path) {
  return Request("DELETE", path, std::nullopt, "");
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& path,
                                 const std::optional<std::string>& body,
                                 const std::string& content_type) {
  HttpResponse response;
  curl_slist* headers = nullptr;
  if (!bearer_.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer_).c_str());
  if (!csrf_token_.empty() && method != "GET") {
    headers = curl_slist_append(headers, ("X-CSRF-Token: " + csrf_token_).c_str());
  }
  if (body && !content_type.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  }
  for (const auto& [name, value] : extra_) {
    std::string line = name;
    line.append(": ").append(value);
    headers = curl_slist_append(headers, line.c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  const std::string url = base_url_ + path;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  if (body) {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  } else {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, method == "GET" ? 1L : 0L);
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &CollectHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);
  if (curl_easy_perform(curl_) == CURLE_OK) {
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
  }
  curl_slist_free_all(headers);
  return response;
}

}  // namespace broker::testing
