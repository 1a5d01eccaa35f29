#pragma once

// Encryption at rest for the local tools store and the delivery outbox: XChaCha20-Poly1305
// (libsodium crypto_aead_xchacha20poly1305_ietf) under one 32-byte key, a random 24-byte nonce
// per value, and associated data that binds each ciphertext to where it belongs (path + key),
// so a ciphertext copied to another row does not decrypt.
//
// The key lives in a file (normally "<data_dir>/tools-store.key") created on first start with
// O_CREAT|O_EXCL and mode 0600. Thread-safe after construction.

#include <memory>
#include <string>
#include <string_view>

#include "core/secret.h"
#include "core/status.h"

namespace broker::secrets {

class Sealer {
 public:
  // Loads the key from `key_file`, creating it (random key, mode 0600) if it does not exist.
  // Errors: FailedPrecondition if the file exists with the wrong size or is readable by group
  // or others; Unavailable if it cannot be created or read. Messages name the file, never the
  // key.
  static Result<std::unique_ptr<Sealer>> OpenKeyFile(const std::string& key_file);
  // For tests: a sealer over a given 32-byte key.
  static std::unique_ptr<Sealer> FromKey(const SecretString& key);

  ~Sealer();
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  // base64(nonce || ciphertext || tag).
  std::string Seal(const SecretString& plaintext, std::string_view associated_data) const;
  // Internal (never the plaintext) if the text is malformed, or the associated data or key
  // does not match.
  Result<SecretString> Open(std::string_view sealed, std::string_view associated_data) const;

 private:
  explicit Sealer(const SecretString& key);
  unsigned char* key_;  // sodium_malloc'ed, locked, wiped on destruction
};

}  // namespace broker::secrets
