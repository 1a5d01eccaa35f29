#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace broker {
namespace {

TEST(ObjectId, StartsWithTheTimeAndIsUnique) {
  FakeClock clock(0x5f000000);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewObjectId(clock, OsRandom::Instance());
    ASSERT_TRUE(IsObjectId(id)) << id;
    EXPECT_EQ(id.substr(0, 8), "5f000000");
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(ObjectId, Validation) {
  EXPECT_TRUE(IsObjectId("65a1b2c3d4e5f60718293a4b"));
  EXPECT_TRUE(IsObjectId("65A1B2C3D4E5F60718293A4B"));
  EXPECT_FALSE(IsObjectId("65a1b2c3d4e5f60718293a4"));
  EXPECT_FALSE(IsObjectId("65a1b2c3d4e5f60718293a4g"));
  EXPECT_FALSE(IsObjectId("../../etc/passwd00000000"));
}

TEST(Uuid, Version4Form) {
  for (int i = 0; i < 100; ++i) {
    const std::string u = OsRandom::Instance().Uuid4();
    ASSERT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
  }
  EXPECT_FALSE(IsUuid("6d1c0000-0000-4000-8000-00000000000"));
  EXPECT_FALSE(IsUuid("6d1c0000x0000-4000-8000-000000000000"));
}

}  // namespace
}  // namespace broker
