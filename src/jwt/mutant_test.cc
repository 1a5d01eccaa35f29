// Every single-character mutant of V_HS and V_RS (SECURITY.md 1.3, G3): each position
// substituted by every other base64url character, deleted, and duplicated. With a canonical
// base64url decoder none of them may verify.

#include <gtest/gtest.h>

#include <string>

#include "jwt/jwt_test_util.h"

namespace broker::jwt::testing {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct Tally {
  size_t tried = 0;
  size_t accepted = 0;
};

void Try(const KeySet& keys, const std::string& token, Tally& tally) {
  ++tally.tried;
  if (!keys.VerifyDetailed(token, kT0, VerifyOptions{}, nullptr)) {
    ++tally.accepted;
    ADD_FAILURE() << "mutant accepted";
  }
}

Tally SweepMutants(const std::string& valid) {
  const KeySet& keys = *Keys().keys;
  Tally tally;
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char c : kAlphabet) {
      if (c == valid[i]) continue;
      std::string mutant = valid;
      mutant[i] = c;
      Try(keys, mutant, tally);
    }
    Try(keys, valid.substr(0, i) + valid.substr(i + 1), tally);
    Try(keys, valid.substr(0, i + 1) + valid.substr(i), tally);
  }
  return tally;
}

// Substitutions: 63 per base64url position, 64 per dot; plus one deletion and one duplication
// per position.
size_t ExpectedCount(const std::string& token) {
  const size_t dots = 2;
  return (token.size() - dots) * 63 + dots * 64 + 2 * token.size();
}

TEST(MutantTest, NoSingleCharacterMutantOfVhsVerifies) {
  const std::string valid = ValidHs();
  ASSERT_FALSE(Keys().keys->VerifyDetailed(valid, kT0, VerifyOptions{}, nullptr).has_value());
  const Tally tally = SweepMutants(valid);
  EXPECT_EQ(tally.tried, ExpectedCount(valid));
  EXPECT_EQ(tally.accepted, 0u);
  RecordProperty("mutants_hs", std::to_string(tally.tried));
}

TEST(MutantTest, NoSingleCharacterMutantOfVrsVerifies) {
  const std::string valid = ValidRs();
  ASSERT_FALSE(Keys().keys->VerifyDetailed(valid, kT0, VerifyOptions{}, nullptr).has_value());
  const Tally tally = SweepMutants(valid);
  EXPECT_EQ(tally.tried, ExpectedCount(valid));
  EXPECT_EQ(tally.accepted, 0u);
  RecordProperty("mutants_rs", std::to_string(tally.tried));
}

TEST(MutantTest, TemplateSizesGiveTheDocumentedOrderOfMagnitude) {
  // ~280 + ~600 characters x 65 ~ 57 000 in SECURITY.md; our V_HS/V_RS are this long.
  const size_t total = ExpectedCount(ValidHs()) + ExpectedCount(ValidRs());
  EXPECT_GT(total, 40000u);
  std::cout << "single-character mutants swept: " << total << "\n";
}

}  // namespace
}  // namespace broker::jwt::testing
