// The T-TIME table of SECURITY.md 1.2 with an explicit `now`, to the second, for leeway 30 and 0
// (G5), plus the edges near INT64_MAX / INT64_MIN.

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "core/clock.h"
#include "jwt/jwt_test_util.h"

namespace broker::jwt::testing {
namespace {

constexpr int64_t kMaxLifetime = 31536000;

struct TimeCase {
  std::string name;
  int64_t exp, iat, nbf;
  std::optional<Rejection> expected;  // nullopt: accepted
};

std::string Mint(int64_t exp, int64_t iat, int64_t nbf) {
  Claims claims{kClientId, exp, iat, nbf, kJti, kSub};
  return Keys().keys->Sign(claims).value().RevealForUse();
}

std::vector<TimeCase> Table(int64_t now, int64_t L) {
  const int64_t day = 86400;
  const int64_t past = now - 100;  // a comfortable iat/nbf
  std::vector<TimeCase> t = {
      {"exp_now_plus_1", now + 1, past, past, std::nullopt},
      {"exp_now_minus_L_plus_1", now - L + 1, past, past, std::nullopt},
      {"exp_now_minus_L", now - L, past, past, Rejection::kExpired},
      {"exp_now_minus_L_minus_1", now - L - 1, past, past, Rejection::kExpired},
      {"nbf_now", now + day, past, now, std::nullopt},
      {"nbf_now_plus_L", now + day, past, now + L, std::nullopt},
      {"nbf_now_plus_L_plus_1", now + day, past, now + L + 1, Rejection::kNotYetValid},
      {"iat_now_plus_L", now + day, now + L, past, std::nullopt},
      {"iat_now_plus_L_plus_1", now + day, now + L + 1, past, Rejection::kIssuedInFuture},
      {"lifetime_exactly_max", past + kMaxLifetime, past, past, std::nullopt},
      {"lifetime_max_plus_1", past + kMaxLifetime + 1, past, past, Rejection::kLifetimeTooLong},
      // exp = iat + max: with L > 0 only the age rule could refuse these.
      {"iat_exactly_max_ago", now, now - kMaxLifetime, now - kMaxLifetime,
       L > 0 ? std::nullopt : std::optional(Rejection::kExpired)},
      {"iat_more_than_max_ago", now - 1, now - kMaxLifetime - 1, now - kMaxLifetime - 1,
       Rejection::kExpired},
  };
  if (L == 0) t.push_back({"exp_now", now, past, past, Rejection::kExpired});
  if (L > 0) t.push_back({"exp_now_within_leeway", now, past, past, std::nullopt});
  return t;
}

void RunTable(int64_t leeway) {
  FakeClock clock(kT0);
  const int64_t now = clock.NowSeconds();
  VerifyOptions options;
  options.leeway_seconds = leeway;
  for (const TimeCase& c : Table(now, leeway)) {
    SCOPED_TRACE(c.name + " L=" + std::to_string(leeway));
    const std::string token = Mint(c.exp, c.iat, c.nbf);
    std::optional<VerifyError> error = Keys().keys->VerifyDetailed(token, now, options, nullptr);
    if (!c.expected) {
      EXPECT_FALSE(error.has_value()) << RejectionName(error->reason) << ": " << error->detail;
      continue;
    }
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(RejectionName(error->reason), RejectionName(*c.expected)) << error->detail;
  }
}

TEST(TimeTest, TableWithLeeway30) { RunTable(30); }
TEST(TimeTest, TableWithLeeway0) { RunTable(0); }

TEST(TimeTest, DefaultLeewayIs30Seconds) {
  EXPECT_EQ(VerifyOptions{}.leeway_seconds, 30);
  const std::string token = Mint(kT0, kT0 - 100, kT0 - 100);
  EXPECT_FALSE(Keys().keys->VerifyDetailed(token, kT0 + 29, VerifyOptions{}, nullptr));
  EXPECT_TRUE(Keys().keys->VerifyDetailed(token, kT0 + 30, VerifyOptions{}, nullptr));
}

TEST(TimeTest, ClockAdvancingPastExpiryFlipsToRejectedAtTheExactSecond) {
  FakeClock clock(kT0);
  VerifyOptions options;
  options.leeway_seconds = 0;
  const std::string token = Mint(kT0 + 10, kT0, kT0);
  clock.AdvanceSeconds(9);
  EXPECT_FALSE(Keys().keys->VerifyDetailed(token, clock.NowSeconds(), options, nullptr));
  clock.AdvanceSeconds(1);
  EXPECT_TRUE(Keys().keys->VerifyDetailed(token, clock.NowSeconds(), options, nullptr));
}

TEST(TimeTest, LeewayIsClampedTo0Through120) {
  const std::string token = Mint(kT0, kT0 - 100, kT0 - 100);
  VerifyOptions options;
  options.leeway_seconds = INT64_MAX;
  EXPECT_FALSE(Keys().keys->VerifyDetailed(token, kT0 + 119, options, nullptr));
  EXPECT_TRUE(Keys().keys->VerifyDetailed(token, kT0 + 120, options, nullptr));
  options.leeway_seconds = -1000;
  EXPECT_TRUE(Keys().keys->VerifyDetailed(token, kT0, options, nullptr));
}

TEST(TimeTest, Int64EdgesNeverOverflow) {
  const std::string token = Mint(kT0 + 3600, kT0 - 60, kT0 - 60);
  VerifyOptions options;
  options.leeway_seconds = 120;
  options.max_lifetime_seconds = INT64_MAX;
  auto reason = [&](int64_t now) {
    auto error = Keys().keys->VerifyDetailed(token, now, options, nullptr);
    return error ? std::string(RejectionName(error->reason)) : std::string("accepted");
  };
  EXPECT_EQ(reason(INT64_MAX), "expired");
  EXPECT_EQ(reason(INT64_MAX - 1), "expired");
  EXPECT_EQ(reason(INT64_MIN), "not_yet_valid");
  EXPECT_EQ(reason(INT64_MIN + 1), "not_yet_valid");
  EXPECT_EQ(reason(kT0), "accepted");
  options.max_lifetime_seconds = INT64_MIN;
  EXPECT_EQ(reason(kT0), "lifetime_too_long");
}

TEST(TimeTest, LargestDateIsUsableAndTheNextIsNot) {
  const int64_t max_date = 253402300799;
  VerifyOptions options;
  options.max_lifetime_seconds = INT64_MAX;
  const std::string token = Mint(max_date, kT0, kT0);
  EXPECT_FALSE(Keys().keys->VerifyDetailed(token, kT0, options, nullptr));
  EXPECT_FALSE(Keys().keys->Sign(Claims{kClientId, max_date + 1, kT0, kT0, kJti, kSub}).ok());
}

}  // namespace
}  // namespace broker::jwt::testing
