// Bad input gets a clear error and loses nothing: malformed JSON, oversized bodies, unknown
// collections, malformed ids, forged tokens — against the running binary.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker_process.h"

namespace broker::testing {
namespace {

std::string Fixture() { return std::string(BROKER_SOURCE_DIR) + "/tests/blackbox/graph.json"; }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class RobustnessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    BrokerOptions options;
    options.import_file = Fixture();
    broker_ = new BrokerProcess(options);
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  static BrokerProcess* broker_;
};

BrokerProcess* RobustnessTest::broker_ = nullptr;

TEST_F(RobustnessTest, EveryMalformedJsonBodyGets400AndTheServerKeepsServing) {
  const std::filesystem::path dir =
      std::filesystem::path(BROKER_SHARED_DIR) / "testdata/jsontestsuite/test_parsing";
  // A signed-in user's JSON endpoint: the login endpoint's per-address throttle would answer
  // 429 long before the corpus is through.
  HttpClient client(broker_->url());
  ASSERT_EQ(client.Login("bob", "bob-pass-12").status, 200);
  int sent = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().filename().string().starts_with("n_")) continue;
    const HttpResponse r = client.Post("/v1/token/lookup", ReadFile(entry.path()));
    EXPECT_EQ(r.status, 400) << entry.path().filename();
    ++sent;
  }
  EXPECT_GT(sent, 180);
  EXPECT_EQ(client.Get("/v1/health/ping").status, 204);
}

TEST_F(RobustnessTest, OversizedBodyGets413) {
  HttpClient client(broker_->url());
  const std::string huge(size_t{2} * 1024 * 1024, 'x');
  const HttpResponse r = client.Post("/auth/local/login", R"({"username":")" + huge + R"("})");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(client.Get("/v1/health/ping").status, 204);
}

TEST_F(RobustnessTest, UnknownCollectionIs404AndMalformedIdIs400) {
  HttpClient client(broker_->url());
  ASSERT_EQ(client.Login("bob", "bob-pass-12").status, 200);
  EXPECT_EQ(client.Get("/v1/collection/no-such-thing/65a1b2c3d4e5f60718293a4b").status, 404);
  const HttpResponse malformed = client.Get("/v1/collection/team/not-an-id");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json()["message"].get<std::string>().find("ObjectId"), std::string::npos);
  EXPECT_EQ(client.Get("/v1/collection/team/65a1b2c3d4e5f60718293a4b").status, 404);
}

TEST_F(RobustnessTest, ErrorsUseTheJsonEnvelopeAndSecurityHeaders) {
  HttpClient client(broker_->url());
  const HttpResponse r = client.Get("/v1/collection/broker-account/65a1b2c3d4e5f60718293a4b/token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["statusCode"], 401);
  EXPECT_TRUE(r.json().contains("message"));
  EXPECT_NE(r.headers.at("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(r.headers.at("x-content-type-options"), "nosniff");
  EXPECT_FALSE(r.headers.at("x-request-id").empty());
}

TEST_F(RobustnessTest, ForgedAndGarbageBearerTokensGet401) {
  HttpClient client(broker_->url());
  for (const std::string& token :
       {std::string("garbage"), std::string("a.b.c"),
        std::string("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.")}) {
    client.SetBearer(token);
    EXPECT_EQ(client.Get("/v1/health/token-check").status, 401) << token;
  }
}

TEST_F(RobustnessTest, WrongPasswordAndUnknownUserAnswerAlike) {
  HttpClient client(broker_->url());
  const HttpResponse wrong = client.Login("alice", "not-her-password");
  const HttpResponse unknown = client.Login("nobody", "not-her-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_F(RobustnessTest, StateChangesWithASessionNeedTheCsrfToken) {
  HttpClient forger(broker_->url());
  ASSERT_EQ(forger.Login("alice", "alice-pass-1").status, 200);
  forger.SetCsrfToken("wrong");
  const HttpResponse r =
      forger.Post("/v1/collection/broker-account/65a1b2c3d4e5f60718293a4b/token?expiration=3600");
  EXPECT_EQ(r.status, 403) << r.body;
}

}  // namespace
}  // namespace broker::testing
