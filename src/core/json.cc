#include "core/json.h"

#include <set>
#include <string>
#include <vector>

namespace broker {
namespace {

enum class Violation { kNone, kDuplicate, kTooDeep };

// Tracks the member names of each open object so a repeated name can be refused, and the
// current depth so a hostile document cannot exhaust the stack.
class StrictnessTracker {
 public:
  explicit StrictnessTracker(size_t max_depth) : max_depth_(max_depth) {}

  bool OnEvent(int depth, Json::parse_event_t event, const Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (static_cast<size_t>(depth) >= max_depth_) return Fail(Violation::kTooDeep);
        names_.emplace_back();
        return true;
      case Event::object_end:
      case Event::array_end:
        if (!names_.empty()) names_.pop_back();
        return true;
      case Event::key:
        if (names_.empty()) return true;
        if (!names_.back().insert(parsed.get<std::string>()).second) {
          return Fail(Violation::kDuplicate);
        }
        return true;
      case Event::value:
        return true;
    }
    return true;
  }

  Violation violation() const { return violation_; }

 private:
  bool Fail(Violation v) {
    violation_ = v;
    // Returning false from the callback only discards the value; throwing stops the parse.
    throw std::runtime_error("strict json violation");
  }

  size_t max_depth_;
  std::vector<std::set<std::string>> names_;
  Violation violation_ = Violation::kNone;
};

}  // namespace

Result<Json> ParseStrictJson(std::string_view text, JsonLimits limits) {
  // A raw NUL is never valid JSON (inside strings it must be escaped), and nlohmann's lexer
  // would take it for the end of input and ignore what follows.
  if (text.find('\0') != std::string_view::npos) return InvalidArgument("Malformed JSON");
  StrictnessTracker tracker(limits.max_depth);
  try {
    return Json::parse(
        text.begin(), text.end(),
        [&tracker](int depth, Json::parse_event_t event, Json& parsed) {
          return tracker.OnEvent(depth, event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Json::exception& e) {
    // parse_error for syntax, out_of_range for numbers no double can hold.
    return InvalidArgument("Malformed JSON", e.what());
  } catch (const std::runtime_error&) {
    if (tracker.violation() == Violation::kDuplicate) {
      return InvalidArgument("Malformed JSON: duplicate member name");
    }
    return InvalidArgument("Malformed JSON: nesting too deep");
  }
}

}  // namespace broker
