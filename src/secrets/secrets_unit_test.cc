// Small pieces: the sealer and its key file, the tools path template, path checks, URL
// helpers and the CLI output.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "secrets/cli.h"
#include "secrets/http_client.h"
#include "secrets/local_tools_store.h"
#include "secrets/sealer.h"
#include "secrets/test_env.h"
#include "secrets/tools_path.h"

namespace broker::secrets {
namespace {

using ::broker::testing::TempDir;

TEST(SealerTest, KeyFileIsCreatedOnceWithMode0600AndReused) {
  TempDir dir;
  std::string file = dir.File("tools-store.key");
  auto first = Sealer::OpenKeyFile(file);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  std::string sealed = (*first)->Seal(SecretString("value"), "ad");
  auto second = Sealer::OpenKeyFile(file);
  ASSERT_TRUE(second.ok());
  auto opened = (*second)->Open(sealed, "ad");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->RevealForUse(), "value");
}

TEST(SealerTest, RefusesAKeyFileReadableByOthers) {
  TempDir dir;
  std::string file = dir.File("tools-store.key");
  ASSERT_TRUE(Sealer::OpenKeyFile(file).ok());
  ::chmod(file.c_str(), 0644);
  auto again = Sealer::OpenKeyFile(file);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kFailedPrecondition);
}

TEST(SealerTest, RefusesAKeyFileOfWrongSize) {
  TempDir dir;
  std::string file = dir.File("tools-store.key");
  {
    std::ofstream out(file);
    out << "short";
  }
  ::chmod(file.c_str(), 0600);
  auto sealer = Sealer::OpenKeyFile(file);
  ASSERT_FALSE(sealer.ok());
  EXPECT_EQ(sealer.error().code(), ErrorCode::kFailedPrecondition);
}

TEST(SealerTest, NonceIsFreshAndAssociatedDataIsBound) {
  auto sealer = Sealer::FromKey(testing::TestKey());
  std::string a = sealer->Seal(SecretString("tok"), ToolsAssociatedData("tools/p/s", "k"));
  std::string b = sealer->Seal(SecretString("tok"), ToolsAssociatedData("tools/p/s", "k"));
  EXPECT_NE(a, b);
  EXPECT_TRUE(sealer->Open(a, ToolsAssociatedData("tools/p/s", "k")).ok());
  auto moved = sealer->Open(a, ToolsAssociatedData("tools/p/other", "k"));
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code(), ErrorCode::kInternal);
  auto rekeyed = sealer->Open(a, ToolsAssociatedData("tools/p/s", "k2"));
  EXPECT_FALSE(rekeyed.ok());
  auto other_key = Sealer::FromKey(SecretString(std::string(32, 'b')));
  EXPECT_FALSE(other_key->Open(a, ToolsAssociatedData("tools/p/s", "k")).ok());
  EXPECT_FALSE(sealer->Open("not base64!", "x").ok());
}

TEST(ToolsPathTemplateTest, DefaultTemplateRenders) {
  auto tpl = ToolsPathTemplate::Parse(kDefaultToolsPathTemplate);
  ASSERT_TRUE(tpl.ok()) << tpl.error().ToString();
  auto path = tpl->Render("super-project", "super-service");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "tools/super-project/super-service");
}

TEST(ToolsPathTemplateTest, SpacingInsideTagsIsOptional) {
  auto tpl = ToolsPathTemplate::Parse("x/<%=projectName%>/y/<%=  serviceName  %>");
  ASSERT_TRUE(tpl.ok());
  EXPECT_EQ(*tpl->Render("p", "s"), "x/p/y/s");
}

TEST(ToolsPathTemplateTest, RefusesOtherTagsAndVariables) {
  for (const char* text :
       {"tools/<%= env %>/<%= serviceName %>", "tools/<% code() %>", "tools/<%- projectName %>",
        "tools/<%= projectName", "/<%= projectName %>", "tools//<%= serviceName %>"}) {
    auto tpl = ToolsPathTemplate::Parse(text);
    ASSERT_FALSE(tpl.ok()) << text;
    EXPECT_EQ(tpl.error().code(), ErrorCode::kInvalidArgument) << text;
  }
}

TEST(ToolsPathTemplateTest, RefusesNamesThatEscapeTheirSegment) {
  auto tpl = ToolsPathTemplate::Parse(kDefaultToolsPathTemplate);
  ASSERT_TRUE(tpl.ok());
  EXPECT_EQ(tpl->Render("a/b", "s").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tpl->Render("..", "s").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tpl->Render("p", "").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tpl->Render("p", "s?x").error().code(), ErrorCode::kInvalidArgument);
}

TEST(HttpHelpersTest, PathForLogsDropsHostAndQuery) {
  EXPECT_EQ(UrlPathForLogs("https://vault:8200/v1/apps/data/x?version=2"), "/v1/apps/data/x");
  EXPECT_EQ(UrlPathForLogs("http://h"), "/");
  EXPECT_EQ(EncodePathSegment("broker-jwt:a b/c"), "broker-jwt%3Aa%20b%2Fc");
}

TEST(CliTest, GetAndListPrintJson) {
  TempDir dir;
  auto db = testing::MustOpen("sqlite:" + dir.File("b.db"));
  auto sealer = Sealer::FromKey(testing::TestKey());
  FakeClock clock(1786371130);
  LocalToolsStore store(*db, *sealer, clock);
  ASSERT_TRUE(store.Write("tools/p/s", "broker-jwt:x", SecretString("tok"), {4}).ok());
  std::ostringstream get_out;
  ASSERT_TRUE(CliGet(store, "tools/p/s", get_out).ok());
  EXPECT_EQ(Json::parse(get_out.str()), Json({{"version", 1},
                                              {"data", {{"broker-jwt:x", "tok"}}},
                                              {"generations", {{"broker-jwt:x", 4}}}}));
  std::ostringstream list_out;
  ASSERT_TRUE(CliList(store, "tools", list_out).ok());
  EXPECT_EQ(Json::parse(list_out.str()), Json({"p/"}));
  std::ostringstream missing;
  EXPECT_EQ(CliGet(store, "tools/q/s", missing).error().code(), ErrorCode::kNotFound);
}

TEST(LocalToolsStoreTest, ValuesAreEncryptedAtRest) {
  TempDir dir;
  auto db = testing::MustOpen("sqlite:" + dir.File("b.db"));
  auto sealer = Sealer::FromKey(testing::TestKey());
  FakeClock clock(1786371130);
  LocalToolsStore store(*db, *sealer, clock);
  ASSERT_TRUE(store.Write("tools/p/s", "k", SecretString("PLAINTEXT-CANARY"), {1}).ok());
  auto rows = db->Execute("SELECT sealed FROM secrets_tools_value");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0].Text(0).find("PLAINTEXT"), std::string::npos);
}

}  // namespace
}  // namespace broker::secrets
