#include "secrets/tools_store.h"

#include <string_view>

namespace broker::secrets {

bool IsSuperseded(const Error& error) {
  return error.code() == ErrorCode::kFailedPrecondition && error.message() == kSupersededMessage;
}

Status ValidateToolsPath(const std::string& path) {
  if (path.empty() || path.size() > 512) return InvalidArgument("Invalid tools path");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view segment(path.data() + start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return InvalidArgument("Invalid tools path");
    }
    for (char c : segment) {
      bool printable = c > 0x20 && c < 0x7f;
      if (!printable || c == '?' || c == '#' || c == '%' || c == '\\') {
        return InvalidArgument("Invalid tools path");
      }
    }
    start = end + 1;
  }
  return OkStatus();
}

Status ValidateToolsKey(const std::string& key) {
  if (key.empty() || key.size() > 256) return InvalidArgument("Invalid secret key");
  for (char c : key) {
    if (c < 0x20 || c > 0x7e) return InvalidArgument("Invalid secret key");
  }
  return OkStatus();
}

}  // namespace broker::secrets
