#pragma once

// Shared fixtures for the jwt tests: the templates V_HS and V_RS of SECURITY.md 1.2 at
// T0 = 1_800_000_000, the keys that sign them, and helpers to build attack tokens.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jwt/jws.h"
#include "jwt/jwt.h"

using EVP_PKEY = struct evp_pkey_st;
using EVP_MD = struct evp_md_st;

namespace broker::jwt::testing {

inline constexpr int64_t kT0 = 1'800'000'000;
inline constexpr char kHsSecret[] = "q7Zt1cV4pL9sXw2mN8bR5yK3hF6gD0aJ";  // 32 bytes
inline constexpr char kClientId[] = "33098695-4a5a-497c-a36a-61691785845c";
inline constexpr char kJti[] = "0b5b3c9e-8f2a-4d51-9c1e-2f6a7d8e9f01";
inline constexpr char kSub[] = "localhost@example.com";

struct TestKeys {
  EVP_PKEY* rsa = nullptr;                      // the real RS256 key, kid "k1" (2048 bits)
  EVP_PKEY* attacker = nullptr;                 // an RSA key nobody configured
  EVP_PKEY* ec = nullptr;                       // P-256, for ES256 rows
  EVP_PKEY* ed = nullptr;                       // Ed25519, for EdDSA rows
  std::shared_ptr<const internal::Key> rs_key;  // from `rsa`, kid "k1"
  std::shared_ptr<const internal::Key> hs_key;  // kHsSecret, no kid
  std::shared_ptr<const KeySet> keys;           // HS256 + RS256 (k1): what the server holds
};

// Generated once per process.
const TestKeys& Keys();

// Unpadded base64url.
std::string B64(std::string_view bytes);

// "b64(header).b64(payload).b64(signature over the two)" with `signer`.
std::string Token(std::string_view header, std::string_view payload, const internal::Key& signer);
// The same with pre-encoded segments (for encoding attacks): signs "h.p" as given.
std::string TokenRaw(std::string_view h, std::string_view p, const internal::Key& signer);

// The payload of the templates, with claim values given as raw JSON text. `overrides` replaces
// a claim's raw value, or removes it when nullopt; names not in the template are appended.
std::string Payload(const std::map<std::string, std::optional<std::string>>& overrides = {});

inline constexpr char kHsHeader[] = R"({"alg":"HS256","typ":"JWT"})";
inline constexpr char kRsHeader[] = R"({"alg":"RS256","typ":"JWT","kid":"k1"})";

std::string ValidHs();  // V_HS
std::string ValidRs();  // V_RS

// Raw signatures for off-profile algorithms. `md` null for Ed25519; `pss` selects RSA-PSS.
std::string SignRaw(EVP_PKEY* pkey, const EVP_MD* md, bool pss, std::string_view input);
std::string HmacRaw(const EVP_MD* md, std::string_view key, std::string_view input);

// Encodings of the public half of `Keys().rsa`.
std::string RsaPublicPem(bool pkcs1);  // SPKI or PKCS#1 PEM
std::string RsaPublicDer(bool pkcs1);

// The PEM (PKCS#8) of a private key, for JWT_KEYS fixtures.
std::string PrivatePem(EVP_PKEY* pkey);
// A new RSA key of `bits` bits.
EVP_PKEY* NewRsaKey(unsigned int bits);

}  // namespace broker::jwt::testing
