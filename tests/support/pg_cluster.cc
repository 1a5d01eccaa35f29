#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace broker::testing {
namespace {

constexpr const char* kDefaultBinDir = "/usr/lib/postgresql/15/bin";

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs argv (optionally through `runuser -u postgres --`) in `cwd`, capturing stdout and
// stderr. stdin is /dev/null and no other descriptor is inherited, so a server the command
// leaves running cannot hold the caller's pipes open.
CommandResult Run(std::vector<std::string> argv, bool as_postgres, const std::string& cwd) {
  if (as_postgres) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  CommandResult result;
  if (rc != 0) {
    close(pipe_fds[0]);
    result.output = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) result.output.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return result;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadTail(const std::string& path, size_t max_chars = 3000) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > max_chars ? all.substr(all.size() - max_chars) : all;
}

std::string PercentEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// Runs one statement on a fresh connection to `url`; throws with the server's message.
void AdminExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  // Server notices (e.g. shutdown warnings during outage tests) are not interesting here.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("PgCluster: cannot connect: " + message);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string message = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("PgCluster: " + sql + ": " + message);
}

void WaitUntilAccepting(const std::string& url) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (PQping(url.c_str()) != PQPING_OK) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("PgCluster: server did not accept connections within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

// A server this process started, and the watchdog that removes it if the process dies.
struct PgCluster::Owned {
  std::string bin_dir;
  std::string root;  // temporary directory owned by the postgres user
  std::string data_dir;
  std::string log_file;
  bool as_postgres = false;
  int watchdog_fd = -1;
  pid_t watchdog_pid = -1;

  ~Owned() {
    // The watchdog stops the server and deletes the directory.
    if (watchdog_fd >= 0) {
      [[maybe_unused]] ssize_t written = write(watchdog_fd, "clean\n", 6);
      close(watchdog_fd);
    }
    if (watchdog_pid > 0) {
      int status = 0;
      while (waitpid(watchdog_pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }

  std::string Bin(const char* tool) const { return bin_dir + "/" + tool; }

  CommandResult Ctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {Bin("pg_ctl"), "-D", data_dir});
    return Run(std::move(args), as_postgres, root);
  }

  [[noreturn]] void Fail(const std::string& what, const CommandResult& result) const {
    throw std::runtime_error("PgCluster: " + what + " failed (exit " +
                             std::to_string(result.exit_code) + "):\n" + result.output +
                             "\nserver log tail:\n" + ReadTail(log_file));
  }

  void MakeRoot() {
    char pattern[] = "/tmp/broker-pg-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("PgCluster: mkdtemp failed");
    root = pattern;
    data_dir = root + "/data";
    log_file = root + "/server.log";
    if (!as_postgres) return;
    passwd* user = getpwnam("postgres");
    if (user == nullptr) throw std::runtime_error("PgCluster: no 'postgres' user to run as");
    if (chown(root.c_str(), user->pw_uid, user->pw_gid) != 0) {
      throw std::runtime_error("PgCluster: chown " + root + " failed");
    }
  }

  // The watchdog is a shell in its own session, blocked reading a pipe that only this process
  // holds. A normal exit writes "clean" and waits for it; a crash just closes the pipe, and
  // then the watchdog keeps stopping and deleting for a while, in case initdb or pg_ctl were
  // still running when the process died.
  void StartWatchdog() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("PgCluster: pipe failed");
    std::string stop = (as_postgres ? "runuser -u postgres -- " : "") + Bin("pg_ctl") + " -D " +
                       data_dir + " -m immediate -w stop >/dev/null 2>&1";
    std::string script = "read line; if [ \"$line\" = clean ]; then " + stop + "; rm -rf " + root +
                         "; exit 0; fi; i=0; while [ $i -lt 15 ]; do " + stop + "; rm -rf " + root +
                         "; sleep 1; i=$((i+1)); done";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
    int rc = posix_spawn(&watchdog_pid, "/bin/sh", &actions, &attributes,
                         const_cast<char* const*>(argv), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[0]);
    watchdog_fd = fds[1];
    if (rc != 0) throw std::runtime_error("PgCluster: cannot start the watchdog");
  }

  void InitDb() {
    CommandResult result = Run({Bin("initdb"), "-D", data_dir, "-U", "postgres", "-A", "trust",
                                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                               as_postgres, root);
    if (result.exit_code != 0) Fail("initdb", result);
  }

  // Later settings in postgresql.conf override earlier ones, so a retry just appends a port.
  void Configure(int port) const {
    std::ofstream conf(data_dir + "/postgresql.conf", std::ios::app);
    conf << "\nlisten_addresses = '127.0.0.1'\nport = " << port << "\nunix_socket_directories = '"
         << root << "'\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
         << "max_connections = 300\nshared_buffers = 32MB\n";
  }

  CommandResult Start() const { return Ctl({"-l", log_file, "-w", "-t", "60", "start"}); }
};

PgCluster& PgCluster::Shared() {
  static std::mutex mu;
  static PgCluster* instance = nullptr;
  static std::string failure;
  std::lock_guard lock(mu);
  if (instance != nullptr) return *instance;
  // A failed start is remembered so that every test reports it quickly.
  if (!failure.empty()) throw std::runtime_error(failure);
  try {
    static PgCluster cluster;
    instance = &cluster;
  } catch (const std::exception& e) {
    failure = e.what();
    throw;
  }
  return *instance;
}

PgCluster::PgCluster() {
  const char* external = getenv("BROKER_TEST_POSTGRES_URL");
  if (external != nullptr && *external != '\0') {
    UseExternal(external);
  } else {
    StartOwned();
  }
  prefetcher_ = std::thread([this] { Prefetch(); });
}

void PgCluster::UseExternal(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "parse error";
    PQfreemem(error);
    throw std::runtime_error("PgCluster: bad BROKER_TEST_POSTGRES_URL: " + message);
  }
  host_ = "127.0.0.1";
  port_ = 5432;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string key = o->keyword;
    if (key == "host") host_ = o->val;
    if (key == "port") port_ = std::stoi(o->val);
    if (key == "user") user_ = o->val;
    if (key == "password") password_ = o->val;
    if (key == "dbname") admin_db_ = o->val;
  }
  PQconninfoFree(options);
  if (admin_db_.empty()) admin_db_ = "postgres";
  WaitUntilAccepting(AdminUrl());
}

void PgCluster::StartOwned() {
  owned_ = std::make_unique<Owned>();
  const char* bin_dir = getenv("BROKER_PG_BINDIR");
  owned_->bin_dir = bin_dir != nullptr && *bin_dir != '\0' ? bin_dir : kDefaultBinDir;
  if (access(owned_->Bin("initdb").c_str(), X_OK) != 0 ||
      access(owned_->Bin("pg_ctl").c_str(), X_OK) != 0) {
    throw std::runtime_error("PgCluster: initdb/pg_ctl not found in " + owned_->bin_dir +
                             " (install the Debian package postgresql-15, or set "
                             "BROKER_PG_BINDIR or BROKER_TEST_POSTGRES_URL)");
  }
  owned_->as_postgres = geteuid() == 0;
  owned_->MakeRoot();
  owned_->StartWatchdog();
  owned_->InitDb();
  host_ = "127.0.0.1";
  user_ = "postgres";
  admin_db_ = "postgres";
  // Another process may take the chosen port before the server binds it; try a few.
  CommandResult result;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreeLoopbackPort();
    owned_->Configure(port_);
    result = owned_->Start();
    if (result.exit_code == 0) break;
  }
  if (result.exit_code != 0) owned_->Fail("pg_ctl start", result);
  WaitUntilAccepting(AdminUrl());
}

PgCluster::~PgCluster() {
  {
    std::lock_guard lock(spares_mu_);
    stopping_ = true;
  }
  spares_changed_.notify_all();
  if (prefetcher_.joinable()) prefetcher_.join();
}

std::string PgCluster::AdminUrl() const {
  std::string auth = PercentEncode(user_);
  if (!password_.empty()) auth += ":" + PercentEncode(password_);
  return "postgresql://" + auth + "@" + host_ + ":" + std::to_string(port_) + "/" +
         PercentEncode(admin_db_);
}

std::string PgCluster::CreateDatabase() {
  std::unique_lock lock(spares_mu_);
  bool ready =
      spares_changed_.wait_for(lock, std::chrono::seconds(60), [this] { return !spares_.empty(); });
  if (!ready) {
    throw std::runtime_error("PgCluster: no database could be created within 60 s: " +
                             last_prefetch_error_);
  }
  std::string name = std::move(spares_.front());
  spares_.pop_front();
  spares_changed_.notify_all();
  std::string url = AdminUrl();
  return url.substr(0, url.rfind('/') + 1) + name;
}

std::string PgCluster::NewDatabaseName() {
  std::lock_guard lock(spares_mu_);
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  return "broker_t" + std::to_string(getpid()) + "_" + std::to_string(++databases_created_) + "_" +
         std::to_string(micros % 1000000);
}

void PgCluster::Prefetch() {
  constexpr size_t kSpareDatabases = 2;
  while (true) {
    {
      std::unique_lock lock(spares_mu_);
      spares_changed_.wait(lock, [this] { return stopping_ || spares_.size() < kSpareDatabases; });
      if (stopping_) return;
    }
    std::string name = NewDatabaseName();
    try {
      AdminExec(AdminUrl(), "CREATE DATABASE " + name);
      std::lock_guard lock(spares_mu_);
      spares_.push_back(std::move(name));
    } catch (const std::exception& e) {
      // Typically the server is stopped for an outage test; try again shortly.
      std::unique_lock lock(spares_mu_);
      last_prefetch_error_ = e.what();
      spares_changed_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
    }
    spares_changed_.notify_all();
  }
}

void PgCluster::Stop() {
  std::lock_guard lock(mu_);
  if (!owned_) throw std::runtime_error("PgCluster: cannot stop an external server");
  CommandResult result = owned_->Ctl({"-m", "immediate", "-w", "stop"});
  if (result.exit_code != 0) owned_->Fail("pg_ctl stop", result);
}

void PgCluster::Start() {
  std::lock_guard lock(mu_);
  if (!owned_) throw std::runtime_error("PgCluster: cannot start an external server");
  CommandResult result = owned_->Start();
  if (result.exit_code != 0) owned_->Fail("pg_ctl start", result);
  WaitUntilAccepting(AdminUrl());
}

void PgCluster::Restart() {
  std::lock_guard lock(mu_);
  if (!owned_) throw std::runtime_error("PgCluster: cannot restart an external server");
  CommandResult result =
      owned_->Ctl({"-m", "fast", "-l", owned_->log_file, "-w", "-t", "60", "restart"});
  if (result.exit_code != 0) owned_->Fail("pg_ctl restart", result);
  WaitUntilAccepting(AdminUrl());
}

}  // namespace broker::testing
