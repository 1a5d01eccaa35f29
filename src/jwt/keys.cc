// Keys bound to one algorithm, over OpenSSL 3 EVP: HMAC-SHA256, RSA PKCS#1 v1.5 SHA-256,
// Ed25519. Loading from JWK and PEM, RFC 7638 thumbprints, and the HMAC secret policy.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "core/encoding.h"
#include "jwt/jws.h"

namespace broker::jwt::internal {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

constexpr size_t kHmacSize = 32;
constexpr size_t kEd25519Size = 64;

const unsigned char* Bytes(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string HmacSha256(std::string_view key, std::string_view input) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), Bytes(key), static_cast<int>(key.size()), Bytes(input), input.size(),
           mac.data(), &mac_len) == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(mac.data()), mac_len};
}

std::string BnToBase64Url(const BIGNUM* bn) {
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  return Base64UrlEncode(bytes);
}

std::string RsaParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return {};
  std::string out = BnToBase64Url(bn);
  BN_free(bn);
  return out;
}

bool HasRsaPrivatePart(EVP_PKEY* pkey) {
  BIGNUM* d = nullptr;
  const bool has = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
  BN_clear_free(d);
  ERR_clear_error();
  return has;
}

bool HasEd25519PrivatePart(EVP_PKEY* pkey) {
  size_t len = 0;
  const bool has = EVP_PKEY_get_raw_private_key(pkey, nullptr, &len) == 1 && len == 32;
  ERR_clear_error();
  return has;
}

std::string Ed25519PublicX(EVP_PKEY* pkey) {
  std::array<unsigned char, 32> raw{};
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) != 1) return {};
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), len));
}

// The JWK string member `name`, strictly base64url-decoded; nullopt if absent.
Result<std::optional<std::string>> JwkBytes(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::optional<std::string>();
  if (!it->is_string())
    return InvalidArgument(std::string("JWK member ") + name + " must be a string");
  auto bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) {
    return InvalidArgument(std::string("JWK member ") + name + " is not base64url");
  }
  return std::optional<std::string>(std::move(*bytes));
}

Result<std::string> RequiredJwkBytes(const Json& jwk, const char* name) {
  BROKER_ASSIGN_OR_RETURN(std::optional<std::string> bytes, JwkBytes(jwk, name));
  if (!bytes) return InvalidArgument(std::string("JWK member ") + name + " is missing");
  return std::move(*bytes);
}

Status PushBn(OSSL_PARAM_BLD* bld, const char* name, const std::string& bytes,
              std::vector<BnPtr>& keep) {
  BIGNUM* bn = BN_bin2bn(Bytes(bytes), static_cast<int>(bytes.size()), nullptr);
  if (bn == nullptr) return Internal("BN_bin2bn failed");
  keep.emplace_back(bn, &BN_clear_free);
  if (OSSL_PARAM_BLD_push_BN(bld, name, bn) != 1) return Internal("OSSL_PARAM_BLD_push_BN failed");
  return OkStatus();
}

Result<EVP_PKEY*> PkeyFromParams(const char* type, OSSL_PARAM_BLD* bld, int selection) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  const bool ok = params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
                  EVP_PKEY_fromdata(ctx, &pkey, selection, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  ERR_clear_error();
  if (!ok) return InvalidArgument("JWK does not describe a usable key");
  return pkey;
}

// Private keys must be consistent (the public half matches d and the primes): a mismatched
// JWT_KEYS entry would sign tokens nobody can verify.
Status CheckKeyPair(EVP_PKEY* pkey) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  const bool ok = ctx != nullptr && EVP_PKEY_pairwise_check(ctx) == 1;
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  if (!ok) return InvalidArgument("JWK private and public parts do not match");
  return OkStatus();
}

Result<EVP_PKEY*> RsaFromJwk(const Json& jwk) {
  BROKER_ASSIGN_OR_RETURN(std::string n, RequiredJwkBytes(jwk, "n"));
  BROKER_ASSIGN_OR_RETURN(std::string e, RequiredJwkBytes(jwk, "e"));
  BROKER_ASSIGN_OR_RETURN(std::optional<std::string> d, JwkBytes(jwk, "d"));
  static constexpr std::array<std::pair<const char*, const char*>, 5> kCrt = {{
      {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
      {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
      {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
      {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
  }};
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      &OSSL_PARAM_BLD_free);
  std::vector<BnPtr> keep;
  BROKER_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_RSA_N, n, keep));
  BROKER_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_RSA_E, e, keep));
  if (!d) {
    for (const auto& [name, param] : kCrt) {
      if (jwk.contains(name)) return InvalidArgument("JWK has private members but no d");
    }
    return PkeyFromParams("RSA", bld.get(), EVP_PKEY_PUBLIC_KEY);
  }
  BROKER_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_RSA_D, *d, keep));
  size_t crt_count = 0;
  for (const auto& [name, param] : kCrt) {
    BROKER_ASSIGN_OR_RETURN(std::optional<std::string> value, JwkBytes(jwk, name));
    if (!value) continue;
    ++crt_count;
    BROKER_RETURN_IF_ERROR(PushBn(bld.get(), param, *value, keep));
  }
  if (crt_count != 0 && crt_count != kCrt.size()) {
    return InvalidArgument("JWK must carry all or none of p, q, dp, dq, qi");
  }
  BROKER_ASSIGN_OR_RETURN(EVP_PKEY * pkey, PkeyFromParams("RSA", bld.get(), EVP_PKEY_KEYPAIR));
  if (Status st = CheckKeyPair(pkey); !st.ok()) {
    EVP_PKEY_free(pkey);
    return std::move(st).error();
  }
  return pkey;
}

Result<EVP_PKEY*> Ed25519FromJwk(const Json& jwk) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || *crv != "Ed25519") return InvalidArgument("OKP JWK must use Ed25519");
  BROKER_ASSIGN_OR_RETURN(std::string x, RequiredJwkBytes(jwk, "x"));
  BROKER_ASSIGN_OR_RETURN(std::optional<std::string> d, JwkBytes(jwk, "d"));
  EVP_PKEY* pkey = d ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(*d), d->size())
                     : EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(x), x.size());
  ERR_clear_error();
  if (pkey == nullptr) return InvalidArgument("JWK does not describe a usable Ed25519 key");
  if (Ed25519PublicX(pkey) != Base64UrlEncode(x)) {
    EVP_PKEY_free(pkey);
    return InvalidArgument("JWK private and public parts do not match");
  }
  return pkey;
}

// A JWK published for encryption, or restricted to other operations, is not a signing key
// (Wycheproof rejectWrongUse / rejectWrongKeyOps).
Status CheckJwkUsage(const Json& jwk) {
  if (auto use = jwk.find("use"); use != jwk.end() && *use != "sig") {
    return InvalidArgument("JWK use must be \"sig\"");
  }
  auto ops = jwk.find("key_ops");
  if (ops == jwk.end()) return OkStatus();
  if (!ops->is_array()) return InvalidArgument("JWK key_ops must be an array");
  static const std::set<std::string> kForeign = {"encrypt",   "decrypt",   "wrapKey",
                                                 "unwrapKey", "deriveKey", "deriveBits"};
  for (const Json& op : *ops) {
    if (!op.is_string()) return InvalidArgument("JWK key_ops must hold strings");
    if (kForeign.contains(op.get<std::string>())) {
      return InvalidArgument("JWK key_ops name a non-signature operation");
    }
  }
  return OkStatus();
}

Result<std::optional<std::string>> JwkKid(const Json& jwk) {
  auto kid = jwk.find("kid");
  if (kid == jwk.end()) return std::optional<std::string>();
  if (!kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    return InvalidArgument("JWK kid must be a non-empty string");
  }
  return std::optional<std::string>(kid->get<std::string>());
}

Result<std::shared_ptr<const Key>> AsymmetricFromJwk(const Json& jwk, const std::string& kty,
                                                     std::optional<std::string> kid) {
  Result<EVP_PKEY*> pkey = kty == "RSA" ? RsaFromJwk(jwk) : Ed25519FromJwk(jwk);
  if (!pkey.ok()) return std::move(pkey).error();
  return Key::Asymmetric(*pkey, std::move(kid));
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// True if `secret` is nothing but copies of `word`, optionally separated by punctuation.
bool IsRepetitionOf(const std::string& secret, const std::string& word) {
  size_t pos = 0;
  bool found = false;
  while (pos < secret.size()) {
    if (secret.compare(pos, word.size(), word) == 0) {
      pos += word.size();
      found = true;
    } else if (std::string_view("-_ .:,;/").find(secret[pos]) != std::string_view::npos) {
      ++pos;
    } else {
      return false;
    }
  }
  return found;
}

}  // namespace

std::shared_ptr<const Key> Key::Hmac(std::string secret, std::optional<std::string> kid) {
  std::shared_ptr<Key> key(new Key());
  key->alg_ = Algorithm::kHS256;
  key->kid_ = std::move(kid);
  key->secret_ = std::move(secret);
  key->can_sign_ = true;
  return key;
}

Result<std::shared_ptr<const Key>> Key::Asymmetric(EVP_PKEY* pkey, std::optional<std::string> kid) {
  std::shared_ptr<Key> key(new Key());
  key->pkey_ = pkey;
  key->kid_ = std::move(kid);
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    key->alg_ = Algorithm::kRS256;
    key->can_sign_ = HasRsaPrivatePart(pkey);
  } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
    key->alg_ = Algorithm::kEdDSA;
    key->can_sign_ = HasEd25519PrivatePart(pkey);
  } else {
    return InvalidArgument("Unsupported key type (RSA or Ed25519 expected)");
  }
  return std::shared_ptr<const Key>(std::move(key));
}

Key::~Key() {
  EVP_PKEY_free(pkey_);
  OPENSSL_cleanse(secret_.data(), secret_.size());
}

int Key::bits() const {
  if (alg_ == Algorithm::kRS256) return EVP_PKEY_get_bits(pkey_);
  return 256;
}

Result<std::string> Key::Sign(std::string_view input) const {
  if (!can_sign_) return InvalidArgument("Key has no private part");
  if (alg_ == Algorithm::kHS256) return HmacSha256(secret_, input);
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = alg_ == Algorithm::kRS256 ? EVP_sha256() : nullptr;
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey_) != 1 ||
      (alg_ == Algorithm::kRS256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, Bytes(input), input.size()) != 1) {
    ERR_clear_error();
    return Internal("signature setup failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, Bytes(input),
                     input.size()) != 1) {
    ERR_clear_error();
    return Internal("signing failed");
  }
  sig.resize(len);
  return sig;
}

bool Key::VerifySignature(std::string_view input, std::string_view signature) const {
  if (alg_ == Algorithm::kHS256) {
    if (signature.size() != kHmacSize) return false;
    const std::string mac = HmacSha256(secret_, input);
    return mac.size() == kHmacSize && CRYPTO_memcmp(mac.data(), signature.data(), kHmacSize) == 0;
  }
  const size_t expected =
      alg_ == Algorithm::kRS256 ? static_cast<size_t>(EVP_PKEY_get_size(pkey_)) : kEd25519Size;
  if (signature.size() != expected) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = alg_ == Algorithm::kRS256 ? EVP_sha256() : nullptr;
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey_) == 1 &&
      (alg_ != Algorithm::kRS256 || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
      EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(input), input.size()) ==
          1;
  ERR_clear_error();
  return ok;
}

Json Key::PublicJwk() const {
  Json jwk = Json::object();
  if (alg_ == Algorithm::kHS256) return {};
  if (alg_ == Algorithm::kRS256) {
    jwk["kty"] = "RSA";
    jwk["n"] = RsaParam(pkey_, OSSL_PKEY_PARAM_RSA_N);
    jwk["e"] = RsaParam(pkey_, OSSL_PKEY_PARAM_RSA_E);
  } else {
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = Ed25519PublicX(pkey_);
  }
  if (kid_) jwk["kid"] = *kid_;
  jwk["alg"] = std::string(AlgorithmName(alg_));
  jwk["use"] = "sig";
  return jwk;
}

Result<KeyRing> KeyRing::Build(std::vector<std::shared_ptr<const Key>> keys) {
  KeyRing ring;
  for (const auto& key : keys) {
    if (!key->kid()) {
      if (ring.unnamed_ != nullptr) return InvalidArgument("Two keys without a kid");
      if (key->algorithm() != Algorithm::kHS256) {
        return InvalidArgument("An RS256 or EdDSA key needs a kid");
      }
      ring.unnamed_ = key.get();
    } else if (!ring.by_kid_.emplace(*key->kid(), key.get()).second) {
      return InvalidArgument("Two keys share the kid \"" + *key->kid() + "\"");
    }
  }
  ring.keys_ = std::move(keys);
  return ring;
}

const Key* KeyRing::Find(const std::optional<std::string>& kid) const {
  if (!kid) return unnamed_;
  auto it = by_kid_.find(*kid);
  return it == by_kid_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const Key>> KeyFromJwk(const Json& jwk) {
  if (!jwk.is_object()) return InvalidArgument("JWK must be an object");
  auto kty_it = jwk.find("kty");
  if (kty_it == jwk.end() || !kty_it->is_string()) return InvalidArgument("JWK kty is missing");
  const std::string kty = kty_it->get<std::string>();
  const std::string expected_alg = kty == "RSA" ? "RS256" : kty == "OKP" ? "EdDSA" : "HS256";
  if (kty != "RSA" && kty != "OKP" && kty != "oct") {
    return InvalidArgument("JWK kty must be RSA, OKP or oct");
  }
  if (auto alg = jwk.find("alg"); alg != jwk.end() && *alg != expected_alg) {
    return InvalidArgument("JWK alg must be " + expected_alg + " for kty " + kty);
  }
  BROKER_RETURN_IF_ERROR(CheckJwkUsage(jwk));
  BROKER_ASSIGN_OR_RETURN(std::optional<std::string> kid, JwkKid(jwk));
  if (kty != "oct") return AsymmetricFromJwk(jwk, kty, std::move(kid));
  BROKER_ASSIGN_OR_RETURN(std::string k, RequiredJwkBytes(jwk, "k"));
  return Key::Hmac(std::move(k), std::move(kid));
}

Result<std::shared_ptr<const Key>> KeyFromPem(std::string_view pem,
                                              std::optional<std::string> kid) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* ctx =
      OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, nullptr, 0, nullptr, nullptr);
  const unsigned char* data = Bytes(pem);
  size_t len = pem.size();
  const bool ok = ctx != nullptr && OSSL_DECODER_from_data(ctx, &data, &len) == 1;
  OSSL_DECODER_CTX_free(ctx);
  ERR_clear_error();
  if (!ok || pkey == nullptr) {
    EVP_PKEY_free(pkey);
    return InvalidArgument("PEM does not hold a usable key");
  }
  return Key::Asymmetric(pkey, std::move(kid));
}

std::string Thumbprint(const Key& key) {
  const Json jwk = key.PublicJwk();
  std::string canonical;
  if (jwk.is_null()) return {};
  if (key.algorithm() == Algorithm::kRS256) {
    canonical = R"({"e":")" + jwk["e"].get<std::string>() + R"(","kty":"RSA","n":")" +
                jwk["n"].get<std::string>() + R"("})";
  } else {
    canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + jwk["x"].get<std::string>() + R"("})";
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(canonical.data(), canonical.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

Status CheckHmacSecretStrength(std::string_view secret) {
  if (secret.size() < 32) return InvalidArgument("JWT_SECRET must be at least 32 bytes");
  std::set<char> distinct(secret.begin(), secret.end());
  if (distinct.size() < 8) return InvalidArgument("JWT_SECRET has too little variety");
  static const std::array<std::string_view, 24> kWeak = {
      "secret",
      "your-256-bit-secret",
      "your-384-bit-secret",
      "your-512-bit-secret",
      "a-string-secret-at-least-256-bits-long",
      "changeme",
      "change-me",
      "changeit",
      "password",
      "passw0rd",
      "jwt-secret",
      "jwt_secret",
      "jwtsecret",
      "secretkey",
      "secret-key",
      "supersecret",
      "mysecret",
      "keyboard cat",
      "shhhhh",
      "default",
      "123456",
      "qwerty",
      "admin",
      "replace-me",
  };
  const std::string lower = ToLower(secret);
  for (std::string_view weak : kWeak) {
    if (IsRepetitionOf(lower, std::string(weak))) {
      return InvalidArgument("JWT_SECRET is a well-known weak secret");
    }
  }
  return OkStatus();
}

}  // namespace broker::jwt::internal
