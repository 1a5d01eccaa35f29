// Wycheproof JWS vectors (SECURITY.md 1.3, G2) against the JWS layer: format, strict base64url,
// header profile without the typ rule, kid lookup, alg binding and signature. Each group's key
// is loaded through the same JWK loader as JWT_KEYS, bound to the one algorithm our profile
// gives its key type (RSA -> RS256, oct -> HS256). Keys for other algorithms (EC, PS*, RS384,
// RS512) or for encryption are not loadable, so their groups get an empty key ring.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "core/encoding.h"
#include "jwt/jws.h"

namespace broker::jwt::internal {
namespace {

constexpr char kPath[] = BROKER_SHARED_DIR "/testdata/wycheproof/json_web_signature_test.json";

// "invalid" vectors the JWS layer cannot reject, with the reason. Upstream data defect (checked
// against C2SP/wycheproof 073df56): both are byte-identical to the valid tcId 357, their padding
// having been lost when the file was generated. The intended vectors are tested separately
// (PaddedVersionsOfDefectiveVectorsAreRejected).
const std::map<int, std::string>& InvalidExceptions() {
  static const std::map<int, std::string> m = {
      {367, "invalidBase64Padding: identical to valid tcId 357 (upstream data defect)"},
      {370, "invalidBase64PaddingInPayload: identical to valid tcId 357 (upstream data defect)"},
  };
  return m;
}

// "valid" HS256/RS256 vectors our stricter decoding refuses on purpose.
const std::map<int, std::string>& ValidExceptions() {
  static const std::map<int, std::string> m = {
      {372, "InvalidCharacterInsertedInHeader: '?' is outside base64url; format check refuses"},
      {373, "InvalidCharacterInsertedInPayload: '?' is outside base64url; format check refuses"},
      {259, "emptyPayload: our format check requires three non-empty segments"},
  };
  return m;
}

Json LoadVectors() {
  std::ifstream in(kPath);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

KeyRing RingFor(const Json& group) {
  const Json& jwk = group.contains("public") ? group["public"] : group["private"];
  // A key whose JWK names an algorithm outside our profile (PS256, RS384, ES256, ...) is not
  // loadable, exactly as in JWT_KEYS: such a key verifies nothing, not even RS256 signatures
  // made with it (Wycheproof "UsingRS256").
  Result<std::shared_ptr<const Key>> key = KeyFromJwk(jwk);
  if (!key.ok()) return KeyRing::Build({}).value();
  return KeyRing::Build({*key}).value();
}

std::string HeaderAlg(const std::string& jws) {
  Result<Json> header = ParseStrictJson(Base64UrlDecode(jws.substr(0, jws.find('.'))).value_or(""));
  if (!header.ok() || !header->is_object() || !header->contains("alg")) return "";
  return (*header)["alg"].is_string() ? (*header)["alg"].get<std::string>() : "";
}

bool Accepts(const KeyRing& ring, const std::string& jws) {
  VerifiedJws out;
  return !VerifyJws(jws, ring, JwsOptions{4096, /*jwt_profile=*/false}, &out).has_value();
}

TEST(WycheproofTest, InvalidVectorsRejectedAndValidHsRsAccepted) {
  const Json vectors = LoadVectors();
  ASSERT_EQ(vectors["numberOfTests"], 401);
  int invalid = 0;
  int invalid_accepted_listed = 0;
  int valid_hs_rs = 0;
  int valid_accepted = 0;
  std::set<int> seen_exceptions;
  for (const Json& group : vectors["testGroups"]) {
    const KeyRing ring = RingFor(group);
    for (const Json& test : group["tests"]) {
      const int id = test["tcId"].get<int>();
      const std::string jws = test["jws"].get<std::string>();
      const bool accepted = Accepts(ring, jws);
      if (test["result"] == "invalid") {
        ++invalid;
        if (InvalidExceptions().contains(id)) {
          seen_exceptions.insert(id);
          invalid_accepted_listed += accepted ? 1 : 0;
          continue;
        }
        EXPECT_FALSE(accepted) << "invalid vector accepted: tcId " << id << " " << test["comment"];
        continue;
      }
      const std::string alg = HeaderAlg(jws);
      if (alg != "HS256" && alg != "RS256" && !ValidExceptions().contains(id)) {
        EXPECT_FALSE(accepted) << "off-profile algorithm accepted: tcId " << id;
        continue;
      }
      ++valid_hs_rs;
      if (ValidExceptions().contains(id)) {
        seen_exceptions.insert(id);
        EXPECT_FALSE(accepted) << "listed exception now accepted, update the list: " << id;
        continue;
      }
      EXPECT_TRUE(accepted) << "valid vector rejected: tcId " << id << " " << test["comment"];
      valid_accepted += accepted ? 1 : 0;
    }
  }
  EXPECT_EQ(invalid, 355);
  EXPECT_EQ(invalid_accepted_listed, 2);  // exactly the two data defects, see above
  EXPECT_EQ(valid_hs_rs, 18);
  EXPECT_EQ(valid_accepted, 15);
  EXPECT_EQ(seen_exceptions.size(), InvalidExceptions().size() + ValidExceptions().size());
}

TEST(WycheproofTest, DefectiveVectorsReallyEqualTheValidOne) {
  const Json vectors = LoadVectors();
  std::map<int, std::string> by_id;
  for (const Json& group : vectors["testGroups"]) {
    for (const Json& test : group["tests"]) by_id[test["tcId"].get<int>()] = test["jws"];
  }
  EXPECT_EQ(by_id.at(367), by_id.at(357));
  EXPECT_EQ(by_id.at(370), by_id.at(357));
}

TEST(WycheproofTest, PaddedVersionsOfDefectiveVectorsAreRejected) {
  const Json vectors = LoadVectors();
  const Json* base64_group = nullptr;
  for (const Json& group : vectors["testGroups"]) {
    if (group["comment"] == "base64") base64_group = &group;
  }
  ASSERT_NE(base64_group, nullptr);
  const KeyRing ring = RingFor(*base64_group);
  const std::string h = "eyJraWQiOiJoczI1Ni1rZXkiLCJhbGciOiJIUzI1NiJ9";
  const std::string s = "c1LROH7eNQwUT8KMVEO52VC3WZ9e_AnDWbZ7aMmowV8";
  ASSERT_TRUE(Accepts(ring, h + ".VGVzdA." + s));
  EXPECT_FALSE(Accepts(ring, h + ".VGVzdA." + s + "="));
  EXPECT_FALSE(Accepts(ring, h + ".VGVzdA==." + s));
  EXPECT_FALSE(Accepts(ring, h + "=.VGVzdA." + s));
}

}  // namespace
}  // namespace broker::jwt::internal
