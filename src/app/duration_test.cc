#include "app/duration.h"

#include <gtest/gtest.h>

namespace broker::app {
namespace {

TEST(Duration, UnitsAndPlainSeconds) {
  EXPECT_EQ(*ParseDurationSeconds("3600"), 3600);
  EXPECT_EQ(*ParseDurationSeconds("45s"), 45);
  EXPECT_EQ(*ParseDurationSeconds("90m"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("1h"), 3600);
  EXPECT_EQ(*ParseDurationSeconds("90d"), 7776000);
  EXPECT_EQ(*ParseDurationSeconds("60d"), 5184000);
  EXPECT_EQ(*ParseDurationSeconds("1y"), 31536000);
}

TEST(Duration, RefusesMalformedInput) {
  for (const char* bad : {"", "d", "-1d", "1.5d", "90 d", "90w", "9223372036854775807y"}) {
    const auto parsed = ParseDurationSeconds(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace broker::app
