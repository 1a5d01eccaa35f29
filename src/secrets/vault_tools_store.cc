#include "secrets/vault_tools_store.h"

#include <cstring>

namespace broker::secrets {
namespace {

bool IsGenerationKey(const std::string& key) { return key.rfind(kGenerationKeyPrefix, 0) == 0; }

// Converts "data.data" to a ToolsSecret. Non-string values are kept as their JSON text.
ToolsSecret ToSecret(const KvRecord& record) {
  ToolsSecret secret;
  secret.version = record.version;
  for (const auto& [key, value] : record.data.items()) {
    if (IsGenerationKey(key)) {
      if (value.is_number_integer()) {
        secret.generations[key.substr(std::strlen(kGenerationKeyPrefix))] = value.get<int64_t>();
      }
      continue;
    }
    secret.data.emplace(key,
                        SecretString(value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return secret;
}

Json PatchFor(const std::string& key, const SecretString& value, const WriteOptions& options) {
  Json data = Json::object();
  data[key] = value.RevealForUse();
  if (options.generation) data[kGenerationKeyPrefix + key] = *options.generation;
  return data;
}

}  // namespace

Result<ToolsSecret> VaultToolsStore::Read(const std::string& path) {
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(path));
  BROKER_ASSIGN_OR_RETURN(KvRecord record, client_.KvRead(path));
  return ToSecret(record);
}

Result<WriteResult> VaultToolsStore::Write(const std::string& path, const std::string& key,
                                           const SecretString& value, const WriteOptions& options) {
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(path));
  BROKER_RETURN_IF_ERROR(ValidateToolsKey(key));
  if (IsGenerationKey(key)) return InvalidArgument("Invalid secret key");
  for (int attempt = 1;; ++attempt) {
    auto result = TryWrite(path, key, value, options);
    if (result.ok() || result.error().code() != ErrorCode::kAborted) return result;
    if (attempt >= max_cas_attempts_) {
      return Aborted(
          "Too many concurrent writers",
          "vault write to " + path + ": check-and-set lost " + std::to_string(attempt) + " times");
    }
  }
}

Result<WriteResult> VaultToolsStore::TryWrite(const std::string& path, const std::string& key,
                                              const SecretString& value,
                                              const WriteOptions& options) {
  int64_t deleted_version = 0;
  auto current = client_.KvRead(path, &deleted_version);
  if (!current.ok() && current.error().code() != ErrorCode::kNotFound) {
    return std::move(current).error();
  }
  Json patch = PatchFor(key, value, options);
  if (!current.ok()) {
    // Absent (or latest version deleted): create, unless someone else creates first.
    BROKER_ASSIGN_OR_RETURN(int64_t version, client_.KvCreate(path, patch, deleted_version));
    return WriteResult{version};
  }
  ToolsSecret existing = ToSecret(*current);
  auto stored = existing.generations.find(key);
  if (options.generation && stored != existing.generations.end() &&
      stored->second > *options.generation) {
    return FailedPrecondition(kSupersededMessage,
                              "generation " + std::to_string(*options.generation) + " < stored " +
                                  std::to_string(stored->second) + " at " + path);
  }
  auto version = client_.KvPatch(path, patch, current->version);
  // A 404 here means the secret was deleted between our read and patch: go round again.
  if (!version.ok() && version.error().code() == ErrorCode::kNotFound) {
    return Aborted("Vault secret changed during the write");
  }
  BROKER_ASSIGN_OR_RETURN(int64_t new_version, std::move(version));
  return WriteResult{new_version};
}

Result<std::vector<std::string>> VaultToolsStore::List(const std::string& prefix) {
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(prefix));
  return client_.KvList(prefix);
}

}  // namespace broker::secrets
