#pragma once

// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with everything in it when the
// object is destroyed.
//
//   broker::testing::TempDir dir;
//   std::string db_url = "sqlite:" + dir.File("broker.db");

#include <filesystem>
#include <string>
#include <string_view>

namespace broker::testing {

class TempDir {
 public:
  // Creates the directory; throws std::runtime_error if it cannot.
  explicit TempDir(std::string_view prefix = "broker-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (the file is not created).
  std::string File(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace broker::testing
