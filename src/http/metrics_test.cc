#include "http/metrics.h"

#include <gtest/gtest.h>

#include "http/router.h"

namespace broker::http {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesInPrometheusTextFormat) {
  Metrics metrics;
  metrics.Declare("broker_requests_total", MetricType::kCounter, "Requests answered.");
  metrics.Declare("broker_pending", MetricType::kGauge, "Pending deliveries.");
  metrics.Increment("broker_requests_total", {{"route", "/v1/x"}, {"status", "200"}});
  metrics.Increment("broker_requests_total", {{"route", "/v1/x"}, {"status", "200"}});
  metrics.Increment("broker_requests_total", {{"route", "/v1/x"}, {"status", "401"}});
  metrics.Set("broker_pending", {}, 3);
  EXPECT_EQ(metrics.Render(),
            "# HELP broker_pending Pending deliveries.\n"
            "# TYPE broker_pending gauge\n"
            "broker_pending 3\n"
            "# HELP broker_requests_total Requests answered.\n"
            "# TYPE broker_requests_total counter\n"
            "broker_requests_total{route=\"/v1/x\",status=\"200\"} 2\n"
            "broker_requests_total{route=\"/v1/x\",status=\"401\"} 1\n");
}

TEST(MetricsTest, DeclaredFamilyWithoutSamplesStillHasHelpAndType) {
  Metrics metrics;
  metrics.Declare("broker_job_runs_total", MetricType::kCounter, "Job runs.");
  EXPECT_EQ(metrics.Render(),
            "# HELP broker_job_runs_total Job runs.\n# TYPE broker_job_runs_total counter\n");
}

TEST(MetricsTest, EscapesLabelValues) {
  EXPECT_EQ(RenderLabels({{"a", "q\"b\\s\nn"}}), "{a=\"q\\\"b\\\\s\\nn\"}");
  EXPECT_EQ(RenderLabels({}), "");
}

TEST(MetricsTest, CollectorsRunAtEachRender) {
  Metrics metrics;
  metrics.Declare("broker_leader", MetricType::kGauge, "1 if leading.");
  int calls = 0;
  metrics.AddCollector([&](Metrics& m) { m.Set("broker_leader", {}, ++calls); });
  EXPECT_NE(metrics.Render().find("broker_leader 1\n"), std::string::npos);
  EXPECT_NE(metrics.Render().find("broker_leader 2\n"), std::string::npos);
  EXPECT_EQ(metrics.Value("broker_leader"), 2);
}

TEST(MetricsTest, UndeclaredFamilyIsDropped) {
  Metrics metrics;
  metrics.Increment("nope_total");
  EXPECT_EQ(metrics.Render(), "");
  EXPECT_EQ(metrics.Value("nope_total"), 0);
}

TEST(MetricsTest, FractionalValues) {
  Metrics metrics;
  metrics.Declare("d_seconds", MetricType::kCounter, "Seconds.");
  metrics.Increment("d_seconds", {}, 0.25);
  EXPECT_NE(metrics.Render().find("d_seconds 0.25\n"), std::string::npos);
}

TEST(RouterPatternTest, MatchNamesThePatternNotThePath) {
  Router router;
  router.Add(Method::kGet, "/v1/collection/:collection/:id",
             [](const Request&) { return Response::Empty(204); });
  router.Add(Method::kGet, "/v1/collection/user/self",
             [](const Request&) { return Response::Empty(204); });
  EXPECT_EQ(router.Find(Method::kGet, "/v1/collection/team/abc").pattern,
            "/v1/collection/:collection/:id");
  EXPECT_EQ(router.Find(Method::kGet, "/v1/collection/user/self").pattern,
            "/v1/collection/user/self");
  EXPECT_EQ(router.Find(Method::kGet, "/nothing").pattern, "");
}

}  // namespace
}  // namespace broker::http
