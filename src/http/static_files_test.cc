#include "http/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace broker::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("http_static_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "dist" / "assets");
    Write("dist/index.html", "<!doctype html>index");
    Write("dist/assets/app-1234.js", "console.log(1)");
    Write("dist/assets/app-1234.css", "body{}");
    Write("dist/favicon.ico", "ico");
    Write("dist/logo.svg", "<svg/>");
    Write("secret.txt", "top secret");
    fs::create_symlink(base_ / "secret.txt", base_ / "dist" / "link.txt");
    handler_ = StaticFiles({.root = base_ / "dist"});
  }
  void TearDown() override { fs::remove_all(base_); }

  void Write(const std::string& name, const std::string& content) {
    std::ofstream(base_ / name) << content;
  }
  Response Get(std::string path, Method method = Method::kGet) {
    Request request;
    request.method = method;
    request.path = std::move(path);
    return handler_(request);
  }

  fs::path base_;
  Handler handler_;
};

TEST_F(StaticFilesTest, ServesFilesWithContentTypes) {
  auto js = Get("/assets/app-1234.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/assets/app-1234.css").Header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(Get("/logo.svg").Header("content-type"), "image/svg+xml");
  EXPECT_EQ(Get("/favicon.ico").Header("content-type"), "image/x-icon");
  EXPECT_FALSE(Get("/favicon.ico").Header("cache-control"));  // server default applies
}

TEST_F(StaticFilesTest, ContentTypeTable) {
  EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.exe"), "application/octet-stream");
}

TEST_F(StaticFilesTest, SpaFallbackServesIndexWithNoStore) {
  for (const char* path : {"/", "/intention/history", "/browse/project/abc", "/index.html"}) {
    auto response = Get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, "<!doctype html>index") << path;
    EXPECT_EQ(response.Header("cache-control"), "no-store") << path;
    EXPECT_EQ(response.Header("content-type"), "text/html; charset=utf-8") << path;
  }
}

TEST_F(StaticFilesTest, ApiPrefixesAndMissingAssetsDoNotFallBack) {
  for (const char* path : {"/v1/unknown", "/auth/x", "/.well-known/x", "/assets/gone.js"}) {
    EXPECT_EQ(Get(path).status, 404) << path;
  }
}

TEST_F(StaticFilesTest, TraversalIsRefused) {
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/./index.html", "/..\\secret.txt"}) {
    auto response = Get(path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body.find("top secret"), std::string::npos) << path;
  }
}

TEST_F(StaticFilesTest, SymlinkOutOfRootIsNotFollowed) {
  auto response = Get("/link.txt");
  EXPECT_EQ(response.body, "<!doctype html>index");  // treated as unknown: the SPA page
}

TEST_F(StaticFilesTest, OnlyGetAndHead) {
  EXPECT_EQ(Get("/index.html", Method::kHead).status, 200);
  EXPECT_EQ(Get("/index.html", Method::kPost).status, 405);
}

TEST_F(StaticFilesTest, MissingRootAnswers404) {
  Handler handler = StaticFiles({.root = base_ / "nope"});
  Request request;
  request.path = "/";
  EXPECT_EQ(handler(request).status, 404);
}

}  // namespace
}  // namespace broker::http
