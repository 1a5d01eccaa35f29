#include "core/time_format.h"

#include <gtest/gtest.h>

namespace broker {
namespace {

TEST(Iso8601, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(1'800'000'000'123), "2027-01-15T08:00:00.123Z");
}

TEST(Iso8601, ParsesWhatItFormats) {
  for (const UnixMillis t :
       {UnixMillis{0}, UnixMillis{1'800'000'000'123}, UnixMillis{951'782'400'000}}) {
    EXPECT_EQ(ParseIso8601(FormatIso8601(t)), t);
  }
  EXPECT_EQ(ParseIso8601("2027-01-15T08:00:00Z"), 1'800'000'000'000);
  EXPECT_FALSE(ParseIso8601("2027-02-30T08:00:00Z"));
  EXPECT_FALSE(ParseIso8601("yesterday"));
}

}  // namespace
}  // namespace broker
