#include "audit/shipper.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "audit/audit_log.h"
#include "core/time_format.h"

namespace broker::audit {
namespace {

namespace fs = std::filesystem;

std::string FileNameFor(UnixMillis now) {
  return "audit-" + FormatIso8601(now).substr(0, 10) + ".log";
}

Status WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable("audit file write failed", std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return Unavailable("audit file sync failed", std::strerror(errno));
  return OkStatus();
}

}  // namespace

FileShipper::FileShipper(store::Database& db, const Clock& clock, ShipperOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {}

FileShipper::~FileShipper() { Stop(); }

Result<int64_t> FileShipper::LastShipped() {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      db_.Execute("SELECT last_sequence FROM audit_ship_state WHERE sink = $1", {options_.sink}));
  return rs.empty() ? int64_t{0} : rs.rows[0].Int(0);
}

Result<int64_t> FileShipper::ShipOnce() {
  BROKER_ASSIGN_OR_RETURN(int64_t after, LastShipped());
  int64_t total = 0;
  for (;;) {
    BROKER_ASSIGN_OR_RETURN(int64_t shipped, ShipBatch(after));
    total += shipped;
    after += shipped;
    if (shipped < options_.batch) return total;
  }
}

Result<int64_t> FileShipper::ShipBatch(int64_t after) {
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rs,
      db_.Execute("SELECT sequence, prev_hash, hash, record FROM audit_log WHERE sequence > $1 "
                  "ORDER BY sequence LIMIT $2",
                  {after, options_.batch}));
  if (rs.empty()) return int64_t{0};
  std::string text;
  int64_t last = after;
  for (const store::Row& row : rs.rows) {
    StoredRecord record{row.Int(0), row.Text(1), row.Text(2), row.Text(3)};
    if (record.sequence != last + 1) break;  // a gap: an append has not committed yet
    text += ShippedLine(record) + "\n";
    last = record.sequence;
  }
  if (last == after) return int64_t{0};
  BROKER_RETURN_IF_ERROR(AppendLines(text));
  BROKER_RETURN_IF_ERROR(
      db_.Execute("INSERT INTO audit_ship_state (sink, last_sequence) VALUES ($1, $2) "
                  "ON CONFLICT (sink) DO UPDATE SET last_sequence = excluded.last_sequence",
                  {options_.sink, last}));
  return last - after;
}

Status FileShipper::AppendLines(const std::string& text) {
  std::error_code ec;
  fs::create_directories(options_.directory, ec);
  const std::string path = (fs::path(options_.directory) / FileNameFor(clock_.NowMillis()));
  const uint64_t size = fs::exists(path, ec) ? fs::file_size(path, ec) : 0;
  if (size > 0 && size + text.size() > options_.max_file_bytes) Rotate(path);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Unavailable("audit file cannot be opened", std::strerror(errno));
  Status status = WriteAll(fd, text);
  ::close(fd);
  return status;
}

void FileShipper::Rotate(const std::string& path) {
  std::error_code ec;
  for (int i = options_.keep_files; i >= 1; --i) {
    const std::string from = path + "." + std::to_string(i);
    if (!fs::exists(from, ec)) continue;
    if (i == options_.keep_files) {
      fs::remove(from, ec);
    } else {
      fs::rename(from, path + "." + std::to_string(i + 1), ec);
    }
  }
  fs::rename(path, path + ".1", ec);
  PruneOldFiles();
}

void FileShipper::PruneOldFiles() {
  std::error_code ec;
  std::vector<fs::directory_entry> files;
  for (const auto& entry : fs::directory_iterator(options_.directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("audit-", 0) == 0 && name.find(".log") != std::string::npos) {
      files.push_back(entry);
    }
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.last_write_time() > b.last_write_time(); });
  // The current file plus `keep_files` older ones.
  for (size_t i = static_cast<size_t>(options_.keep_files) + 1; i < files.size(); ++i) {
    fs::remove(files[i].path(), ec);
  }
}

void FileShipper::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock guard(mutex_);
    while (!stopping_) {
      wake_.wait_for(guard, options_.interval, [&] { return stopping_; });
      guard.unlock();
      auto shipped = ShipOnce();
      if (!shipped.ok()) spdlog::warn("audit shipper: {}", shipped.error().ToString());
      guard.lock();
    }
  });
}

void FileShipper::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  (void)ShipOnce();
}

}  // namespace broker::audit
