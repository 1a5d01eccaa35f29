#include "app/duration.h"

#include <charconv>
#include <limits>

namespace broker::app {
namespace {

Result<int64_t> UnitSeconds(char unit) {
  switch (unit) {
    case 's':
      return int64_t{1};
    case 'm':
      return int64_t{60};
    case 'h':
      return int64_t{3600};
    case 'd':
      return int64_t{86400};
    case 'y':
      return int64_t{365} * 86400;
    default:
      return InvalidArgument("unknown duration unit; use s, m, h, d or y (e.g. 90d)");
  }
}

}  // namespace

Result<int64_t> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty duration");
  int64_t multiplier = 1;
  if (const char last = text.back(); last < '0' || last > '9') {
    BROKER_ASSIGN_OR_RETURN(multiplier, UnitSeconds(last));
    text.remove_suffix(1);
  }
  int64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count < 0) {
    return InvalidArgument("a duration is a whole number with an optional unit, e.g. 90d");
  }
  if (count > std::numeric_limits<int64_t>::max() / multiplier) {
    return InvalidArgument("duration too large");
  }
  return count * multiplier;
}

}  // namespace broker::app
