#include "jwt/jwt_test_util.h"

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "core/encoding.h"

namespace broker::jwt::testing {
namespace {

std::string Encode(EVP_PKEY* pkey, int selection, const char* format, const char* structure) {
  OSSL_ENCODER_CTX* ctx =
      OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, format, structure, nullptr);
  unsigned char* data = nullptr;
  size_t len = 0;
  if (ctx == nullptr || OSSL_ENCODER_to_data(ctx, &data, &len) != 1) {
    throw std::runtime_error("encoding failed");
  }
  std::string out(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  OSSL_ENCODER_CTX_free(ctx);
  return out;
}

TestKeys MakeKeys() {
  TestKeys k;
  k.rsa = NewRsaKey(2048);
  k.attacker = NewRsaKey(2048);
  k.ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  k.ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  k.rs_key = internal::KeyFromPem(PrivatePem(k.rsa), "k1").value();
  k.hs_key = internal::Key::Hmac(kHsSecret, std::nullopt);
  k.keys = internal::MakeKeySet({k.rs_key, k.hs_key}).value();
  return k;
}

}  // namespace

const TestKeys& Keys() {
  static const TestKeys keys = MakeKeys();
  return keys;
}

EVP_PKEY* NewRsaKey(unsigned int bits) {
  return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{bits});
}

std::string PrivatePem(EVP_PKEY* pkey) {
  return Encode(pkey, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo");
}

std::string RsaPublicPem(bool pkcs1) {
  return Encode(Keys().rsa, EVP_PKEY_PUBLIC_KEY, "PEM",
                pkcs1 ? "type-specific" : "SubjectPublicKeyInfo");
}

std::string RsaPublicDer(bool pkcs1) {
  return Encode(Keys().rsa, EVP_PKEY_PUBLIC_KEY, "DER",
                pkcs1 ? "type-specific" : "SubjectPublicKeyInfo");
}

std::string B64(std::string_view bytes) { return Base64UrlEncode(bytes); }

std::string TokenRaw(std::string_view h, std::string_view p, const internal::Key& signer) {
  const std::string input = std::string(h) + "." + std::string(p);
  return input + "." + B64(signer.Sign(input).value());
}

std::string Token(std::string_view header, std::string_view payload, const internal::Key& signer) {
  return TokenRaw(B64(header), B64(payload), signer);
}

std::string Payload(const std::map<std::string, std::optional<std::string>>& overrides) {
  std::vector<std::pair<std::string, std::string>> claims = {
      {"client_id", std::string("\"") + kClientId + "\""},
      {"exp", std::to_string(kT0 + 3600)},
      {"iat", std::to_string(kT0 - 60)},
      {"nbf", std::to_string(kT0 - 60)},
      {"jti", std::string("\"") + kJti + "\""},
      {"sub", std::string("\"") + kSub + "\""},
  };
  std::map<std::string, std::optional<std::string>> rest = overrides;
  std::string out = "{";
  auto append = [&out](const std::string& name, const std::string& raw) {
    if (out.size() > 1) out += ",";
    out += "\"" + name + "\":" + raw;
  };
  for (const auto& [name, raw] : claims) {
    auto it = rest.find(name);
    if (it == rest.end()) {
      append(name, raw);
      continue;
    }
    if (it->second) append(name, *it->second);
    rest.erase(it);
  }
  for (const auto& [name, raw] : rest) {
    if (raw) append(name, *raw);
  }
  return out + "}";
}

std::string ValidHs() { return Token(kHsHeader, Payload(), *Keys().hs_key); }
std::string ValidRs() { return Token(kRsHeader, Payload(), *Keys().rs_key); }

std::string SignRaw(EVP_PKEY* pkey, const EVP_MD* md, bool pss, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSignInit(ctx, &pctx, md, nullptr, pkey) != 1 ||
      (pss && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1) ||
      EVP_DigestSign(ctx, nullptr, &len, in, input.size()) != 1) {
    throw std::runtime_error("sign setup failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) !=
      1) {
    throw std::runtime_error("sign failed");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

std::string HmacRaw(const EVP_MD* md, std::string_view key, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  static const unsigned char kEmpty = 0;
  HMAC(md, key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data()),
       static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return {reinterpret_cast<char*>(mac), len};
}

}  // namespace broker::jwt::testing
