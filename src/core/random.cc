#include "core/random.h"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "core/encoding.h"

namespace broker {

std::string Random::Base64UrlToken(size_t n) {
  std::vector<uint8_t> bytes(n);
  Fill(bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), n));
}

std::string Random::Uuid4() {
  std::array<uint8_t, 16> b{};
  Fill(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

void OsRandom::Fill(std::span<uint8_t> out) {
  // sodium_init is idempotent and thread-safe; it fails only if /dev/urandom is missing, and
  // then no secret we mint could be trusted.
  if (sodium_init() < 0) std::abort();
  randombytes_buf(out.data(), out.size());
}

OsRandom& OsRandom::Instance() {
  static OsRandom random;
  return random;
}

}  // namespace broker
