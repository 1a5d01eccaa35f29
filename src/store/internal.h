#pragma once

// Pieces shared by the two engines. Not part of the store's public interface.

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace broker::store::internal {

// InvalidArgument unless `channel` is 1-63 characters of [a-z0-9_] and `payload` is shorter
// than 8000 bytes (PostgreSQL's NOTIFY limit, applied to both engines alike).
Status ValidateNotification(std::string_view channel, std::string_view payload);

// How many times Transact runs a body that lost a serialization race or a deadlock.
inline constexpr int kMaxTransactAttempts = 5;

// Sleeps a short, growing, jittered time before retry `attempt` (1-based).
void BackoffBeforeRetry(int attempt);

// The first `max_chars` characters of `sql`, for internal error messages.
std::string SqlSnippet(std::string_view sql, size_t max_chars = 160);

// Calls per-channel callbacks on one background thread, in publication order. The thread is
// started by the first Subscribe and joined by the destructor. Thread-safe.
class CallbackDispatcher {
 public:
  using Callback = std::function<void(std::string payload)>;

  CallbackDispatcher() = default;
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;
  ~CallbackDispatcher();

  void Subscribe(std::string channel, Callback callback);
  // Queues `payload` for every callback of `channel`; returns at once.
  void Publish(std::string_view channel, std::string payload);
  // Queues `payload` for every callback of every channel.
  void PublishToAll(std::string payload);

 private:
  struct Event {
    std::string channel;  // empty: every channel
    std::string payload;
  };
  void Run();
  void DeliverOne(const Event& event);

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, std::vector<Callback>, std::less<>> callbacks_;
  std::deque<Event> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace broker::store::internal
