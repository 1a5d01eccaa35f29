#include "api/health/health_api.h"

#include <utility>

namespace broker::api {
namespace {

std::string_view StateName(HealthState state) {
  switch (state) {
    case HealthState::kUp:
      return "up";
    case HealthState::kDegraded:
      return "degraded";
    case HealthState::kDown:
      return "down";
  }
  return "down";
}

std::string_view OverallName(HealthState state) {
  return state == HealthState::kUp ? "ok" : StateName(state);
}

}  // namespace

void HealthRegistry::Add(std::string name, bool required, std::function<ComponentHealth()> check) {
  const std::lock_guard lock(mutex_);
  entries_.push_back({std::move(name), required, std::move(check)});
}

HealthRegistry::Report HealthRegistry::Evaluate() const {
  const std::lock_guard lock(mutex_);
  Report report;
  for (const Entry& entry : entries_) {
    const ComponentHealth health = entry.check();
    report.components[entry.name] = {{"status", StateName(health.state)},
                                     {"required", entry.required}};
    if (!health.detail.empty()) report.components[entry.name]["detail"] = health.detail;
    if (health.state == HealthState::kUp) continue;
    // A down optional component (Vault, SMTP) degrades Broker but does not stop it serving.
    const bool fatal = entry.required && health.state == HealthState::kDown;
    report.ready = report.ready && !fatal;
    if (fatal) {
      report.overall = HealthState::kDown;
    } else if (report.overall == HealthState::kUp) {
      report.overall = HealthState::kDegraded;
    }
  }
  return report;
}

void RegisterHealthRoutes(http::Router& router, const HealthRegistry& health) {
  router.Add(http::Method::kGet, "/v1/health", [&health](const http::Request&) {
    const HealthRegistry::Report report = health.Evaluate();
    return http::Response::Json(report.ready ? 200 : 503, {{"status", OverallName(report.overall)},
                                                           {"ready", report.ready},
                                                           {"components", report.components}});
  });
  router.Add(http::Method::kGet, "/v1/health/ping",
             [](const http::Request&) { return http::Response::Empty(204); });
  router.Add(http::Method::kGet, "/v1/health/live",
             [](const http::Request&) { return http::Response::Empty(204); });
  router.Add(http::Method::kGet, "/v1/health/ready", [&health](const http::Request&) {
    if (health.Evaluate().ready) return http::Response::Empty(204);
    return http::Response::FromError(Unavailable("Broker is not ready"));
  });
}

}  // namespace broker::api
