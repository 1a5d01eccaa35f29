// GitHub Actions secret sync against tests/fakes/fake_github.py, which opens every sealed box
// with the repository's private key so the test can compare it with the token.

#include "sync/github_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <fstream>

#include "secrets/fake_vault_fixture.h"
#include "support/temp_dir.h"

namespace broker::sync {
namespace {

using ::broker::secrets::testing::FakeControl;
using ::broker::secrets::testing::FakeProcess;
using ::broker::testing::TempDir;

constexpr char kRepo[] = "bcgov/nr-broker";
constexpr char kClientId[] = "Iv1.broker-test";
constexpr char kToken[] = "eyJhbGciOiJSUzI1NiJ9.CANARY.sig";

// A fresh 2048-bit RSA key: {private PEM, public PEM}.
std::pair<std::string, std::string> NewRsaKey() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  auto to_string = [](BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(size));
    BIO_free(bio);
    return out;
  };
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  std::pair<std::string, std::string> pems{to_string(priv), to_string(pub)};
  EVP_PKEY_free(key);
  return pems;
}

struct ManualSteady {
  std::atomic<int64_t> ms{0};
  secrets::MonotonicNow Fn() {
    return [this] {
      return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms.load()));
    };
  }
};

class GithubTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = new std::pair<std::string, std::string>(NewRsaKey()); }

  void SetUp() override {
    std::string pub = dir_.File("app.pub.pem");
    std::ofstream(pub) << keys_->second;
    fake_ = std::make_unique<FakeProcess>(
        BROKER_SOURCE_DIR "/tests/fakes/fake_github.py",
        std::vector<std::string>{"--client-id", kClientId, "--app-public-key", pub, "--repo",
                                 kRepo});
    client_ = MakeClient(kClientId);
  }

  std::unique_ptr<GithubClient> MakeClient(const std::string& client_id) {
    GithubConfig config;
    config.api_url = fake_->addr();
    config.client_id = client_id;
    config.private_key = SecretString(keys_->first);
    config.http.backoff_base_ms = 10;
    auto client = GithubClient::Create(config, clock_, steady_.Fn());
    EXPECT_TRUE(client.ok());
    return std::move(client).value();
  }

  Json Control(const std::string& method, const std::string& path, const Json& body = Json()) {
    return FakeControl(fake_->addr(), method, path, body);
  }
  int Requests(const std::string& method_path) {
    Json by = Control("GET", "/_fake/stats")["by_method_path"];
    return by.contains(method_path) ? by[method_path].get<int>() : 0;
  }

  static std::pair<std::string, std::string>* keys_;
  TempDir dir_;
  SystemClock& clock_ = SystemClock::Instance();
  ManualSteady steady_;
  std::unique_ptr<FakeProcess> fake_;
  std::unique_ptr<GithubClient> client_;
};

std::pair<std::string, std::string>* GithubTest::keys_ = nullptr;

TEST(SecretNameTest, ReplacesEverythingOutsideWordCharacters) {
  EXPECT_EQ(SecretNameFor("broker-jwt:33098695-4a5a-497c-a36a-61691785845c"),
            "broker_jwt_33098695_4a5a_497c_a36a_61691785845c");
}

TEST(ManagedRepoTest, DefaultRegexExtractsOwnerAndRepo) {
  EXPECT_EQ(*ManagedRepo("https://github.com/bcgov/nr-broker"), "bcgov/nr-broker");
  EXPECT_FALSE(ManagedRepo("https://gitlab.com/bcgov/nr-broker")->has_value());
  EXPECT_FALSE(ManagedRepo("https://github.com/bcgov/nr-broker/tree/main")->has_value());
  EXPECT_EQ(ManagedRepo("x", "(").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ManagedRepo("x", "^x$").error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(GithubTest, SealedSecretDecryptsToTheToken) {
  Status s = client_->PutSecret(kRepo, SecretNameFor("broker-jwt:abc-def"), SecretString(kToken));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  Json stored = Control("GET", std::string("/_fake/secrets/") + kRepo);
  EXPECT_EQ(stored, Json({{"BROKER_JWT_ABC_DEF", kToken}}));
  // Second write: installation, token and key come from the caches.
  ASSERT_TRUE(client_->PutSecret(kRepo, "OTHER", SecretString("v2")).ok());
  EXPECT_EQ(Requests(std::string("GET /repos/") + kRepo + "/installation"), 1);
  EXPECT_EQ(Requests("POST /app/installations/1000/access_tokens"), 1);
  EXPECT_EQ(Requests(std::string("GET /repos/") + kRepo + "/actions/secrets/public-key"), 1);
}

TEST_F(GithubTest, WrongAppIdIsUnauthenticated) {
  auto other = MakeClient("Iv1.someone-else");
  Status s = other->PutSecret(kRepo, "X", SecretString(kToken));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(s.error().ToString().find("CANARY"), std::string::npos);
}

TEST_F(GithubTest, UninstalledRepositoryIsNotFound) {
  Status s = client_->PutSecret("bcgov/elsewhere", "X", SecretString(kToken));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
}

TEST_F(GithubTest, RotatedKeyIsRefetchedOnce) {
  ASSERT_TRUE(client_->PutSecret(kRepo, "A", SecretString("one")).ok());
  Control("POST", "/_fake/rotate-key", {{"repo", kRepo}});
  Status s = client_->PutSecret(kRepo, "A", SecretString(kToken));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(Control("GET", std::string("/_fake/secrets/") + kRepo)["A"], kToken);
  EXPECT_EQ(Requests(std::string("GET /repos/") + kRepo + "/actions/secrets/public-key"), 2);
  EXPECT_EQ(Requests(std::string("PUT /repos/") + kRepo + "/actions/secrets/A"), 3);
}

TEST_F(GithubTest, SecondaryRateLimitHonoursRetryAfter) {
  Control("POST", "/_fake/faults", {{"mode", "ratelimit"}, {"retry_after", 30}, {"count", 1}});
  Status s = client_->PutSecret(kRepo, "A", SecretString(kToken));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kResourceExhausted);
  int sent = Control("GET", "/_fake/stats")["requests"].get<int>();
  steady_.ms += 29'000;
  EXPECT_EQ(client_->PutSecret(kRepo, "A", SecretString(kToken)).error().code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(Control("GET", "/_fake/stats")["requests"].get<int>(), sent);  // not even sent
  steady_.ms += 1'001;
  Status later = client_->PutSecret(kRepo, "A", SecretString(kToken));
  EXPECT_TRUE(later.ok()) << later.error().ToString();
}

TEST_F(GithubTest, ServerErrorsAreUnavailable) {
  Control("POST", "/_fake/faults", {{"mode", "503"}});
  Status s = client_->PutSecret(kRepo, "A", SecretString(kToken));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
}

TEST_F(GithubTest, DestinationDeliversUnderTheMappedName) {
  GithubDestination destination(*client_);
  auto r = destination.Deliver(kRepo, "broker-jwt:33098695-4a5a", SecretString(kToken), 4);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(Control("GET", std::string("/_fake/secrets/") + kRepo)["BROKER_JWT_33098695_4A5A"],
            kToken);
  auto bad = destination.Deliver("not a repo", "k", SecretString(kToken), 4);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(GithubTest, CreateRefusesANonRsaKey) {
  GithubConfig config;
  config.client_id = kClientId;
  config.private_key =
      SecretString("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
  auto client = GithubClient::Create(config, clock_);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace broker::sync
