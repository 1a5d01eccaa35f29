#pragma once

// Copies committed audit records from the database to JSON-lines files, at least once.
//
// Records are appended to `<directory>/audit-YYYY-MM-DD.log` (UTC date of shipping), one record
// per line, each line ending in a newline. The file is flushed and fsync'ed before the last
// shipped sequence is saved in `audit_ship_state`, so a crash can only repeat records, never
// skip them; consumers dedupe by `sequence`. When a file would grow past `max_file_bytes` it is
// renamed to `audit-YYYY-MM-DD.log.1` (older ones shift to .2, .3, ...), and only the newest
// `keep_files` rotated or dated files are kept.
//
// Thread-safety: ShipOnce must not run concurrently with itself; Start/Stop run it on a thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace broker::audit {

struct ShipperOptions {
  std::string directory;
  uint64_t max_file_bytes = 50ull * 1024 * 1024;
  int keep_files = 7;
  int64_t batch = 500;
  std::string sink = "file";  // key in audit_ship_state
  std::chrono::milliseconds interval{1000};
};

class FileShipper {
 public:
  FileShipper(store::Database& db, const Clock& clock, ShipperOptions options);
  ~FileShipper();
  FileShipper(const FileShipper&) = delete;
  FileShipper& operator=(const FileShipper&) = delete;

  // Ships every committed record after the last shipped one. Returns how many were written.
  // Unavailable if the file cannot be written (nothing is marked shipped then).
  Result<int64_t> ShipOnce();
  // The last sequence recorded as shipped (0 before any).
  Result<int64_t> LastShipped();

  void Start();
  void Stop();  // ships once more before returning

 private:
  Result<int64_t> ShipBatch(int64_t after);
  Status AppendLines(const std::string& text);
  void Rotate(const std::string& path);
  void PruneOldFiles();

  store::Database& db_;
  const Clock& clock_;
  const ShipperOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace broker::audit
