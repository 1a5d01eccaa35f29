// The compact JWS layer of the verifier, in the order of SECURITY.md 1.1: size cap, format,
// strict base64url, UTF-8, strict JSON, header profile, key lookup, signature.

#include "jwt/jws.h"

#include <array>
#include <cctype>
#include <set>

#include "core/encoding.h"

namespace broker::jwt::internal {
namespace {

constexpr size_t kMaxJsonDepth = 16;
constexpr size_t kMaxKidBytes = 256;

struct Segments {
  std::string_view header, payload, signature;
  std::string_view signing_input;  // "header.payload"
};

struct Decoded {
  std::string header, payload, signature;
};

VerifyError Reject(Rejection reason, std::string detail) { return {reason, std::move(detail)}; }

bool IsBase64UrlChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`, without a regex engine.
std::optional<Segments> SplitCompact(std::string_view token) {
  std::array<std::string_view, 3> parts;
  size_t start = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const size_t dot = i + 1 < parts.size() ? token.find('.', start) : token.size();
    if (dot == std::string_view::npos || dot == start) return std::nullopt;
    parts[i] = token.substr(start, dot - start);
    for (char c : parts[i]) {
      if (!IsBase64UrlChar(c)) return std::nullopt;
    }
    start = dot + 1;
  }
  return Segments{parts[0], parts[1], parts[2],
                  token.substr(0, parts[0].size() + 1 + parts[1].size())};
}

std::optional<Decoded> DecodeSegments(const Segments& s) {
  auto header = Base64UrlDecode(s.header);
  auto payload = Base64UrlDecode(s.payload);
  auto signature = Base64UrlDecode(s.signature);
  if (!header || !payload || !signature) return std::nullopt;
  return Decoded{std::move(*header), std::move(*payload), std::move(*signature)};
}

// UTF-8 without a byte-order mark: nlohmann's parser would skip a BOM silently.
bool IsCleanUtf8(std::string_view text) {
  return IsValidUtf8(text) && !text.starts_with("\xEF\xBB\xBF");
}

std::optional<Json> ParseObject(std::string_view text) {
  Result<Json> json = ParseStrictJson(text, JsonLimits{kMaxJsonDepth});
  if (!json.ok() || !json->is_object()) return std::nullopt;
  return std::move(json).value();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Only alg, typ and kid: this also refuses crit, jku, x5u, jwk, x5c, x5t, x5t#S256, cty, b64
// and zip, none of which our issuer emits or our verifier understands.
std::optional<VerifyError> CheckHeaderMembers(const Json& header) {
  static const std::set<std::string, std::less<>> kNamed = {
      "crit", "jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "cty", "b64", "zip"};
  for (const auto& [name, value] : header.items()) {
    if (name == "alg" || name == "typ" || name == "kid") continue;
    // Only names from our own list reach the log; others are attacker-chosen text.
    return Reject(Rejection::kBadHeader, kNamed.contains(name)
                                             ? "forbidden header member " + name
                                             : std::string("unknown header member"));
  }
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) {
    return Reject(Rejection::kBadHeader, "alg missing or not a string");
  }
  const auto& name = alg->get_ref<const std::string&>();
  if (name != "HS256" && name != "RS256" && name != "EdDSA") {
    return Reject(Rejection::kBadHeader, "alg not on the allowlist");
  }
  return std::nullopt;
}

std::optional<VerifyError> CheckTyp(const Json& header, bool required) {
  auto typ = header.find("typ");
  if (typ == header.end()) {
    if (!required) return std::nullopt;
    return Reject(Rejection::kBadHeader, "typ missing");
  }
  // RFC 7515 4.1.9: typ is a media type, compared case-insensitively.
  if (!typ->is_string() || !EqualsIgnoreCase(typ->get_ref<const std::string&>(), "JWT")) {
    return Reject(Rejection::kBadHeader, "typ is not JWT");
  }
  return std::nullopt;
}

// The kid member as a lookup key: a bounded, non-empty string, never a path, query or URL.
std::optional<VerifyError> ReadKid(const Json& header, std::optional<std::string>* kid) {
  auto it = header.find("kid");
  if (it == header.end()) return std::nullopt;
  if (!it->is_string()) return Reject(Rejection::kBadHeader, "kid is not a string");
  const auto& value = it->get_ref<const std::string&>();
  if (value.empty() || value.size() > kMaxKidBytes) {
    return Reject(Rejection::kBadHeader, "kid empty or too long");
  }
  *kid = value;
  return std::nullopt;
}

std::optional<VerifyError> CheckHeader(const Json& header, const KeyRing& ring, bool jwt_profile,
                                       const Key** key_out) {
  if (auto error = CheckHeaderMembers(header)) return error;
  if (auto error = CheckTyp(header, jwt_profile)) return error;
  std::optional<std::string> kid;
  if (auto error = ReadKid(header, &kid)) return error;
  const Key* key = ring.Find(kid);
  if (key == nullptr) return Reject(Rejection::kUnknownKey, kid ? "unknown kid" : "no kid");
  // The algorithm comes from our key record; the token's alg must merely agree, byte for byte.
  if (header["alg"].get_ref<const std::string&>() != AlgorithmName(key->algorithm())) {
    return Reject(Rejection::kBadHeader, "alg does not match the key's algorithm");
  }
  *key_out = key;
  return std::nullopt;
}

}  // namespace

std::optional<VerifyError> VerifyJws(std::string_view token, const KeyRing& ring,
                                     const JwsOptions& options, VerifiedJws* out) {
  if (token.size() > options.max_token_bytes)
    return Reject(Rejection::kTooLarge, "token too large");
  std::optional<Segments> segments = SplitCompact(token);
  if (!segments) return Reject(Rejection::kMalformed, "not three base64url segments");
  std::optional<Decoded> decoded = DecodeSegments(*segments);
  if (!decoded) return Reject(Rejection::kBadEncoding, "not canonical base64url");
  if (!IsCleanUtf8(decoded->header) || (options.jwt_profile && !IsCleanUtf8(decoded->payload))) {
    return Reject(Rejection::kBadUtf8, "not UTF-8");
  }
  std::optional<Json> header = ParseObject(decoded->header);
  if (!header) return Reject(Rejection::kBadJson, "header is not a strict JSON object");
  std::optional<Json> payload;
  if (options.jwt_profile) {
    payload = ParseObject(decoded->payload);
    if (!payload) return Reject(Rejection::kBadJson, "payload is not a strict JSON object");
  }
  const Key* key = nullptr;
  if (auto error = CheckHeader(*header, ring, options.jwt_profile, &key)) return error;
  if (!key->VerifySignature(segments->signing_input, decoded->signature)) {
    return Reject(Rejection::kBadSignature, "signature does not verify");
  }
  out->header = std::move(*header);
  out->payload = std::move(decoded->payload);
  if (payload) out->payload_json = std::move(*payload);
  out->key = key;
  return std::nullopt;
}

}  // namespace broker::jwt::internal
