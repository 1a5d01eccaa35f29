#pragma once

// Broker account tokens as JWTs: minting and strict verification.
//
// Verification follows the fixed profile of docs/security.md (shared SECURITY.md section 1.1),
// in this order: size cap -> format -> strict base64url -> UTF-8 -> strict JSON (no duplicate
// names, bounded depth) -> header profile (alg, typ, kid; no crit/jku/x5u/jwk/x5c/x5t/cty) ->
// key lookup (the algorithm comes from our key record, never from the token) -> signature
// (constant-time for HMAC) -> claim types (exactly client_id, exp, iat, nbf, jti, sub; integer
// dates) -> time (with leeway). Registry, allow and block checks are the caller's (accounts/).
//
// Thread-safety: a KeySet is immutable after construction; Sign and Verify may be called from
// any number of threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/secret.h"
#include "core/status.h"

namespace broker::jwt {

enum class Algorithm { kHS256, kRS256, kEdDSA };
std::string_view AlgorithmName(Algorithm alg);

// The six claims Broker issues, exactly.
struct Claims {
  std::string client_id;
  int64_t exp = 0;
  int64_t iat = 0;
  int64_t nbf = 0;
  std::string jti;
  std::string sub;
};

// Why a token was refused: for the operational and audit logs, never for the client, which
// always gets one generic 401.
enum class Rejection {
  kTooLarge,
  kMalformed,
  kBadEncoding,
  kBadUtf8,
  kBadJson,
  kBadHeader,
  kUnknownKey,
  kBadSignature,
  kBadClaims,
  kExpired,
  kNotYetValid,
  kIssuedInFuture,
  kLifetimeTooLong,
};
std::string_view RejectionName(Rejection reason);

struct VerifyError {
  Rejection reason;
  std::string detail;  // safe to log: never contains the token or key material
};

struct VerifyOptions {
  int64_t leeway_seconds = 30;              // clamped to 0..120
  int64_t max_lifetime_seconds = 31536000;  // exp - iat may not exceed this
  size_t max_token_bytes = 4096;
};

// The time part of verification alone (lifetime, exp, nbf, iat with leeway), for callers that
// remember tokens whose signature and claim types already passed VerifyDetailed: the result
// equals what VerifyDetailed would return for that token at `now`. nullopt when acceptable.
std::optional<VerifyError> CheckTimeClaims(const Claims& claims, int64_t now,
                                           const VerifyOptions& options);

class KeySet;

// Decodes a token's header and payload WITHOUT verifying anything, for the look-up feature
// ("paste a token into search") and `broker token decode`. nullopt if it is not a
// well-formed compact JWS.
struct Decoded {
  Json header;
  Json payload;
};
std::optional<Decoded> DecodeUnverified(std::string_view token);

class KeySet {
 public:
  // Loads the keys of the reference's settings: `jwt_keys_json` is the JWT_KEYS value, either a
  // JWKS document {"keys":[JWK...]} (RSA keys with private parts "d","p",..., OKP/Ed25519 keys,
  // oct keys; each with a "kid") or the reference's JSON array of {"kid","private"?,"public"}
  // PEM entries; `hs256_secret` is JWT_SECRET. An empty value counts as unset. The first
  // RS256/EdDSA key with a private part signs, else the HS256 secret; all keys verify, each
  // bound to its own algorithm. Refuses (returns InvalidArgument) invalid JSON, keys without a
  // kid or with duplicate kids, RSA keys under 2048 bits, JWKs whose alg/use/key_ops say
  // something else than signing with our algorithm, mismatched private/public parts, HS secrets
  // under 32 bytes or on the weak list (see docs/jwt.md), and a key set that can sign nothing.
  static Result<std::shared_ptr<const KeySet>> FromConfig(
      const std::optional<SecretString>& jwt_keys_json,
      const std::optional<SecretString>& hs256_secret);

  // The embedded default: loads `<data_dir>/jwt-signing-key.pem` (RSA private key, PKCS#8
  // PEM), creating an RSA-2048 key there with mode 0600 on first use. kid is derived from the
  // public key (RFC 7638 thumbprint). Unavailable if the file cannot be read or written,
  // FailedPrecondition if it is readable by group or others, InvalidArgument if it does not
  // hold an RSA private key of at least 2048 bits.
  static Result<std::shared_ptr<const KeySet>> LoadOrCreateInDataDir(const std::string& data_dir);

  virtual ~KeySet() = default;

  // Signs `claims` with the signing key. Header: {"alg","typ":"JWT"[,"kid"]} and nothing else;
  // claims in the order client_id, exp, iat, nbf, jti, sub. InvalidArgument for claims the
  // verifier would refuse (empty or control characters in strings, jti not a lower-case UUID,
  // dates outside 0..253402300799, nbf or iat after exp, token over 4 KiB).
  virtual Result<SecretString> Sign(const Claims& claims) const = 0;

  // Verifies `token` at time `now` (Unix seconds) under the profile above. Any failure is
  // Unauthenticated("Unauthorized") with the Rejection name and detail as internal message.
  virtual Result<Claims> Verify(std::string_view token, int64_t now,
                                const VerifyOptions& options) const = 0;
  // The same, returning the precise reason on failure.
  virtual std::optional<VerifyError> VerifyDetailed(std::string_view token, int64_t now,
                                                    const VerifyOptions& options,
                                                    Claims* claims_out) const = 0;

  // {"keys":[...]} with public members only (kty, n, e, kid, alg, use; crv and x for OKP).
  // HS256 keys are never listed.
  virtual Json Jwks() const = 0;

  virtual Algorithm signing_algorithm() const = 0;
};

}  // namespace broker::jwt
