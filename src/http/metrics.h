#pragma once

// Process metrics in the Prometheus text exposition format (version 0.0.4), for
// `GET /v1/metrics`.
//
// A family is declared once with its type and help text; samples of it are told apart by
// labels. Counters only go up (Increment); gauges are set (Set), usually by a collector that
// runs at each Render and reads the current value from elsewhere (a queue length, a table
// count, whether this node leads the jobs).
//
//   metrics.Declare("broker_tokens_issued_total", MetricType::kCounter, "Tokens issued.");
//   metrics.Increment("broker_tokens_issued_total");
//   metrics.Render();  // "# HELP broker_tokens_issued_total Tokens issued.\n# TYPE ...\n..."
//
// Label values are escaped (backslash, double quote, newline); they must never hold secrets.
// Keep label values from a small fixed set (route patterns, not paths) so the output stays small.
//
// Thread-safety: every method is safe from any thread. Collectors run on the rendering thread,
// one Render at a time, and may call Set and Increment.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace broker::http {

enum class MetricType { kCounter, kGauge };

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a family. REQUIRES: `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*. Declaring a name
  // again keeps the first declaration.
  void Declare(const std::string& name, MetricType type, std::string help);

  // Adds `by` (>= 0) to a counter sample, creating it at 0 first. Samples of an undeclared
  // family are dropped (a bug, logged once per family).
  void Increment(std::string_view name, const MetricLabels& labels = {}, double by = 1);

  // Sets a gauge sample. Undeclared families as for Increment.
  void Set(std::string_view name, const MetricLabels& labels, double value);

  // Registers a function called at the start of each Render (to Set gauges).
  void AddCollector(std::function<void(Metrics&)> collector);

  // Runs the collectors, then writes every family in name order, its samples in label order.
  std::string Render();

  // The value of one sample, or 0 if it does not exist (for tests).
  double Value(std::string_view name, const MetricLabels& labels = {}) const;

 private:
  struct Family {
    MetricType type;
    std::string help;
    std::map<std::string, double> samples;  // key: rendered label set, e.g. {route="/x"}
  };
  Family* FindFamily(std::string_view name);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::function<void(Metrics&)>> collectors_;
  std::mutex render_mutex_;  // one Render at a time; held while collectors run
};

// "{a=\"1\",b=\"x\"}" with values escaped; "" for no labels.
std::string RenderLabels(const MetricLabels& labels);

}  // namespace broker::http
