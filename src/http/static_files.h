#pragma once

// Serves a directory (the built web UI, web/dist) for GET and HEAD, with single-page-app
// routing: an unknown path outside the API prefixes gets index.html.
//
// - Content types by extension: html, js, css, svg, png, ico, json, woff2, map, txt; anything
//   else is application/octet-stream.
// - index.html is served with `Cache-Control: no-store`; files under /assets/ (content-hashed
//   names from the bundler) with `public, max-age=31536000, immutable`; other files get the
//   server default (no-store).
// - The request path is resolved under the canonical root and must stay there after symlinks
//   are followed; "." and ".." segments, backslashes and NUL are refused with 404.
// - Files are read from disk on each request (no precompressed variants, no caching in memory).

#include <filesystem>
#include <string>
#include <vector>

#include "http/router.h"

namespace broker::http {

struct StaticFilesOptions {
  std::filesystem::path root;
  // Paths starting with one of these never fall back to index.html (they answer 404).
  std::vector<std::string> api_prefixes = {"/v1/", "/auth/", "/.well-known/"};
  bool spa_fallback = true;
};

// A handler (typically the Router fallback). Other methods than GET/HEAD answer 405. A missing
// root or index.html answers 404. Thread-safe.
Handler StaticFiles(StaticFilesOptions options);

// The Content-Type for a file name's extension.
std::string_view ContentTypeFor(const std::filesystem::path& file);

}  // namespace broker::http
