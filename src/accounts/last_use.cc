#include "accounts/last_use.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace broker::accounts {

LastUseTracker::~LastUseTracker() { Stop(); }

void LastUseTracker::Record(const std::string& jti, UnixMillis at, std::string ip,
                            std::string user_agent) {
  std::lock_guard lock(mutex_);
  Use& use = pending_[jti];
  if (at < use.at) return;
  use = {at, std::move(ip), std::move(user_agent)};
}

Result<size_t> LastUseTracker::Flush() {
  std::unordered_map<std::string, Use> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return size_t{0};
  Status status = db_.Transact(store::TxMode::kWrite, [&](store::Session& session) -> Status {
    for (const auto& [jti, use] : batch) {
      BROKER_RETURN_IF_ERROR(
          session.Execute("UPDATE token_registry SET last_used_at = $2, last_used_ip = $3, "
                          "last_used_user_agent = $4 WHERE jti = $1 AND (last_used_at IS NULL OR "
                          "last_used_at < $2)",
                          {jti, use.at, use.ip, use.user_agent}));
    }
    return OkStatus();
  });
  std::lock_guard lock(mutex_);
  if (!status.ok()) {
    for (auto& [jti, use] : batch) pending_.try_emplace(jti, std::move(use));
    return std::move(status).error();
  }
  ++flush_count_;
  return batch.size();
}

uint64_t LastUseTracker::flush_count() const {
  std::lock_guard lock(mutex_);
  return flush_count_;
}

size_t LastUseTracker::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void LastUseTracker::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock guard(mutex_);
    while (!stopping_) {
      wake_.wait_for(guard, interval_, [&] { return stopping_; });
      guard.unlock();
      auto flushed = Flush();
      if (!flushed.ok()) spdlog::warn("last-use flush: {}", flushed.error().ToString());
      guard.lock();
    }
  });
}

void LastUseTracker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)Flush();
}

}  // namespace broker::accounts
