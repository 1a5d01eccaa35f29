#pragma once

// Internal layer of the verifier, shared by KeySet and by the Wycheproof test harness: keys bound
// to one algorithm each, an exact-match key ring, and verification of the compact JWS layer
// (size cap, format, strict base64url, UTF-8, strict JSON header, header profile, key lookup,
// signature). Claims and time live in jwt.cc. Not for use outside src/jwt/ and its tests.
//
// Thread-safety: Key and KeyRing are immutable after construction; all functions are
// reentrant.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "jwt/jwt.h"

using EVP_PKEY = struct evp_pkey_st;

namespace broker::jwt::internal {

// One verification (and possibly signing) key, bound to exactly one algorithm.
class Key {
 public:
  // HS256 over `secret` (no length policy here; see CheckHmacSecretStrength).
  static std::shared_ptr<const Key> Hmac(std::string secret, std::optional<std::string> kid);
  // RS256 or EdDSA over `pkey` (takes ownership). The algorithm follows the key type; an RSA
  // key gets RS256, an Ed25519 key EdDSA. Returns InvalidArgument for other key types.
  static Result<std::shared_ptr<const Key>> Asymmetric(EVP_PKEY* pkey,
                                                       std::optional<std::string> kid);
  ~Key();
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  Algorithm algorithm() const { return alg_; }
  const std::optional<std::string>& kid() const { return kid_; }
  bool can_sign() const { return can_sign_; }
  // Modulus size in bits for RSA, 256 for Ed25519 and HS256.
  int bits() const;

  // Signature over `input`; InvalidArgument if the key has no private part, Internal if
  // OpenSSL fails.
  Result<std::string> Sign(std::string_view input) const;
  // True iff `signature` is a valid signature of `input`: exact length for the algorithm
  // (32 bytes for HS256, the modulus length for RS256, 64 for EdDSA), HMAC compared in
  // constant time, RSA with PKCS#1 v1.5 and SHA-256.
  bool VerifySignature(std::string_view input, std::string_view signature) const;

  // The public JWK: kty, n, e (RSA) or crv, x (OKP), kid, alg, use. Null for HS256 keys,
  // which are never published.
  Json PublicJwk() const;

 private:
  Key() = default;
  Algorithm alg_ = Algorithm::kHS256;
  std::optional<std::string> kid_;
  std::string secret_;  // HS256 only
  EVP_PKEY* pkey_ = nullptr;
  bool can_sign_ = false;
};

// Keys by kid (exact byte match, in memory) plus at most one HS256 key without a kid.
class KeyRing {
 public:
  // InvalidArgument if two keys share a kid or two keys lack one.
  static Result<KeyRing> Build(std::vector<std::shared_ptr<const Key>> keys);

  // The key a token names: by `kid` if the header has one, else the kid-less HS256 key.
  // nullptr if there is none.
  const Key* Find(const std::optional<std::string>& kid) const;
  const std::vector<std::shared_ptr<const Key>>& keys() const { return keys_; }

 private:
  std::vector<std::shared_ptr<const Key>> keys_;
  std::map<std::string, const Key*, std::less<>> by_kid_;
  const Key* unnamed_ = nullptr;
};

struct JwsOptions {
  size_t max_token_bytes = 4096;
  // The Broker JWT profile: `typ` required, and the payload must be a UTF-8 JSON object.
  // Off only for the Wycheproof harness, whose payloads are arbitrary bytes and whose headers
  // carry no typ.
  bool jwt_profile = true;
};

struct VerifiedJws {
  Json header;
  std::string payload;  // decoded bytes
  Json payload_json;    // set when jwt_profile is on
  const Key* key = nullptr;
};

// Verifies the JWS layer of `token` against `ring`, in the order of SECURITY.md 1.1. On
// success fills `out` and returns nullopt; otherwise returns the reason.
std::optional<VerifyError> VerifyJws(std::string_view token, const KeyRing& ring,
                                     const JwsOptions& options, VerifiedJws* out);

// A key from a JWK: kty RSA (n, e; private if d is present, with all or none of p, q, dp, dq,
// qi), OKP/Ed25519 (x, optional d), or oct (k). The algorithm is the one our profile binds to
// the key type; a JWK `alg` that says otherwise, a `use` other than "sig", or `key_ops` naming
// encryption operations is InvalidArgument. Size and strength policy are not checked here.
Result<std::shared_ptr<const Key>> KeyFromJwk(const Json& jwk);

// A key from PEM text: a private key (PKCS#8 or PKCS#1) if `pem` holds one, else a public key
// (SPKI). InvalidArgument if it cannot be parsed.
Result<std::shared_ptr<const Key>> KeyFromPem(std::string_view pem, std::optional<std::string> kid);

// The RFC 7638 thumbprint (base64url SHA-256 of the canonical public JWK) of an RSA or OKP key.
std::string Thumbprint(const Key& key);

// A KeySet over `keys`: the first RS256/EdDSA key with a private part signs, else the first
// HS256 key; every key verifies. InvalidArgument if nothing can sign or kids collide. No
// strength policy here (FromConfig applies it).
Result<std::shared_ptr<const KeySet>> MakeKeySet(std::vector<std::shared_ptr<const Key>> keys);

// InvalidArgument unless `secret` is at least 32 bytes, has at least 8 distinct bytes, and is
// not a well-known weak secret (or a repetition of one), compared case-insensitively.
Status CheckHmacSecretStrength(std::string_view secret);

}  // namespace broker::jwt::internal
