#include "http/static_files.h"

#include <fstream>
#include <sstream>

namespace broker::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool IsSafeRequestPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

// The regular file `path` names under `root`, or nullopt if it is missing, not a regular file,
// or resolves (through symlinks) outside `root`.
std::optional<fs::path> Resolve(const fs::path& root, std::string_view path) {
  std::error_code ec;
  fs::path candidate = fs::canonical(root / fs::path(path.substr(1)), ec);
  if (ec) return std::nullopt;
  auto [root_end, unused] =
      std::mismatch(root.begin(), root.end(), candidate.begin(), candidate.end());
  if (root_end != root.end()) return std::nullopt;
  if (!fs::is_regular_file(candidate, ec)) return std::nullopt;
  return candidate;
}

std::optional<std::string> ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

Response ServeFile(const fs::path& file, std::string_view cache_control) {
  auto content = ReadFile(file);
  if (!content) return Response::FromError(NotFound("Not found"));
  Response response;
  response.body = std::move(*content);
  response.SetHeader("Content-Type", std::string(ContentTypeFor(file)));
  if (!cache_control.empty()) response.SetHeader("Cache-Control", std::string(cache_control));
  return response;
}

class StaticFilesHandler {
 public:
  explicit StaticFilesHandler(StaticFilesOptions options) : options_(std::move(options)) {
    std::error_code ec;
    root_ = fs::weakly_canonical(options_.root, ec);
    if (ec) root_ = options_.root;
  }

  Response operator()(const Request& request) const {
    if (request.method != Method::kGet && request.method != Method::kHead) {
      return Response::Envelope(405, "Method not allowed");
    }
    if (!IsSafeRequestPath(request.path)) return Response::FromError(NotFound("Not found"));
    if (request.path != "/") {
      if (auto file = Resolve(root_, request.path)) {
        bool is_index = file->filename() == "index.html";
        return ServeFile(*file, is_index                               ? "no-store"
                                : StartsWith(request.path, "/assets/") ? kImmutable
                                                                       : "");
      }
    }
    if (!WantsIndex(request.path)) return Response::FromError(NotFound("Not found"));
    auto index = Resolve(root_, "/index.html");
    if (!index) return Response::FromError(NotFound("Not found"));
    return ServeFile(*index, "no-store");
  }

 private:
  bool WantsIndex(std::string_view path) const {
    if (path == "/") return true;
    if (!options_.spa_fallback) return false;
    for (const auto& prefix : options_.api_prefixes) {
      if (StartsWith(path, prefix)) return false;
    }
    // Missing hashed assets must not turn into HTML that the browser then runs as a script.
    return !StartsWith(path, "/assets/");
  }

  StaticFilesOptions options_;
  fs::path root_;
};

}  // namespace

std::string_view ContentTypeFor(const fs::path& file) {
  std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".map") return "application/json";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

Handler StaticFiles(StaticFilesOptions options) {
  auto handler = std::make_shared<const StaticFilesHandler>(std::move(options));
  return [handler](const Request& request) { return (*handler)(request); };
}

}  // namespace broker::http
