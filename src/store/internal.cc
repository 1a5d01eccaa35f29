#include "store/internal.h"

#include <chrono>
#include <random>

namespace broker::store::internal {

Status ValidateNotification(std::string_view channel, std::string_view payload) {
  if (channel.empty() || channel.size() > 63) {
    return InvalidArgument("Invalid notification channel");
  }
  for (char c : channel) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return InvalidArgument("Invalid notification channel");
  }
  if (payload.size() >= 8000) return InvalidArgument("Notification payload too large");
  return OkStatus();
}

void BackoffBeforeRetry(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  int base_ms = 2 << attempt;  // 4, 8, 16, 32 ms
  std::uniform_int_distribution<int> spread(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms / 2 + spread(jitter)));
}

std::string SqlSnippet(std::string_view sql, size_t max_chars) {
  if (sql.size() <= max_chars) return std::string(sql);
  return std::string(sql.substr(0, max_chars)) + "...";
}

CallbackDispatcher::~CallbackDispatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CallbackDispatcher::Subscribe(std::string channel, Callback callback) {
  std::lock_guard lock(mu_);
  callbacks_[std::move(channel)].push_back(std::move(callback));
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void CallbackDispatcher::Publish(std::string_view channel, std::string payload) {
  {
    std::lock_guard lock(mu_);
    if (channel.empty() || callbacks_.find(channel) == callbacks_.end()) return;
    queue_.push_back(Event{std::string(channel), std::move(payload)});
  }
  wake_.notify_one();
}

void CallbackDispatcher::PublishToAll(std::string payload) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Event{"", std::move(payload)});
  }
  wake_.notify_one();
}

void CallbackDispatcher::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Event event = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    DeliverOne(event);
    lock.lock();
  }
}

void CallbackDispatcher::DeliverOne(const Event& event) {
  std::vector<Callback> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& [channel, callbacks] : callbacks_) {
      if (!event.channel.empty() && channel != event.channel) continue;
      targets.insert(targets.end(), callbacks.begin(), callbacks.end());
    }
  }
  // Callbacks run unlocked so that they may Notify (which may Publish) without deadlock.
  for (const auto& callback : targets) callback(event.payload);
}

}  // namespace broker::store::internal
