#include "http/metrics.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>

namespace broker::http {
namespace {

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Integers print without a fraction, as Prometheus clients expect for counts.
std::string FormatValue(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

std::string_view TypeName(MetricType type) {
  return type == MetricType::kCounter ? "counter" : "gauge";
}

}  // namespace

std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    AppendEscaped(out, labels[i].second);
    out += '"';
  }
  out += '}';
  return out;
}

void Metrics::Declare(const std::string& name, MetricType type, std::string help) {
  const std::lock_guard lock(mutex_);
  families_.try_emplace(name, Family{type, std::move(help), {}});
}

Metrics::Family* Metrics::FindFamily(std::string_view name) {
  auto it = families_.find(name);
  if (it != families_.end()) return &it->second;
  spdlog::error("metrics: undeclared family {}", name);
  return nullptr;
}

void Metrics::Increment(std::string_view name, const MetricLabels& labels, double by) {
  std::string key = RenderLabels(labels);
  const std::lock_guard lock(mutex_);
  if (Family* family = FindFamily(name)) family->samples[std::move(key)] += by;
}

void Metrics::Set(std::string_view name, const MetricLabels& labels, double value) {
  std::string key = RenderLabels(labels);
  const std::lock_guard lock(mutex_);
  if (Family* family = FindFamily(name)) family->samples[std::move(key)] = value;
}

void Metrics::AddCollector(std::function<void(Metrics&)> collector) {
  const std::lock_guard lock(render_mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() {
  const std::lock_guard render(render_mutex_);
  for (const auto& collector : collectors_) collector(*this);
  std::string out;
  const std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(family.type)) + "\n";
    for (const auto& [labels, value] : family.samples) {
      out += name + labels + " " + FormatValue(value) + "\n";
    }
  }
  return out;
}

double Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  const std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto sample = family->second.samples.find(RenderLabels(labels));
  return sample == family->second.samples.end() ? 0 : sample->second;
}

}  // namespace broker::http
