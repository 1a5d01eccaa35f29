#include "accounts/high_water_clock.h"

#include <algorithm>

namespace broker::accounts {

void HighWaterClock::Raise(UnixMillis candidate) const {
  UnixMillis current = mark_.load();
  while (candidate > current && !mark_.compare_exchange_weak(current, candidate)) {
  }
}

UnixMillis HighWaterClock::NowMillis() const {
  Raise(wall_.NowMillis());
  return mark_.load();
}

Status HighWaterClock::Load(store::Database& db) {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rs,
                          db.Execute("SELECT millis FROM clock_high_water WHERE id = 1"));
  if (!rs.empty()) Raise(rs.rows[0].Int(0));
  return OkStatus();
}

Status HighWaterClock::Persist(store::Database& db) const {
  const UnixMillis now = NowMillis();
  BROKER_RETURN_IF_ERROR(db.Execute(
      "INSERT INTO clock_high_water (id, millis) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET "
      "millis = CASE WHEN clock_high_water.millis > excluded.millis THEN clock_high_water.millis "
      "ELSE excluded.millis END",
      {now}));
  return OkStatus();
}

UnixMillis HighWaterClock::WallBehindBy() const {
  return std::max<UnixMillis>(0, mark_.load() - wall_.NowMillis());
}

}  // namespace broker::accounts
