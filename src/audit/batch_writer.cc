#include "audit/batch_writer.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace broker::audit {

BatchWriter::BatchWriter(store::Database& db, const AuditLog& log, BatchWriterOptions options)
    : db_(db), log_(log), options_(options) {}

BatchWriter::~BatchWriter() { Stop(); }

void BatchWriter::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void BatchWriter::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)Flush();
}

void BatchWriter::Enqueue(Json record) {
  std::unique_lock lock(mutex_);
  ++stats_.enqueued;
  bool has_room = queue_.size() < options_.capacity;
  if (!has_room) {
    ++stats_.overflows;
    has_room = room_.wait_for(lock, options_.enqueue_wait,
                              [&] { return queue_.size() < options_.capacity; });
  }
  if (has_room) {
    queue_.push_back(std::move(record));
    if (queue_.size() >= options_.max_batch) wake_.notify_one();
    return;
  }
  lock.unlock();
  // The queue stayed full: write this record synchronously rather than lose it.
  (void)WriteBatch({std::move(record)});
}

Status BatchWriter::Flush() {
  Status first = OkStatus();
  for (;;) {
    std::vector<Json> batch;
    {
      std::lock_guard lock(mutex_);
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    room_.notify_all();
    if (batch.empty()) return first;
    Status status = WriteBatch(std::move(batch));
    if (first.ok() && !status.ok()) first = std::move(status);
  }
}

Status BatchWriter::WriteBatch(std::vector<Json> batch) {
  std::lock_guard write_lock(write_mutex_);
  const size_t count = batch.size();
  Status status = log_.AppendBatch(db_, std::move(batch));
  std::lock_guard lock(mutex_);
  if (status.ok()) {
    stats_.written += count;
  } else {
    stats_.failed += count;
    spdlog::error("audit: {} authentication records could not be written: {}", count,
                  status.error().ToString());
  }
  return status;
}

void BatchWriter::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.flush_interval,
                   [&] { return stopping_ || queue_.size() >= options_.max_batch; });
    lock.unlock();
    (void)Flush();
    lock.lock();
  }
}

BatchWriterStats BatchWriter::stats() const {
  std::lock_guard lock(mutex_);
  BatchWriterStats copy = stats_;
  copy.queued = queue_.size();
  return copy;
}

}  // namespace broker::audit
