#pragma once

// Randomness, injected. Production uses the operating system's CSPRNG (libsodium's
// randombytes); tests may substitute a deterministic source.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace broker {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes. Must not fail; a CSPRNG that cannot deliver aborts.
  virtual void Fill(std::span<uint8_t> out) = 0;

  // `n` random bytes encoded as unpadded base64url: for opaque secrets (sessions, CSRF,
  // intention tokens).
  std::string Base64UrlToken(size_t n);
  // A random UUID version 4 in canonical lower-case form.
  std::string Uuid4();
};

// The operating system CSPRNG. Thread-safe.
class OsRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override;
  static OsRandom& Instance();
};

}  // namespace broker
