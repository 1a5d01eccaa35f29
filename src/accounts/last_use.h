#pragma once

// Last-use bookkeeping for account tokens, kept off the request path: Record() only updates an
// in-memory map; Flush() writes what accumulated in one transaction (one UPDATE per token
// used since the last flush). A background thread flushes every `interval`, and Stop()
// flushes once more.
//
// Thread-safety: all functions may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::accounts {

class LastUseTracker {
 public:
  explicit LastUseTracker(store::Database& db,
                          std::chrono::milliseconds interval = std::chrono::seconds(1))
      : db_(db), interval_(interval) {}
  ~LastUseTracker();
  LastUseTracker(const LastUseTracker&) = delete;
  LastUseTracker& operator=(const LastUseTracker&) = delete;

  void Record(const std::string& jti, UnixMillis at, std::string ip, std::string user_agent);
  // Writes the pending uses. Returns how many rows were updated; on error the pending uses are
  // kept for the next flush (unless newer ones replaced them).
  Result<size_t> Flush();
  // Transactions written so far (for tests and metrics).
  uint64_t flush_count() const;
  size_t pending() const;

  void Start();
  void Stop();

 private:
  struct Use {
    UnixMillis at = 0;
    std::string ip;
    std::string user_agent;
  };

  store::Database& db_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::string, Use> pending_;
  uint64_t flush_count_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace broker::accounts
