// KeySet: minting and round trips (HS256, RS256, EdDSA), configuration formats and the
// strength policy (G26), rotation (row 118), the key file of the data directory, JWKS (G27),
// and DecodeUnverified.

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/encoding.h"
#include "core/random.h"
#include "jwt/jwt_test_util.h"

namespace broker::jwt::testing {
namespace {

using internal::Key;

Claims TestClaims() { return Claims{kClientId, kT0 + 3600, kT0, kT0, kJti, kSub}; }

std::string BnMember(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(pkey, name, &bn);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return B64(bytes);
}

Json PrivateJwk(EVP_PKEY* pkey, const std::string& kid) {
  return Json{{"kty", "RSA"},
              {"kid", kid},
              {"n", BnMember(pkey, OSSL_PKEY_PARAM_RSA_N)},
              {"e", BnMember(pkey, OSSL_PKEY_PARAM_RSA_E)},
              {"d", BnMember(pkey, OSSL_PKEY_PARAM_RSA_D)},
              {"p", BnMember(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1)},
              {"q", BnMember(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2)},
              {"dp", BnMember(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1)},
              {"dq", BnMember(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2)},
              {"qi", BnMember(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)}};
}

std::string Jwks(std::initializer_list<Json> keys) {
  Json array = Json::array();
  for (const Json& key : keys) array.push_back(key);
  Json doc = Json::object();
  doc["keys"] = std::move(array);
  return doc.dump();
}

std::shared_ptr<const KeySet> FromJwks(const std::string& jwks,
                                       std::optional<std::string> secret = std::nullopt) {
  std::optional<SecretString> s;
  if (secret) s = SecretString(*secret);
  auto keys = KeySet::FromConfig(SecretString(jwks), s);
  EXPECT_TRUE(keys.ok()) << (keys.ok() ? "" : keys.error().ToString());
  return keys.ok() ? *keys : nullptr;
}

std::string Segment(const std::string& token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  return *Base64UrlDecode(token.substr(start, token.find('.', start) - start));
}

void ExpectRoundTrip(const KeySet& keys) {
  const std::string token = keys.Sign(TestClaims()).value().RevealForUse();
  Claims out;
  ASSERT_FALSE(keys.VerifyDetailed(token, kT0, VerifyOptions{}, &out).has_value());
  EXPECT_EQ(out.client_id, kClientId);
  EXPECT_EQ(out.exp, kT0 + 3600);
  EXPECT_EQ(out.iat, kT0);
  EXPECT_EQ(out.nbf, kT0);
  EXPECT_EQ(out.jti, kJti);
  EXPECT_EQ(out.sub, kSub);
  EXPECT_EQ(Segment(token, 1), std::string(R"({"client_id":")") + kClientId + R"(","exp":)" +
                                   std::to_string(kT0 + 3600) + R"(,"iat":)" + std::to_string(kT0) +
                                   R"(,"nbf":)" + std::to_string(kT0) + R"(,"jti":")" + kJti +
                                   R"(","sub":")" + kSub + "\"}");
}

TEST(KeySetTest, Hs256SecretSignsAndVerifies) {
  auto keys = KeySet::FromConfig(std::nullopt, SecretString(kHsSecret)).value();
  EXPECT_EQ(keys->signing_algorithm(), Algorithm::kHS256);
  ExpectRoundTrip(*keys);
  const std::string token = keys->Sign(TestClaims()).value().RevealForUse();
  EXPECT_EQ(Segment(token, 0), R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_EQ(keys->Jwks(), Json::parse(R"({"keys":[]})"));
}

TEST(KeySetTest, Rs256JwksSignsWithKidAndVerifies) {
  auto keys = FromJwks(Jwks({PrivateJwk(Keys().rsa, "k1")}));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->signing_algorithm(), Algorithm::kRS256);
  ExpectRoundTrip(*keys);
  const std::string token = keys->Sign(TestClaims()).value().RevealForUse();
  EXPECT_EQ(Segment(token, 0), R"({"alg":"RS256","typ":"JWT","kid":"k1"})");
  // The test fixture holds the same key: tokens are interchangeable.
  EXPECT_FALSE(Keys().keys->VerifyDetailed(token, kT0, VerifyOptions{}, nullptr));
}

TEST(KeySetTest, ReferencePemArrayFormatIsAccepted) {
  const Json entry = {
      {"kid", "k1"}, {"private", PrivatePem(Keys().rsa)}, {"public", RsaPublicPem(false)}};
  auto keys = FromJwks(Json::array({entry}).dump());
  ASSERT_TRUE(keys);
  ExpectRoundTrip(*keys);
  EXPECT_EQ(keys->Jwks()["keys"][0]["kid"], "k1");
}

TEST(KeySetTest, ReferencePemArrayWithMismatchedPublicKeyIsRefused) {
  EVP_PKEY* other = NewRsaKey(2048);
  const Json entry = {
      {"kid", "k1"}, {"private", PrivatePem(other)}, {"public", RsaPublicPem(false)}};
  EVP_PKEY_free(other);
  EXPECT_FALSE(KeySet::FromConfig(SecretString(Json::array({entry}).dump()), std::nullopt).ok());
}

TEST(KeySetTest, MixedSetSignsRs256AndStillVerifiesLegacyHs256) {
  auto mixed = FromJwks(Jwks({PrivateJwk(Keys().rsa, "k1")}), kHsSecret);
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->signing_algorithm(), Algorithm::kRS256);
  auto legacy = KeySet::FromConfig(std::nullopt, SecretString(kHsSecret)).value();
  const std::string hs_token = legacy->Sign(TestClaims()).value().RevealForUse();
  EXPECT_FALSE(mixed->VerifyDetailed(hs_token, kT0, VerifyOptions{}, nullptr));
}

TEST(KeySetTest, RotationKeepsConfiguredOldKidAndDropsRemovedOne) {
  EVP_PKEY* new_key = NewRsaKey(2048);
  auto old_only = FromJwks(Jwks({PrivateJwk(Keys().rsa, "k1")}));
  const std::string old_token = old_only->Sign(TestClaims()).value().RevealForUse();
  Json old_public = Keys().rs_key->PublicJwk();
  auto rotated = FromJwks(Jwks({PrivateJwk(new_key, "k2"), old_public}));
  auto removed = FromJwks(Jwks({PrivateJwk(new_key, "k2")}));
  EVP_PKEY_free(new_key);
  ASSERT_TRUE(rotated && removed);
  EXPECT_EQ(Segment(rotated->Sign(TestClaims()).value().RevealForUse(), 0),
            R"({"alg":"RS256","typ":"JWT","kid":"k2"})");
  EXPECT_FALSE(rotated->VerifyDetailed(old_token, kT0, VerifyOptions{}, nullptr));
  auto error = removed->VerifyDetailed(old_token, kT0, VerifyOptions{}, nullptr);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, Rejection::kUnknownKey);
  EXPECT_EQ(rotated->Jwks()["keys"].size(), 2u);
}

TEST(KeySetTest, EdDsaKeySignsAndVerifies) {
  unsigned char raw[32];
  size_t len = sizeof(raw);
  ASSERT_EQ(EVP_PKEY_get_raw_private_key(Keys().ed, raw, &len), 1);
  const std::string d = B64(std::string(reinterpret_cast<char*>(raw), len));
  len = sizeof(raw);
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(Keys().ed, raw, &len), 1);
  const std::string x = B64(std::string(reinterpret_cast<char*>(raw), len));
  auto keys = FromJwks(
      Jwks({Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "ed1"}, {"x", x}, {"d", d}}}));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->signing_algorithm(), Algorithm::kEdDSA);
  ExpectRoundTrip(*keys);
  const Json jwk = keys->Jwks()["keys"][0];
  EXPECT_EQ(jwk, (Json{{"kty", "OKP"},
                       {"crv", "Ed25519"},
                       {"x", x},
                       {"kid", "ed1"},
                       {"alg", "EdDSA"},
                       {"use", "sig"}}));
}

TEST(KeySetTest, JwksHasPublicMembersOnly) {
  const std::string oct = R"({"kty":"oct","kid":"hs1","k":")" + B64(kHsSecret) + "\"}";
  auto keys = FromJwks(Jwks({PrivateJwk(Keys().rsa, "k1"), Json::parse(oct)}), kHsSecret);
  ASSERT_TRUE(keys);
  const Json jwks = keys->Jwks();
  ASSERT_EQ(jwks["keys"].size(), 1u);  // HS keys are never published
  for (const Json& key : jwks["keys"]) {
    for (const char* secret_member : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
      EXPECT_FALSE(key.contains(secret_member)) << secret_member;
    }
    std::set<std::string> members;
    for (const auto& [name, value] : key.items()) members.insert(name);
    EXPECT_EQ(members, (std::set<std::string>{"kty", "n", "e", "kid", "alg", "use"}));
  }
  EXPECT_EQ(jwks.dump().find(B64(kHsSecret)), std::string::npos);
}

TEST(KeySetTest, WeakOrBrokenConfigurationIsRefused) {
  auto refused = [](std::optional<std::string> jwks, std::optional<std::string> secret) {
    std::optional<SecretString> j;
    std::optional<SecretString> s;
    if (jwks) j = SecretString(*jwks);
    if (secret) s = SecretString(*secret);
    auto result = KeySet::FromConfig(j, s);
    return !result.ok() && result.error().code() == ErrorCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused(std::nullopt, std::nullopt));
  EXPECT_TRUE(refused(std::nullopt, std::string(kHsSecret).substr(0, 31)));
  for (const char* weak :
       {"secret", "your-256-bit-secret", "a-string-secret-at-least-256-bits-long",
        "secretsecretsecretsecretsecretsecret", "changeme-changeme-changeme-changeme",
        "CHANGEMECHANGEMECHANGEMECHANGEME", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "01010101010101010101010101010101"}) {
    EXPECT_TRUE(refused(std::nullopt, std::string(weak))) << weak;
  }
  EVP_PKEY* small = NewRsaKey(1024);
  EXPECT_TRUE(refused(Jwks({PrivateJwk(small, "small")}), std::nullopt));
  EVP_PKEY_free(small);
  Json enc = PrivateJwk(Keys().rsa, "k1");
  enc["use"] = "enc";
  EXPECT_TRUE(refused(Jwks({enc}), std::nullopt));
  Json wrong_alg = PrivateJwk(Keys().rsa, "k1");
  wrong_alg["alg"] = "HS256";
  EXPECT_TRUE(refused(Jwks({wrong_alg}), std::nullopt));
  Json no_kid = PrivateJwk(Keys().rsa, "k1");
  no_kid.erase("kid");
  EXPECT_TRUE(refused(Jwks({no_kid}), std::nullopt));
  Json broken = PrivateJwk(Keys().rsa, "k1");
  broken["d"] = B64("not the exponent");
  EXPECT_TRUE(refused(Jwks({broken}), std::nullopt));
  EXPECT_TRUE(
      refused(Jwks({PrivateJwk(Keys().rsa, "k1"), PrivateJwk(Keys().rsa, "k1")}), std::nullopt));
  EXPECT_TRUE(refused(Jwks({Keys().rs_key->PublicJwk()}), std::nullopt));  // can sign nothing
  EXPECT_TRUE(refused(std::string("{not json"), std::nullopt));
  EXPECT_TRUE(refused(std::string(R"({"keys":{}})"), std::nullopt));
  EXPECT_TRUE(
      refused(Jwks({Json::parse(R"({"kty":"oct","kid":"h","k":"c2VjcmV0"})")}), std::nullopt));
}

TEST(KeySetTest, SignRefusesClaimsItsOwnVerifierWouldRefuse) {
  const KeySet& keys = *Keys().keys;
  auto refused = [&](const Claims& c) {
    auto r = keys.Sign(c);
    return !r.ok() && r.error().code() == ErrorCode::kInvalidArgument;
  };
  Claims c = TestClaims();
  c.sub = "";
  EXPECT_TRUE(refused(c));
  c = TestClaims();
  c.jti = "not-a-uuid";
  EXPECT_TRUE(refused(c));
  c = TestClaims();
  c.nbf = c.exp + 1;
  EXPECT_TRUE(refused(c));
  c = TestClaims();
  c.iat = -1;
  EXPECT_TRUE(refused(c));
  c = TestClaims();
  c.sub = std::string("a\0b", 3);
  EXPECT_TRUE(refused(c));
  c = TestClaims();
  c.sub = "\xC0\xAF";
  EXPECT_TRUE(refused(c));
}

TEST(KeySetTest, EverythingSignedVerifies) {
  Random& random = OsRandom::Instance();
  for (int i = 0; i < 200; ++i) {
    Claims c{random.Uuid4(), kT0 + 1 + int64_t{i} * 1000,
             kT0 - i,        kT0 - i,
             random.Uuid4(), "user" + std::to_string(i) + R"(+"quoted\"@example.com)"};
    for (const auto& keys :
         {Keys().keys, KeySet::FromConfig(std::nullopt, SecretString(kHsSecret)).value()}) {
      const std::string token = keys->Sign(c).value().RevealForUse();
      Claims out;
      ASSERT_FALSE(keys->VerifyDetailed(token, kT0, VerifyOptions{}, &out)) << i;
      EXPECT_EQ(out.sub, c.sub);
      EXPECT_EQ(out.jti, c.jti);
    }
  }
}

TEST(KeySetTest, VerifyFailureIsUnauthenticatedAndNeverEchoesTheToken) {
  const std::string token = ValidHs() + "x";
  auto result = Keys().keys->Verify(token, kT0, VerifyOptions{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(result.error().message(), "Unauthorized");
  EXPECT_NE(result.error().internal_message().find("bad_"), std::string::npos);
  EXPECT_EQ(result.error().ToString().find(token.substr(0, 20)), std::string::npos);
  auto ok = Keys().keys->Verify(ValidRs(), kT0, VerifyOptions{});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->sub, kSub);
}

TEST(KeySetTest, TypIsComparedCaseInsensitively) {
  // Profile decision (docs/jwt.md): "jwt" and "Jwt" are the media type JWT.
  for (const char* typ : {"JWT", "jwt", "Jwt"}) {
    const std::string token =
        Token(std::string(R"({"alg":"HS256","typ":")") + typ + "\"}", Payload(), *Keys().hs_key);
    EXPECT_FALSE(Keys().keys->VerifyDetailed(token, kT0, VerifyOptions{}, nullptr)) << typ;
  }
}

TEST(KeySetTest, ThumbprintMatchesRfc7638Example) {
  const Json jwk = {
      {"kty", "RSA"},
      {"e", "AQAB"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
       "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
       "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
       "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}};
  auto key = internal::KeyFromJwk(jwk).value();
  EXPECT_EQ(internal::Thumbprint(*key), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("jwt-test-" + OsRandom::Instance().Base64UrlToken(8));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DataDirTest, CreatesA2048BitKeyWithMode0600AndReloadsIt) {
  auto first = KeySet::LoadOrCreateInDataDir(dir_.string());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  const auto path = dir_ / "jwt-signing-key.pem";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "-----BEGIN PRIVATE KEY-----");  // PKCS#8
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    ++entries;
    (void)entry;
  }
  EXPECT_EQ(entries, 1u);  // no temporary file left behind

  EXPECT_EQ((*first)->signing_algorithm(), Algorithm::kRS256);
  const Json jwk = (*first)->Jwks()["keys"][0];
  const auto public_key = internal::KeyFromJwk(jwk).value();
  EXPECT_EQ(public_key->bits(), 2048);
  EXPECT_EQ(jwk["kid"], internal::Thumbprint(*public_key));

  auto second = KeySet::LoadOrCreateInDataDir(dir_.string());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->Jwks(), (*first)->Jwks());
  const std::string token = (*first)->Sign(TestClaims()).value().RevealForUse();
  EXPECT_FALSE((*second)->VerifyDetailed(token, kT0, VerifyOptions{}, nullptr));
}

TEST_F(DataDirTest, RefusesAKeyFileReadableByOthers) {
  const auto path = dir_ / "jwt-signing-key.pem";
  {
    std::ofstream out(path);
    out << PrivatePem(Keys().rsa);
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::others_read);
  auto keys = KeySet::LoadOrCreateInDataDir(dir_.string());
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code(), ErrorCode::kFailedPrecondition);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  keys = KeySet::LoadOrCreateInDataDir(dir_.string());
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->Jwks()["keys"][0]["kid"], internal::Thumbprint(*Keys().rs_key));
}

TEST_F(DataDirTest, MissingDirectoryIsUnavailable) {
  auto keys = KeySet::LoadOrCreateInDataDir((dir_ / "missing").string());
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code(), ErrorCode::kUnavailable);
}

TEST(DecodeUnverifiedTest, DecodesWithoutCheckingAnything) {
  auto decoded = DecodeUnverified(ValidRs());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->header["kid"], "k1");
  EXPECT_EQ(decoded->payload["sub"], kSub);
  // An unsigned or expired token still decodes: this is for look-ups, never for trust.
  const std::string unsigned_token = B64(R"({"alg":"none"})") + "." + B64(Payload()) + ".";
  EXPECT_TRUE(DecodeUnverified(unsigned_token));
}

TEST(DecodeUnverifiedTest, RefusesWhatIsNotACompactJws) {
  EXPECT_FALSE(DecodeUnverified(""));
  EXPECT_FALSE(DecodeUnverified("a.b"));
  EXPECT_FALSE(DecodeUnverified(ValidHs() + ".x"));
  EXPECT_FALSE(DecodeUnverified(B64("[]") + "." + B64(Payload()) + ".AA"));
  EXPECT_FALSE(DecodeUnverified(B64(kHsHeader) + "." + B64("{\"a\":1,\"a\":2}") + ".AA"));
  EXPECT_FALSE(DecodeUnverified(B64(kHsHeader) + "=." + B64(Payload()) + ".AA"));
}

}  // namespace
}  // namespace broker::jwt::testing
