#include "users/password.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace broker::users {

class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& hasher) : hasher_(hasher) { hasher_.Acquire(); }
  ~Slot() { hasher_.Release(); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  PasswordHasher& hasher_;
};

PasswordHasher::PasswordHasher(PasswordPolicy policy) : policy_(policy) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

void PasswordHasher::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return running_ < policy_.max_concurrent; });
  ++running_;
}

void PasswordHasher::Release() {
  {
    std::lock_guard lock(mu_);
    --running_;
  }
  cv_.notify_one();
}

Result<std::string> PasswordHasher::Hash(const SecretString& password) {
  const std::string& plain = password.RevealForUse();
  if (plain.size() < policy_.min_length) {
    return InvalidArgument("Password must have at least " + std::to_string(policy_.min_length) +
                           " characters");
  }
  if (plain.size() > policy_.max_length) return InvalidArgument("Password is too long");
  char out[crypto_pwhash_STRBYTES];
  Slot slot(*this);
  int rc = crypto_pwhash_str_alg(out, plain.data(), plain.size(), policy_.opslimit,
                                 policy_.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13);
  if (rc != 0) return Internal("crypto_pwhash_str_alg failed (out of memory?)");
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded, const SecretString& password) {
  // crypto_pwhash_str_verify needs a NUL-terminated string.
  std::string hash(encoded);
  const std::string& plain = password.RevealForUse();
  if (plain.size() > policy_.max_length) {
    DummyVerify(SecretString(std::string()));
    return false;
  }
  Slot slot(*this);
  return crypto_pwhash_str_verify(hash.c_str(), plain.data(), plain.size()) == 0;
}

void PasswordHasher::DummyVerify(const SecretString& password) {
  std::call_once(dummy_once_, [this] {
    char out[crypto_pwhash_STRBYTES];
    const char kDummy[] = "broker-dummy-password";
    Slot slot(*this);
    if (crypto_pwhash_str_alg(out, kDummy, sizeof kDummy - 1, policy_.opslimit,
                              policy_.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13) == 0) {
      dummy_hash_ = out;
    }
  });
  const std::string& plain = password.RevealForUse();
  size_t used = std::min(plain.size(), policy_.max_length);
  Slot slot(*this);
  // The answer is irrelevant; only the time spent matters.
  int ignored = crypto_pwhash_str_verify(dummy_hash_.c_str(), plain.data(), used);
  (void)ignored;
}

}  // namespace broker::users
