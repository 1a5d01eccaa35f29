#pragma once

// Argon2id password hashing (libsodium crypto_pwhash_str). At most `max_concurrent` hashes run
// at once, so a burst of logins cannot exhaust memory (each needs `memlimit_bytes`).

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>

#include "core/secret.h"
#include "core/status.h"

namespace broker::users {

struct PasswordPolicy {
  unsigned long long opslimit = 2;                   // Argon2id t (SECURITY.md 3.5: t >= 2)
  size_t memlimit_bytes = size_t{19} * 1024 * 1024;  // m >= 19 MiB
  int max_concurrent = 4;
  size_t min_length = 8;
  size_t max_length = 1024;
};

// Thread-safe.
class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordPolicy policy = {});

  // The encoded "$argon2id$..." string. InvalidArgument for a password shorter than
  // min_length or longer than max_length; Internal if libsodium runs out of memory.
  Result<std::string> Hash(const SecretString& password);
  // True when `encoded` is a hash of `password` (constant time in libsodium).
  bool Verify(std::string_view encoded, const SecretString& password);
  // Spends the same work as Verify on a fixed dummy hash, so that an unknown user takes as long
  // as a wrong password.
  void DummyVerify(const SecretString& password);

 private:
  class Slot;
  void Acquire();
  void Release();

  PasswordPolicy policy_;
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace broker::users
