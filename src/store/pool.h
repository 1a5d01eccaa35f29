#pragma once

// A bounded pool of connections, shared by the engines. Not part of the public interface.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/status.h"

namespace broker::store::internal {

// Keeps up to `max_size` connections; opens them lazily with `factory`. Borrow blocks while all
// are in use, up to `wait_timeout`. Thread-safe; must outlive its leases.
template <typename Conn>
class Pool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Conn>>()>;
  // Decides whether an idle connection may be handed out again; false drops it.
  using Validator = std::function<bool(Conn&)>;

  // A borrowed connection, returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->Return(std::move(conn_), discard_);
    }
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }
    // Closes the connection instead of returning it (it is broken or in an unknown state).
    void Discard() { discard_ = true; }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
    bool discard_ = false;
  };

  Pool(size_t max_size, std::chrono::milliseconds wait_timeout, Factory factory,
       Validator validator = nullptr)
      : max_size_(max_size < 1 ? 1 : max_size),
        wait_timeout_(wait_timeout),
        factory_(std::move(factory)),
        validator_(std::move(validator)) {}

  // A connection, or the factory's error, or Unavailable if none was free within the timeout.
  Result<Lease> Borrow() {
    std::unique_lock lock(mu_);
    while (true) {
      bool ready = wake_.wait_for(lock, wait_timeout_,
                                  [this] { return !idle_.empty() || total_ < max_size_; });
      if (!ready) return Unavailable("Database busy", "connection pool exhausted");
      if (idle_.empty()) return OpenNew(lock);
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      if (!validator_ || validator_(*conn)) return Lease(this, std::move(conn));
      --total_;  // drop the stale connection and look again
    }
  }

 private:
  Result<Lease> OpenNew(std::unique_lock<std::mutex>& lock) {
    ++total_;
    lock.unlock();
    Result<std::unique_ptr<Conn>> conn = factory_();
    if (conn.ok()) return Lease(this, std::move(conn).value());
    lock.lock();
    --total_;
    wake_.notify_one();
    return std::move(conn).error();
  }

  void Return(std::unique_ptr<Conn> conn, bool discard) {
    {
      std::lock_guard lock(mu_);
      if (discard) {
        --total_;
      } else {
        idle_.push_back(std::move(conn));
      }
    }
    wake_.notify_one();
    // A discarded connection is closed here, outside the lock.
  }

  const size_t max_size_;
  const std::chrono::milliseconds wait_timeout_;
  Factory factory_;
  Validator validator_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::unique_ptr<Conn>> idle_;
  size_t total_ = 0;
};

}  // namespace broker::store::internal
