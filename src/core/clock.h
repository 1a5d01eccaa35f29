#pragma once

// Wall-clock time, injected. Token times (iat, exp, grace ends) are whole seconds since the
// Unix epoch read from a `Clock`, so tests can pin them to the second with `FakeClock`.
// Timeouts, retries and rate limits use std::chrono::steady_clock directly instead, so that a
// wall-clock jump cannot stretch or freeze them.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace broker {

using UnixSeconds = int64_t;
using UnixMillis = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual UnixMillis NowMillis() const = 0;
  UnixSeconds NowSeconds() const { return NowMillis() / 1000; }
};

// The operating system's wall clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  UnixMillis NowMillis() const override;
  // A process-wide instance.
  static SystemClock& Instance();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds start_seconds) : now_millis_(start_seconds * 1000) {}
  UnixMillis NowMillis() const override { return now_millis_.load(); }
  void SetSeconds(UnixSeconds seconds) { now_millis_.store(seconds * 1000); }
  void AdvanceSeconds(int64_t seconds) { now_millis_.fetch_add(seconds * 1000); }
  void AdvanceMillis(int64_t millis) { now_millis_.fetch_add(millis); }

 private:
  std::atomic<UnixMillis> now_millis_;
};

}  // namespace broker
