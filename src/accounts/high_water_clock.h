#pragma once

// A wall clock that never runs backwards: now = max(wall, high-water mark). The mark is
// persisted (Persist, e.g. every few seconds and at shutdown) and reloaded at start (Load), so
// neither a backward step of the system clock nor a restart onto a wrong clock can resurrect an
// expired, grace-ended or blocked token. The price is fail-closed behaviour after a bogus
// forward step: tokens expire early until the wall clock catches up; WallBehindBy() lets the
// operator be alerted (SECURITY 4.0).
//
// Thread-safety: all functions may be called from any thread.

#include <atomic>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::accounts {

class HighWaterClock final : public Clock {
 public:
  explicit HighWaterClock(const Clock& wall) : wall_(wall), mark_(0) {}

  UnixMillis NowMillis() const override;

  // Raises the mark to the persisted one. Store errors pass through.
  Status Load(store::Database& db);
  // Saves the mark (never lowering the stored value).
  Status Persist(store::Database& db) const;
  // How far the wall clock is behind the mark (0 when it is not).
  UnixMillis WallBehindBy() const;

 private:
  void Raise(UnixMillis candidate) const;

  const Clock& wall_;
  mutable std::atomic<UnixMillis> mark_;
};

}  // namespace broker::accounts
