#pragma once

// Health endpoints:
//   GET /v1/health        every component's state; 503 when a component needed to serve is down
//   GET /v1/health/ping   204 (the process answers)
//   GET /v1/health/live   204 (liveness: the process is not wedged)
//   GET /v1/health/ready  204 when every required component is up, else 503 (readiness)

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "http/router.h"

namespace broker::api {

enum class HealthState { kUp, kDegraded, kDown };

struct ComponentHealth {
  HealthState state = HealthState::kUp;
  std::string detail;  // a short operator-facing sentence; never a secret
};

// A named set of health checks. Checks must be quick (they run on each /v1/health request).
// Thread-safe.
class HealthRegistry {
 public:
  // `required`: Broker cannot serve without it (the database); a down required component makes
  // /v1/health and /v1/health/ready answer 503. Optional ones (Vault, SMTP) only degrade.
  void Add(std::string name, bool required, std::function<ComponentHealth()> check);

  struct Report {
    HealthState overall = HealthState::kUp;
    bool ready = true;
    Json components = Json::object();
  };
  Report Evaluate() const;

 private:
  struct Entry {
    std::string name;
    bool required;
    std::function<ComponentHealth()> check;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

void RegisterHealthRoutes(http::Router& router, const HealthRegistry& health);

}  // namespace broker::api
