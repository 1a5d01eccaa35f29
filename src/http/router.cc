#include "http/router.h"

#include <stdexcept>

namespace broker::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    segments.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return segments;
    start = end + 1;
  }
}

bool IsParam(std::string_view segment) { return segment.size() > 1 && segment.front() == ':'; }

// Matches `path` against `pattern`. On success fills `params` and `score`, one digit per
// segment: 1 for a literal, 0 for a parameter, so that a larger score is a more literal match
// at the earliest point where two patterns differ.
bool MatchSegments(const std::vector<std::string>& pattern,
                   const std::vector<std::string_view>& path, Fields& params,
                   std::vector<int>& score) {
  if (pattern.size() != path.size()) return false;
  params.clear();
  score.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (path[i].empty()) return false;
      params.emplace_back(pattern[i].substr(1), std::string(path[i]));
      score.push_back(0);
    } else if (pattern[i] == path[i]) {
      score.push_back(1);
    } else {
      return false;
    }
  }
  return true;
}

bool MethodMatches(Method route, Method requested) {
  return route == requested || (requested == Method::kHead && route == Method::kGet);
}

std::vector<std::string> PatternSegments(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/'");
  }
  std::vector<std::string> out;
  for (std::string_view segment : SplitPath(pattern)) out.emplace_back(segment);
  return out;
}

}  // namespace

void Router::Add(Method method, std::string pattern, Handler handler) {
  std::vector<std::string> segments = PatternSegments(pattern);
  routes_.push_back(
      Route{method, std::move(pattern), std::move(segments), std::move(handler), std::nullopt});
}

void Router::AddStream(std::string pattern, StreamHandler handler) {
  std::vector<std::string> segments = PatternSegments(pattern);
  routes_.push_back(Route{Method::kGet, std::move(pattern), std::move(segments), std::nullopt,
                          std::move(handler)});
}

void Router::SetFallback(Handler handler) { fallback_ = std::move(handler); }

Router::Match Router::Find(Method method, std::string_view path) const {
  std::vector<std::string_view> segments = SplitPath(path);
  Match best;
  std::vector<int> best_score;
  bool path_matched = false;
  Fields params;
  std::vector<int> score;
  for (const Route& route : routes_) {
    if (!MatchSegments(route.segments, segments, params, score)) continue;
    path_matched = true;
    // A stream answers GET only: HEAD on a stream would leave the connection in limbo.
    bool method_ok = route.stream ? method == Method::kGet : MethodMatches(route.method, method);
    // An exact method match beats HEAD-served-by-GET at the same score.
    bool exact = route.method == method;
    if (!method_ok) continue;
    bool better = !(best.handler || best.stream) || score > best_score ||
                  (score == best_score && exact && method == Method::kHead);
    if (!better) continue;
    best.handler = route.handler ? &*route.handler : nullptr;
    best.stream = route.stream ? &*route.stream : nullptr;
    best.params = params;
    best.pattern = route.pattern;
    best_score = score;
  }
  best.method_not_allowed = path_matched && !best.handler && !best.stream;
  return best;
}

}  // namespace broker::http
