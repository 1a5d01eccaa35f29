#pragma once

// ToolsStore over Vault KV v2. Each key written with a generation gets a companion key
// "__generation:<key>" holding that number in the same secret version, so the generation check
// and the value change are one atomic check-and-set write. Read() hides companion keys.
//
// Write: read the latest version (GET data), refuse if the stored generation is newer, then
// PATCH with cas=<version> (or POST with cas=0 / cas=<deleted version> when absent). A
// check-and-set mismatch means another writer won the race: re-read and retry, at most
// `max_cas_attempts` times, then Aborted.

#include <string>
#include <vector>

#include "secrets/tools_store.h"
#include "secrets/vault_client.h"

namespace broker::secrets {

inline constexpr char kGenerationKeyPrefix[] = "__generation:";

class VaultToolsStore final : public ToolsStore {
 public:
  explicit VaultToolsStore(VaultClient& client, int max_cas_attempts = 8)
      : client_(client), max_cas_attempts_(max_cas_attempts) {}

  Result<ToolsSecret> Read(const std::string& path) override;
  Result<WriteResult> Write(const std::string& path, const std::string& key,
                            const SecretString& value, const WriteOptions& options) override;
  Result<std::vector<std::string>> List(const std::string& prefix) override;

 private:
  // One read-check-write round. Aborted when the check-and-set lost.
  Result<WriteResult> TryWrite(const std::string& path, const std::string& key,
                               const SecretString& value, const WriteOptions& options);

  VaultClient& client_;
  int max_cas_attempts_;
};

}  // namespace broker::secrets
