// KeySet: the Broker JWT profile on top of the JWS layer (jws.cc): the six claims, integer
// dates, time with leeway; minting; key configuration.

#include "jwt/jwt.h"

#include <algorithm>
#include <cctype>

#include "core/encoding.h"
#include "core/ids.h"
#include "jwt/jws.h"

namespace broker::jwt {
namespace {

using internal::Key;
using internal::KeyRing;

// 9999-12-31T23:59:59Z: larger dates (2^53, 2^63 - 1, year 10000) are refused, which also keeps
// every sum below far from overflow.
constexpr int64_t kMaxDate = 253402300799;
constexpr int64_t kMaxLeeway = 120;
constexpr size_t kMaxClaimBytes = 1024;
constexpr const char* kClaimNames[] = {"client_id", "exp", "iat", "nbf", "jti", "sub"};

VerifyError Reject(Rejection reason, std::string detail) { return {reason, std::move(detail)}; }

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

bool IsCanonicalUuid(std::string_view s) {
  return IsUuid(s) && std::none_of(s.begin(), s.end(), [](char c) {
           return std::isupper(static_cast<unsigned char>(c)) != 0;
         });
}

std::optional<VerifyError> CheckString(std::string_view name, std::string_view value) {
  if (value.empty() || value.size() > kMaxClaimBytes || HasControlCharacter(value) ||
      !IsValidUtf8(value)) {
    return Reject(Rejection::kBadClaims, std::string(name) + " empty, too long or not text");
  }
  return std::nullopt;
}

// The value rules shared by Sign and Verify, so that everything we sign also verifies.
std::optional<VerifyError> CheckClaimValues(const Claims& c) {
  if (auto e = CheckString("client_id", c.client_id)) return e;
  if (auto e = CheckString("sub", c.sub)) return e;
  if (!IsCanonicalUuid(c.jti)) return Reject(Rejection::kBadClaims, "jti is not a canonical UUID");
  for (int64_t date : {c.exp, c.iat, c.nbf}) {
    if (date < 0 || date > kMaxDate) return Reject(Rejection::kBadClaims, "date out of range");
  }
  if (c.nbf > c.exp) return Reject(Rejection::kBadClaims, "nbf after exp");
  if (c.iat > c.exp) return Reject(Rejection::kBadClaims, "iat after exp");
  return std::nullopt;
}

std::optional<VerifyError> ReadString(const Json& payload, const char* name, std::string* out) {
  const Json& value = payload.at(name);
  if (!value.is_string()) return Reject(Rejection::kBadClaims, std::string(name) + " not a string");
  *out = value.get<std::string>();
  return std::nullopt;
}

// NumericDate as a JSON integer only. nlohmann keeps a number written with '-' (even "-0") as
// a signed integer, and one written as 1.8e9 or 1800000000.0 as a float, so requiring the
// unsigned kind refuses negatives, -0, floats, exponents and numeric strings together.
std::optional<VerifyError> ReadDate(const Json& payload, const char* name, int64_t* out) {
  const Json& value = payload.at(name);
  if (!value.is_number_unsigned() || value.get<uint64_t>() > static_cast<uint64_t>(kMaxDate)) {
    return Reject(Rejection::kBadClaims, std::string(name) + " not an integer date in range");
  }
  *out = static_cast<int64_t>(value.get<uint64_t>());
  return std::nullopt;
}

std::optional<VerifyError> ReadClaims(const Json& payload, Claims* c) {
  for (const auto& item : payload.items()) {
    if (std::none_of(std::begin(kClaimNames), std::end(kClaimNames),
                     [&item](const char* known) { return item.key() == known; })) {
      return Reject(Rejection::kBadClaims, "unexpected claim");
    }
  }
  if (payload.size() != std::size(kClaimNames))
    return Reject(Rejection::kBadClaims, "claim missing");
  if (auto e = ReadString(payload, "client_id", &c->client_id)) return e;
  if (auto e = ReadDate(payload, "exp", &c->exp)) return e;
  if (auto e = ReadDate(payload, "iat", &c->iat)) return e;
  if (auto e = ReadDate(payload, "nbf", &c->nbf)) return e;
  if (auto e = ReadString(payload, "jti", &c->jti)) return e;
  if (auto e = ReadString(payload, "sub", &c->sub)) return e;
  return CheckClaimValues(*c);
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

// Dates are bounded by kMaxDate and the leeway by kMaxLeeway, so exp + leeway and
// nbf - leeway cannot overflow whatever `now` is.
std::optional<VerifyError> CheckTime(const Claims& c, int64_t now, const VerifyOptions& options) {
  const int64_t leeway = std::clamp<int64_t>(options.leeway_seconds, 0, kMaxLeeway);
  if (c.exp - c.iat > options.max_lifetime_seconds) {
    return Reject(Rejection::kLifetimeTooLong, "exp - iat exceeds the maximum lifetime");
  }
  if (now >= c.exp + leeway) return Reject(Rejection::kExpired, "expired");
  if (c.nbf - leeway > now) return Reject(Rejection::kNotYetValid, "nbf in the future");
  if (c.iat - leeway > now) return Reject(Rejection::kIssuedInFuture, "iat in the future");
  if (now > SaturatingAdd(c.iat, options.max_lifetime_seconds)) {
    return Reject(Rejection::kExpired, "older than the maximum lifetime");
  }
  return std::nullopt;
}

std::string JsonString(std::string_view s) { return Json(std::string(s)).dump(); }

std::string HeaderJson(const Key& key) {
  std::string header =
      R"({"alg":")" + std::string(AlgorithmName(key.algorithm())) + R"(","typ":"JWT")";
  if (key.kid()) header += R"(,"kid":)" + JsonString(*key.kid());
  return header + "}";
}

std::string PayloadJson(const Claims& c) {
  return R"({"client_id":)" + JsonString(c.client_id) + R"(,"exp":)" + std::to_string(c.exp) +
         R"(,"iat":)" + std::to_string(c.iat) + R"(,"nbf":)" + std::to_string(c.nbf) +
         R"(,"jti":)" + JsonString(c.jti) + R"(,"sub":)" + JsonString(c.sub) + "}";
}

class KeySetImpl final : public KeySet {
 public:
  KeySetImpl(KeyRing ring, const Key* signer) : ring_(std::move(ring)), signer_(signer) {}

  Result<SecretString> Sign(const Claims& claims) const override {
    if (auto error = CheckClaimValues(claims))
      return InvalidArgument("Invalid claims", error->detail);
    const std::string input =
        Base64UrlEncode(HeaderJson(*signer_)) + "." + Base64UrlEncode(PayloadJson(claims));
    BROKER_ASSIGN_OR_RETURN(std::string signature, signer_->Sign(input));
    std::string token = input + "." + Base64UrlEncode(signature);
    if (token.size() > VerifyOptions{}.max_token_bytes) {
      return InvalidArgument("Claims too long for a token");
    }
    return SecretString(std::move(token));
  }

  Result<Claims> Verify(std::string_view token, int64_t now,
                        const VerifyOptions& options) const override {
    Claims claims;
    if (auto error = VerifyDetailed(token, now, options, &claims)) {
      return Unauthenticated("Unauthorized",
                             std::string(RejectionName(error->reason)) + ": " + error->detail);
    }
    return claims;
  }

  std::optional<VerifyError> VerifyDetailed(std::string_view token, int64_t now,
                                            const VerifyOptions& options,
                                            Claims* claims_out) const override {
    internal::VerifiedJws jws;
    const internal::JwsOptions jws_options{options.max_token_bytes, /*jwt_profile=*/true};
    if (auto error = internal::VerifyJws(token, ring_, jws_options, &jws)) return error;
    // Claims are read only now that the signature has passed.
    Claims claims;
    if (auto error = ReadClaims(jws.payload_json, &claims)) return error;
    if (auto error = CheckTime(claims, now, options)) return error;
    if (claims_out != nullptr) *claims_out = std::move(claims);
    return std::nullopt;
  }

  Json Jwks() const override {
    Json keys = Json::array();
    for (const auto& key : ring_.keys()) {
      if (key->algorithm() != Algorithm::kHS256) keys.push_back(key->PublicJwk());
    }
    return Json{{"keys", std::move(keys)}};
  }

  Algorithm signing_algorithm() const override { return signer_->algorithm(); }

 private:
  KeyRing ring_;
  const Key* signer_;
};

}  // namespace

namespace internal {

Result<std::shared_ptr<const KeySet>> MakeKeySet(std::vector<std::shared_ptr<const Key>> keys) {
  const Key* signer = nullptr;
  // The first asymmetric key with a private part signs; HS256 only when there is none.
  for (const auto& key : keys) {
    if (key->can_sign() && key->algorithm() != Algorithm::kHS256) {
      signer = key.get();
      break;
    }
  }
  for (const auto& key : keys) {
    if (signer == nullptr && key->can_sign()) signer = key.get();
  }
  if (signer == nullptr) return InvalidArgument("No JWT signing key configured");
  BROKER_ASSIGN_OR_RETURN(KeyRing ring, KeyRing::Build(std::move(keys)));
  return std::shared_ptr<const KeySet>(std::make_shared<KeySetImpl>(std::move(ring), signer));
}

}  // namespace internal

std::optional<VerifyError> CheckTimeClaims(const Claims& claims, int64_t now,
                                           const VerifyOptions& options) {
  return CheckTime(claims, now, options);
}

std::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHS256:
      return "HS256";
    case Algorithm::kRS256:
      return "RS256";
    case Algorithm::kEdDSA:
      return "EdDSA";
  }
  return "?";
}

std::string_view RejectionName(Rejection reason) {
  switch (reason) {
    case Rejection::kTooLarge:
      return "too_large";
    case Rejection::kMalformed:
      return "malformed";
    case Rejection::kBadEncoding:
      return "bad_encoding";
    case Rejection::kBadUtf8:
      return "bad_utf8";
    case Rejection::kBadJson:
      return "bad_json";
    case Rejection::kBadHeader:
      return "bad_header";
    case Rejection::kUnknownKey:
      return "unknown_key";
    case Rejection::kBadSignature:
      return "bad_signature";
    case Rejection::kBadClaims:
      return "bad_claims";
    case Rejection::kExpired:
      return "expired";
    case Rejection::kNotYetValid:
      return "not_yet_valid";
    case Rejection::kIssuedInFuture:
      return "issued_in_future";
    case Rejection::kLifetimeTooLong:
      return "lifetime_too_long";
  }
  return "unknown";
}

}  // namespace broker::jwt
