#include "intentions/rules.h"

#include <gtest/gtest.h>

#include "graph/snapshot.h"

namespace broker::intentions {
namespace {

TEST(SemVerTest, StrictForm) {
  EXPECT_TRUE(ParseSemVer("1.2.3").valid);
  EXPECT_FALSE(ParseSemVer("1.2.3").prerelease);
  EXPECT_TRUE(ParseSemVer("2.1.3-snapshot+build46").prerelease);
  EXPECT_TRUE(ParseSemVer("23.1.9-snapshot").valid);
  EXPECT_FALSE(ParseSemVer("1.2").valid);
  EXPECT_FALSE(ParseSemVer("01.2.3").valid);
  EXPECT_FALSE(ParseSemVer("v1.2.3").valid);
  EXPECT_FALSE(ParseSemVer("").valid);
}

TEST(ActionUtilTest, VaultEnvironmentAndInstanceName) {
  Json action = {{"service", {{"environment", "production"}, {"name", "a"}, {"project", "p"}}}};
  EXPECT_EQ(EffectiveVaultEnvironment(action), "production");
  action["service"]["target"] = {{"environment", "test"}, {"name", "b"}, {"project", "p"}};
  EXPECT_EQ(EffectiveVaultEnvironment(action), "test");
  EXPECT_EQ(InstanceName(action), "test");
  action["service"]["instanceName"] = "blue";
  EXPECT_EQ(InstanceName(action), "blue");
  action["vaultEnvironment"] = "tools";
  EXPECT_EQ(EffectiveVaultEnvironment(action), "tools");
}

TEST(ActionUtilTest, IsProvisionedOnlyForVaultCapabilities) {
  EXPECT_TRUE(IsProvisioned({{"provision", {"token/self"}}}));
  EXPECT_TRUE(IsProvisioned({{"provision", {"approle/secret-id"}}}));
  EXPECT_FALSE(IsProvisioned({{"provision", Json::array()}}));
  EXPECT_FALSE(IsProvisioned(Json::object()));
}

TEST(ActionUtilTest, BuiltInEnvironmentsWhenTheGraphHasNone) {
  graph::Snapshot empty;
  empty.Seal();
  auto prod = ResolveEnvironment(empty, "prod");
  ASSERT_TRUE(prod.has_value());
  EXPECT_EQ(prod->name, "production");
  EXPECT_EQ(prod->change_roles, (std::vector<std::string>{"full-access", "prod-operator"}));
  EXPECT_FALSE(ResolveEnvironment(empty, "staging").has_value());
}

TEST(ActionUtilTest, ValueAtDottedKey) {
  Json action = {{"service", {{"project", "vault2"}}}};
  EXPECT_EQ(ValueAt(action, "service.project"), "vault2");
  EXPECT_TRUE(ValueAt(action, "service.name").is_null());
  EXPECT_TRUE(ValueAt(action, "service.project,service.name").is_null());
}

}  // namespace
}  // namespace broker::intentions
