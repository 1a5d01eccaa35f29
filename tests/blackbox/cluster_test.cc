// Two `broker serve` processes on one throwaway PostgreSQL database, as behind a load balancer:
// events made on one node reach the other's streams, a revoke on one is refused at once on the
// other, the job leadership moves when its holder dies or stops, and concurrent generations on
// both nodes never leave more than two working tokens.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "support/pg_cluster.h"

namespace broker::testing {
namespace {

using Steady = std::chrono::steady_clock;

std::string ReadDataFile(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `condition` every 100 ms until it holds or `limit` passes.
template <typename F>
bool Within(std::chrono::milliseconds limit, F condition) {
  const auto deadline = Steady::now() + limit;
  while (Steady::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

using Env = std::map<std::string, std::string>;

// Two nodes on one database. Node A imports the graph; node B gets A's signing key and
// tools-store key, as an operator would copy them to every node.
class Cluster {
 public:
  explicit Cluster(const Env& env = {}) {
    const std::string database = PgCluster::Shared().CreateDatabase();
    BrokerOptions first;
    first.import_file = std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/graph.json";
    first.database = database;
    first.env = env;
    a = std::make_unique<BrokerProcess>(first);
    BrokerOptions second;
    second.database = database;
    second.env = env;
    for (const char* name : {"jwt-signing-key.pem", "tools-store.key"}) {
      second.files[name] = ReadDataFile(a->data_dir(), name);
    }
    b = std::make_unique<BrokerProcess>(second);
  }

  std::unique_ptr<BrokerProcess> a;
  std::unique_ptr<BrokerProcess> b;
};

// A signed-in user whose session (stored in the shared database) works on both nodes.
struct Session {
  std::string cookie;
  std::string csrf;

  std::unique_ptr<HttpClient> On(const BrokerProcess& node) const {
    auto client = std::make_unique<HttpClient>(node.url());
    client->SetHeader("Cookie", cookie);
    client->SetCsrfToken(csrf);
    return client;
  }
};

Session SignIn(const BrokerProcess& node, const std::string& user, const std::string& password) {
  HttpClient client(node.url());
  const HttpResponse login = client.Login(user, password);
  EXPECT_EQ(login.status, 200) << login.body;
  Session session;
  session.csrf = login.json().value("csrfToken", "");
  for (const std::string& set_cookie : login.set_cookies) {
    if (!session.cookie.empty()) session.cookie += "; ";
    session.cookie += set_cookie.substr(0, set_cookie.find(';'));
  }
  return session;
}

std::string AccountId(HttpClient& user, const std::string& name) {
  const Json found =
      user.Post("/v1/collection/broker-account/search?offset=0&limit=10&q=" + name, "{}").json();
  EXPECT_EQ(found["data"].size(), 1u) << found.dump();
  return found["data"][0]["collection"]["id"];
}

long TokenCheck(const BrokerProcess& node, const std::string& token) {
  HttpClient machine(node.url());
  machine.SetBearer(token);
  return machine.Get("/v1/health/token-check").status;
}

// One sample of /v1/metrics, e.g. Metric(node, "broker_jobs_leader"); -1 when absent.
double Metric(const BrokerProcess& node, const std::string& sample) {
  const std::string text = HttpClient(node.url()).Get("/v1/metrics").body;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

// A raw server-sent-events reader: the test must see bytes as they arrive.
class EventStream {
 public:
  EventStream(const std::string& url, const std::string& path, const std::string& cookie) {
    const int port = std::stoi(url.substr(url.rfind(':') + 1));
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return;
    const std::string request = "GET " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                                "\r\nAccept: text/event-stream\r\n\r\n";
    (void)!write(fd_, request.data(), request.size());
  }
  ~EventStream() { close(fd_); }

  // Reads until `needle` has been received or `limit` passes.
  bool WaitFor(const std::string& needle, std::chrono::milliseconds limit) {
    const auto deadline = Steady::now() + limit;
    while (received_.find(needle) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      if (left.count() <= 0) return false;
      pollfd waiting{fd_, POLLIN, 0};
      if (poll(&waiting, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = read(fd_, buffer, sizeof(buffer));
      if (n <= 0) return false;
      received_.append(buffer, static_cast<size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

TEST(ClusterTest, TokenAndGraphEventsReachTheOtherNode) {
  Cluster cluster;
  const Session alice = SignIn(*cluster.a, "alice", "alice-pass-1");
  auto on_a = alice.On(*cluster.a);
  auto on_b = alice.On(*cluster.b);
  const std::string account = AccountId(*on_a, "ci-deployer");

  EventStream token_events(cluster.b->url(), "/v1/collection/broker-account/events", alice.cookie);
  EventStream graph_events(cluster.b->url(), "/v1/graph/events", alice.cookie);
  ASSERT_TRUE(token_events.WaitFor("200 OK", std::chrono::seconds(5))) << token_events.received();
  ASSERT_TRUE(graph_events.WaitFor("200 OK", std::chrono::seconds(5))) << graph_events.received();

  const HttpResponse generated =
      on_a->Post("/v1/collection/broker-account/" + account + "/token?expiration=3600");
  ASSERT_EQ(generated.status, 201) << generated.body;
  EXPECT_TRUE(token_events.WaitFor("6d1c2f3a-0b4e-4c5d-8e6f-7a8b9c0d1e2f", std::chrono::seconds(5)))
      << token_events.received();

  // A graph change on A: B streams it and its in-memory snapshot (which serves searches) has it.
  const Json team = {{"collection", "team"},
                     {"data", {{"name", "observability"}, {"email", "obs@example.com"}}}};
  const HttpResponse added = on_a->Post("/v1/graph/vertex", team.dump());
  ASSERT_LT(added.status, 300) << added.body;
  EXPECT_TRUE(graph_events.WaitFor("observability", std::chrono::seconds(5)))
      << graph_events.received();
  EXPECT_TRUE(Within(std::chrono::seconds(5), [&] {
    const Json found =
        on_b->Post("/v1/collection/team/search?offset=0&limit=10&q=observability", "{}").json();
    return found.contains("data") && found["data"].size() == 1;
  }));
  EXPECT_GE(Metric(*cluster.b, "broker_cluster_events_received_total"), 2);
}

TEST(ClusterTest, RevokeOnOneNodeIsRefusedAtOnceOnTheOther) {
  Cluster cluster;
  const Session alice = SignIn(*cluster.a, "alice", "alice-pass-1");
  auto on_a = alice.On(*cluster.a);
  auto on_b = alice.On(*cluster.b);
  const std::string account = AccountId(*on_a, "ci-deployer");
  for (int round = 0; round < 5; ++round) {
    // Alternate which node issues and which node revokes.
    HttpClient& issuer = round % 2 == 0 ? *on_a : *on_b;
    HttpClient& revoker = round % 2 == 0 ? *on_b : *on_a;
    const BrokerProcess& checker = round % 2 == 0 ? *cluster.a : *cluster.b;
    const HttpResponse generated =
        issuer.Post("/v1/collection/broker-account/" + account + "/token?expiration=3600");
    ASSERT_EQ(generated.status, 201) << generated.body;
    const std::string token = generated.json()["token"];
    EXPECT_EQ(TokenCheck(*cluster.a, token), 204);
    EXPECT_EQ(TokenCheck(*cluster.b, token), 204);
    ASSERT_EQ(revoker.Delete("/v1/collection/broker-account/" + account + "/token").status, 200);
    // No waiting: the very next request on the other node is refused.
    EXPECT_EQ(TokenCheck(checker, token), 403) << "round " << round;
  }
}

TEST(ClusterTest, ConcurrentGenerationsOnBothNodesLeaveAtMostTwoWorkingTokens) {
  Cluster cluster;
  const Session alice = SignIn(*cluster.a, "alice", "alice-pass-1");
  const std::string account = AccountId(*alice.On(*cluster.a), "ci-deployer");
  constexpr int kGenerations = 50;
  std::vector<std::string> tokens(kGenerations);
  std::vector<long> statuses(kGenerations);
  std::vector<std::thread> threads;
  threads.reserve(kGenerations);
  for (int i = 0; i < kGenerations; ++i) {
    threads.emplace_back([&, i] {
      auto client = alice.On(i % 2 == 0 ? *cluster.a : *cluster.b);
      const HttpResponse r =
          client->Post("/v1/collection/broker-account/" + account + "/token?expiration=3600");
      statuses[static_cast<size_t>(i)] = r.status;
      if (r.status == 201) tokens[static_cast<size_t>(i)] = r.json()["token"];
    });
  }
  for (std::thread& thread : threads) thread.join();
  int issued = 0;
  int working = 0;
  for (int i = 0; i < kGenerations; ++i) {
    const auto at = static_cast<size_t>(i);
    EXPECT_TRUE(statuses[at] == 201 || statuses[at] == 409 || statuses[at] == 503)
        << "generation " << i << " answered " << statuses[at];
    if (tokens[at].empty()) continue;
    ++issued;
    const long on_a = TokenCheck(*cluster.a, tokens[at]);
    const long on_b = TokenCheck(*cluster.b, tokens[at]);
    EXPECT_EQ(on_a, on_b) << "the nodes disagree about generation " << i;
    if (on_a == 204) ++working;
  }
  EXPECT_GE(issued, kGenerations / 2);
  EXPECT_LE(working, 2);
  EXPECT_GE(working, 1);
  EXPECT_EQ(Metric(*cluster.a, "broker_tokens_issued_total{kind=\"generate\"}") +
                Metric(*cluster.b, "broker_tokens_issued_total{kind=\"generate\"}"),
            issued);
}

constexpr const char* kCleanupRuns = "broker_job_runs_total{job=\"tokens.cleanup\"}";

TEST(ClusterTest, WhenTheLeaderDiesTheOtherNodeRunsTheNextJob) {
  Cluster cluster(Env{{"BROKER_JOB_INTERVAL", "2"}});
  // A started first, so it took the lock; B waits.
  ASSERT_TRUE(Within(std::chrono::seconds(5), [&] {
    return Metric(*cluster.a, "broker_jobs_leader") == 1 && Metric(*cluster.a, kCleanupRuns) >= 1;
  }));
  EXPECT_EQ(Metric(*cluster.b, "broker_jobs_leader"), 0);
  EXPECT_EQ(Metric(*cluster.b, kCleanupRuns), 0);
  const Json health = HttpClient(cluster.b->url()).Get("/v1/health").json();
  EXPECT_EQ(health["components"]["jobs"]["detail"], "follower (postgresql advisory lock)")
      << health.dump();

  const auto killed = Steady::now();
  cluster.a->Kill();
  // Within two job intervals (4 s) the survivor leads and has run the clean-up job.
  ASSERT_TRUE(Within(std::chrono::seconds(4), [&] {
    return Metric(*cluster.b, kCleanupRuns) >= 1;
  })) << cluster.b->Output();
  EXPECT_LE(Steady::now() - killed, std::chrono::seconds(4));
  EXPECT_EQ(Metric(*cluster.b, "broker_jobs_leader"), 1);
  const Json after = HttpClient(cluster.b->url()).Get("/v1/health").json();
  EXPECT_EQ(after["components"]["jobs"]["detail"], "leader (postgresql advisory lock)")
      << after.dump();
}

TEST(ClusterTest, GracefulStopHandsLeadershipOverAtOnce) {
  Cluster cluster(Env{{"BROKER_JOB_INTERVAL", "60"}});
  ASSERT_TRUE(Within(std::chrono::seconds(5),
                     [&] { return Metric(*cluster.a, "broker_jobs_leader") == 1; }));
  EXPECT_EQ(cluster.a->Stop(), 0);  // SIGTERM: exit status 0 after a clean shutdown
  EXPECT_NE(cluster.a->Output().find("shutdown complete"), std::string::npos)
      << cluster.a->Output();
  // The lock was released, not left for the server to notice: B leads within about a tick,
  // and runs the hourly-scale jobs at once instead of a minute later.
  ASSERT_TRUE(Within(std::chrono::seconds(3), [&] {
    return Metric(*cluster.b, kCleanupRuns) >= 1;
  })) << cluster.b->Output();
  EXPECT_EQ(Metric(*cluster.b, "broker_jobs_leader"), 1);
}

TEST(ClusterTest, ReadinessAndLiveness) {
  Cluster cluster;
  HttpClient client(cluster.b->url());
  EXPECT_EQ(client.Get("/v1/health/live").status, 204);
  EXPECT_EQ(client.Get("/v1/health/ready").status, 204);
  const HttpResponse health = client.Get("/v1/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["components"]["node"]["status"], "up");
  const HttpResponse metrics = client.Get("/v1/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(
      metrics.body.find("broker_http_requests_total{method=\"GET\",route=\"/v1/health/ready\","
                        "status=\"204\"} 1\n"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("# TYPE broker_deliveries_pending gauge"), std::string::npos);
}

}  // namespace
}  // namespace broker::testing
