#include "api/health/health_api.h"

#include <gtest/gtest.h>

namespace broker::api {
namespace {

http::Response Get(const http::Router& router, const std::string& path) {
  http::Request request;
  request.method = http::Method::kGet;
  request.path = path;
  const auto match = router.Find(http::Method::kGet, path);
  EXPECT_NE(match.handler, nullptr) << path;
  return (*match.handler)(request);
}

TEST(HealthApi, AllUpIsOkAndReady) {
  HealthRegistry health;
  health.Add("database", true, [] { return ComponentHealth{}; });
  http::Router router;
  RegisterHealthRoutes(router, health);
  const auto response = Get(router, "/v1/health");
  EXPECT_EQ(response.status, 200);
  const Json body = Json::parse(response.body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["components"]["database"]["status"], "up");
  EXPECT_EQ(Get(router, "/v1/health/ready").status, 204);
  EXPECT_EQ(Get(router, "/v1/health/ping").status, 204);
}

TEST(HealthApi, OptionalComponentDownOnlyDegrades) {
  HealthRegistry health;
  health.Add("database", true, [] { return ComponentHealth{}; });
  health.Add("vault", false, [] { return ComponentHealth{HealthState::kDown, "503 from Vault"}; });
  http::Router router;
  RegisterHealthRoutes(router, health);
  const auto response = Get(router, "/v1/health");
  EXPECT_EQ(response.status, 200);
  const Json body = Json::parse(response.body);
  EXPECT_EQ(body["status"], "degraded");
  EXPECT_EQ(body["components"]["vault"]["detail"], "503 from Vault");
  EXPECT_EQ(Get(router, "/v1/health/ready").status, 204);
}

TEST(HealthApi, RequiredComponentDownIsNotReady) {
  HealthRegistry health;
  health.Add("database", true, [] { return ComponentHealth{HealthState::kDown, "unreachable"}; });
  http::Router router;
  RegisterHealthRoutes(router, health);
  EXPECT_EQ(Get(router, "/v1/health").status, 503);
  EXPECT_EQ(Json::parse(Get(router, "/v1/health").body)["status"], "down");
  EXPECT_EQ(Get(router, "/v1/health/ready").status, 503);
  EXPECT_EQ(Get(router, "/v1/health/live").status, 204);
}

}  // namespace
}  // namespace broker::api
