#pragma once

// The "tools" space: per-service secrets (path "tools/<project>/<service>") where Broker writes
// each account token under the key "broker-jwt:<client_id>". Two implementations share this
// contract (and one contract test suite): VaultToolsStore (HashiCorp Vault KV v2, mount "apps")
// and LocalToolsStore (encrypted rows in Broker's own database).
//
// Ordering: a writer passes a monotonic `generation` with each value. The store keeps the
// generation next to the key, atomically with the value, and refuses to replace a value of a
// newer generation, so two racing writers can never make an older token win.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/secret.h"
#include "core/status.h"

namespace broker::secrets {

struct ToolsSecret {
  std::map<std::string, SecretString> data;    // the user-visible keys and values
  std::map<std::string, int64_t> generations;  // generation of each key written with one
  int64_t version = 0;                         // the store's version of the whole path (>= 1)
};

struct WriteOptions {
  // When set, the write is refused if the key already holds a newer generation. An equal
  // generation is rewritten (idempotent retry).
  std::optional<int64_t> generation;
};

struct WriteResult {
  int64_t version = 0;  // the path's version after the write
};

// The public message of the FailedPrecondition a superseded write returns.
inline constexpr char kSupersededMessage[] = "A newer generation is already stored";

class ToolsStore {
 public:
  virtual ~ToolsStore() = default;

  // The current keys of `path`. Errors: NotFound (no such path, or its latest version is
  // deleted), InvalidArgument (malformed path), PermissionDenied, Unavailable.
  virtual Result<ToolsSecret> Read(const std::string& path) = 0;

  // Sets `key` to `value` at `path`, creating the path if needed and keeping its other keys.
  // Errors: FailedPrecondition with kSupersededMessage (a newer generation is stored),
  // Aborted (lost too many check-and-set races in a row), InvalidArgument, PermissionDenied,
  // Unavailable. Never puts `value` in an error.
  virtual Result<WriteResult> Write(const std::string& path, const std::string& key,
                                    const SecretString& value, const WriteOptions& options) = 0;

  // The names directly below `prefix` ("tools/p" -> ["svc1", "svc2/"]; folders end in '/'),
  // sorted. Errors: NotFound (nothing below), PermissionDenied, Unavailable.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
};

// True if `error` is the refusal of a write that a newer generation superseded.
bool IsSuperseded(const Error& error);

// Checks a tools path: non-empty segments separated by '/', no "." or ".." segments, no
// leading or trailing '/', printable ASCII without '?', '#', '%' or '\\'. InvalidArgument.
Status ValidateToolsPath(const std::string& path);

// Checks a key: 1..256 printable ASCII characters. InvalidArgument.
Status ValidateToolsKey(const std::string& key);

}  // namespace broker::secrets
