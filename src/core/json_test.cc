#include "core/json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace broker {
namespace {

TEST(StrictJson, ParsesOrdinaryDocuments) {
  auto parsed = ParseStrictJson(R"({"a":[1,2,{"b":null}],"c":"d"})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)["c"], "d");
}

TEST(StrictJson, RefusesDuplicateNamesEvenThroughEscapes) {
  EXPECT_EQ(ParseStrictJson(R"({"jti":"a","jti":"b"})").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParseStrictJson(R"({"jti":"a","\u006ati":"b"})").ok());
  EXPECT_FALSE(ParseStrictJson(R"({"x":{"a":1,"a":2}})").ok());
  // The same name in sibling objects is fine.
  EXPECT_TRUE(ParseStrictJson(R"([{"a":1},{"a":2}])").ok());
}

TEST(StrictJson, RefusesDeepNestingWithoutRecursingIntoIt) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const auto parsed = ParseStrictJson(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("too deep"), std::string::npos);
  EXPECT_TRUE(ParseStrictJson(std::string(10, '[') + std::string(10, ']')).ok());
}

TEST(StrictJson, RefusesTrailingDataAndComments) {
  EXPECT_FALSE(ParseStrictJson("{}x").ok());
  EXPECT_FALSE(ParseStrictJson("{}{}").ok());
  EXPECT_FALSE(ParseStrictJson("{/*c*/}").ok());
  EXPECT_FALSE(ParseStrictJson("").ok());
}

// Every n_*.json file of JSONTestSuite must be refused; every y_*.json accepted.
TEST(StrictJson, JsonTestSuiteParsingCorpus) {
  const std::filesystem::path dir =
      std::filesystem::path(BROKER_SHARED_DIR) / "testdata/jsontestsuite/test_parsing";
  ASSERT_TRUE(std::filesystem::exists(dir)) << dir;
  int refused = 0;
  int accepted = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    const bool ok = ParseStrictJson(buf.str(), {.max_depth = 600}).ok();
    if (name.starts_with("n_")) {
      EXPECT_FALSE(ok) << name;
      refused += ok ? 0 : 1;
    } else if (name.starts_with("y_object_duplicated_key")) {
      EXPECT_FALSE(ok) << name << ": duplicates are refused on purpose";
    } else if (name.starts_with("y_")) {
      EXPECT_TRUE(ok) << name;
      accepted += ok ? 1 : 0;
    }
  }
  EXPECT_GT(refused, 180);
  EXPECT_GT(accepted, 90);
}

}  // namespace
}  // namespace broker
