#include "core/time_format.h"

#include <chrono>
#include <cstdio>

namespace broker {

std::string FormatIso8601(UnixMillis millis) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{millis}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::optional<UnixMillis> ParseIso8601(std::string_view text) {
  using namespace std::chrono;
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  int h = 0;
  int mi = 0;
  int s = 0;
  int ms = 0;
  char tail[4] = {};
  const std::string str(text);
  const int n = std::sscanf(str.c_str(), "%4d-%2u-%2uT%2d:%2d:%2d.%3d%1[Z]", &y, &mo, &d, &h, &mi,
                            &s, &ms, tail);
  if (n != 8) {
    ms = 0;
    if (std::sscanf(str.c_str(), "%4d-%2u-%2uT%2d:%2d:%2d%1[Z]", &y, &mo, &d, &h, &mi, &s, tail) !=
        7) {
      return std::nullopt;
    }
  }
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

}  // namespace broker
