#pragma once

// A bounded, batched writer for high-volume audit events (authentication start/end), so that
// the request path never waits for a database write.
//
// Enqueue puts the record on an in-memory queue; a background thread appends what is queued
// in one transaction per batch. When the queue is full, Enqueue waits a short while for room;
// if there is still none, it writes the record itself in its own transaction. Either way the
// event is counted in `overflows` (reported by /v1/health) and never dropped silently: a record
// is only lost if its database write fails, which is counted in `failed` and logged.
//
// Thread-safety: all public functions may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "audit/audit_log.h"
#include "store/database.h"

namespace broker::audit {

struct BatchWriterOptions {
  size_t capacity = 10000;
  size_t max_batch = 256;
  std::chrono::milliseconds flush_interval{200};
  std::chrono::milliseconds enqueue_wait{20};
};

struct BatchWriterStats {
  uint64_t enqueued = 0;
  uint64_t written = 0;
  uint64_t overflows = 0;  // times the queue was full
  uint64_t failed = 0;     // records whose database write failed
  uint64_t queued = 0;     // waiting now
};

class BatchWriter {
 public:
  BatchWriter(store::Database& db, const AuditLog& log, BatchWriterOptions options = {});
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Starts the background thread. Without it, records are written only by Flush().
  void Start();
  // Writes everything queued and stops the thread.
  void Stop();

  void Enqueue(Json record);
  // Writes everything queued now, in batches. Returns the first write error.
  Status Flush();

  BatchWriterStats stats() const;

 private:
  void Run();
  Status WriteBatch(std::vector<Json> batch);

  store::Database& db_;
  const AuditLog& log_;
  const BatchWriterOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable room_;
  std::deque<Json> queue_;
  BatchWriterStats stats_;
  bool stopping_ = false;
  std::thread thread_;
  std::mutex write_mutex_;  // one batch at a time: batches would only queue on audit_head
};

}  // namespace broker::audit
