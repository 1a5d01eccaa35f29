// Where keys come from: JWT_KEYS / JWT_SECRET (with the strength policy of SECURITY.md G26),
// the embedded default key file in the data directory, and unverified decoding for look-ups.

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/encoding.h"
#include "core/random.h"
#include "jwt/jws.h"
#include "jwt/jwt.h"

namespace broker::jwt {
namespace {

using internal::Key;
using KeyPtr = std::shared_ptr<const Key>;

constexpr int kMinRsaBits = 2048;
constexpr unsigned int kGeneratedRsaBits = 2048;
constexpr const char* kKeyFileName = "jwt-signing-key.pem";
constexpr off_t kMaxKeyFileBytes = off_t{64} * 1024;
constexpr size_t kMaxDecodeBytes = size_t{16} * 1024;

Status CheckKeyStrength(const Key& key) {
  if (key.algorithm() == Algorithm::kRS256 && key.bits() < kMinRsaBits) {
    return InvalidArgument("JWT_KEYS: RSA keys must have at least 2048 bits");
  }
  return OkStatus();
}

Result<KeyPtr> PemFromMember(const Json& entry, const char* name, const std::string& kid) {
  const Json& pem = entry.at(name);
  if (!pem.is_string())
    return InvalidArgument(std::string("JWT_KEYS: ") + name + " must be PEM text");
  return internal::KeyFromPem(pem.get_ref<const std::string&>(), kid);
}

// The reference's entry shape: {"kid": ..., "private": PEM?, "public": PEM}.
Result<KeyPtr> KeyFromPemEntry(const Json& entry) {
  auto kid = entry.find("kid");
  if (kid == entry.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    return InvalidArgument("JWT_KEYS: every key needs a kid");
  }
  const bool has_private = entry.contains("private");
  const bool has_public = entry.contains("public");
  if (!has_private && !has_public)
    return InvalidArgument("JWT_KEYS: key without private or public");
  if (!has_private) return PemFromMember(entry, "public", kid->get<std::string>());
  BROKER_ASSIGN_OR_RETURN(KeyPtr key, PemFromMember(entry, "private", kid->get<std::string>()));
  if (!key->can_sign()) return InvalidArgument("JWT_KEYS: private member holds no private key");
  if (has_public) {
    BROKER_ASSIGN_OR_RETURN(KeyPtr pub, PemFromMember(entry, "public", kid->get<std::string>()));
    if (pub->PublicJwk() != key->PublicJwk()) {
      return InvalidArgument("JWT_KEYS: public and private keys do not match");
    }
  }
  return key;
}

Result<KeyPtr> KeyFromEntry(const Json& entry) {
  if (!entry.is_object()) return InvalidArgument("JWT_KEYS: every key must be an object");
  Result<KeyPtr> key = entry.contains("kty") ? internal::KeyFromJwk(entry) : KeyFromPemEntry(entry);
  if (!key.ok()) return std::move(key).error().WithContext("JWT_KEYS");
  if (!(*key)->kid()) return InvalidArgument("JWT_KEYS: every key needs a kid");
  if ((*key)->algorithm() == Algorithm::kHS256) {
    // An oct JWK (KeyFromJwk has checked that "k" decodes): same policy as JWT_SECRET.
    const std::string k = Base64UrlDecode(entry.at("k").get<std::string>()).value_or("");
    BROKER_RETURN_IF_ERROR(internal::CheckHmacSecretStrength(k));
  }
  BROKER_RETURN_IF_ERROR(CheckKeyStrength(**key));
  return key;
}

// JWT_KEYS: a JWKS document {"keys":[JWK...]}, or a JSON array of JWKs and/or reference-style
// PEM entries.
Result<std::vector<KeyPtr>> ParseJwtKeys(std::string_view text) {
  Result<Json> json = ParseStrictJson(text, JsonLimits{16});
  if (!json.ok()) return InvalidArgument("JWT_KEYS is not valid JSON");
  const Json* entries = &*json;
  if (json->is_object() && json->contains("keys")) entries = &(*json)["keys"];
  if (!entries->is_array()) return InvalidArgument("JWT_KEYS must be a JWKS or a JSON array");
  std::vector<KeyPtr> keys;
  for (const Json& entry : *entries) {
    BROKER_ASSIGN_OR_RETURN(KeyPtr key, KeyFromEntry(entry));
    keys.push_back(std::move(key));
  }
  return keys;
}

Status ErrnoStatus(const std::string& what) {
  return Unavailable("JWT signing key file unavailable", what + ": " + std::strerror(errno));
}

Result<std::string> ReadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path).error();
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxKeyFileBytes) {
    ::close(fd);
    return Unavailable("JWT signing key file unavailable", path + " is not a small regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return FailedPrecondition("JWT signing key file is readable by others",
                              path + " must have mode 0600");
  }
  std::string pem(static_cast<size_t>(st.st_size), '\0');
  const ssize_t n = ::read(fd, pem.data(), pem.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(pem.size())) return ErrnoStatus("read " + path).error();
  return pem;
}

Result<std::shared_ptr<const KeySet>> KeySetFromKeyFile(const std::string& path) {
  BROKER_ASSIGN_OR_RETURN(std::string pem, ReadKeyFile(path));
  // Parsed twice: the kid is the thumbprint of the key itself.
  BROKER_ASSIGN_OR_RETURN(KeyPtr probe, internal::KeyFromPem(pem, std::nullopt));
  if (probe->algorithm() != Algorithm::kRS256 || !probe->can_sign() ||
      probe->bits() < kMinRsaBits) {
    return InvalidArgument("JWT signing key file must hold an RSA private key of >= 2048 bits");
  }
  BROKER_ASSIGN_OR_RETURN(KeyPtr key, internal::KeyFromPem(pem, internal::Thumbprint(*probe)));
  OPENSSL_cleanse(pem.data(), pem.size());
  return internal::MakeKeySet({std::move(key)});
}

Result<std::string> GeneratePrivateKeyPem() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{kGeneratedRsaBits});
  if (pkey == nullptr) return Internal("RSA key generation failed");
  BIO* bio = BIO_new(BIO_s_mem());
  // PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: the file mode is the protection.
  const bool ok = bio != nullptr &&
                  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  EVP_PKEY_free(pkey);
  char* data = nullptr;
  const long len = ok ? BIO_get_mem_data(bio, &data) : 0;
  std::string pem = len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
  BIO_free(bio);
  if (pem.empty()) return Internal("writing the RSA key as PEM failed");
  return pem;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoStatus("write key file");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

// Writes the key to a private temporary file, then links it into place: the file is 0600 from
// its first byte, a crash never leaves a half-written key under the real name, and if another
// process won the race its key is kept.
Status CreateKeyFile(const std::string& dir, const std::string& path) {
  BROKER_ASSIGN_OR_RETURN(std::string pem, GeneratePrivateKeyPem());
  const std::string tmp = dir + "/." + kKeyFileName + "." + OsRandom::Instance().Base64UrlToken(9);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create " + tmp);
  Status written = WriteAll(fd, pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (written.ok() && (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0)) written = ErrnoStatus("sync");
  ::close(fd);
  if (written.ok() && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    written = ErrnoStatus("link " + path);
  }
  ::unlink(tmp.c_str());
  if (!written.ok()) return written;
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return OkStatus();
}

std::optional<Json> DecodeJsonObjectSegment(std::string_view segment) {
  std::optional<std::string> bytes = Base64UrlDecode(segment);
  if (!bytes || !IsValidUtf8(*bytes) || bytes->starts_with("\xEF\xBB\xBF")) return std::nullopt;
  Result<Json> json = ParseStrictJson(*bytes, JsonLimits{16});
  if (!json.ok() || !json->is_object()) return std::nullopt;
  return std::move(json).value();
}

}  // namespace

Result<std::shared_ptr<const KeySet>> KeySet::FromConfig(
    const std::optional<SecretString>& jwt_keys_json,
    const std::optional<SecretString>& hs256_secret) {
  std::vector<KeyPtr> keys;
  if (jwt_keys_json && !jwt_keys_json->empty()) {
    BROKER_ASSIGN_OR_RETURN(keys, ParseJwtKeys(jwt_keys_json->RevealForUse()));
  }
  if (hs256_secret && !hs256_secret->empty()) {
    BROKER_RETURN_IF_ERROR(internal::CheckHmacSecretStrength(hs256_secret->RevealForUse()));
    keys.push_back(Key::Hmac(hs256_secret->RevealForUse(), std::nullopt));
  }
  return internal::MakeKeySet(std::move(keys));
}

Result<std::shared_ptr<const KeySet>> KeySet::LoadOrCreateInDataDir(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kKeyFileName;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoStatus("stat " + path).error();
    // Check the directory before spending a second on key generation.
    if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Unavailable("JWT signing key file unavailable", data_dir + " is not a directory");
    }
    BROKER_RETURN_IF_ERROR(CreateKeyFile(data_dir, path));
  }
  return KeySetFromKeyFile(path);
}

std::optional<Decoded> DecodeUnverified(std::string_view token) {
  if (token.size() > kMaxDecodeBytes) return std::nullopt;
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view signature = token.substr(second + 1);
  if (!signature.empty() && !Base64UrlDecode(signature)) return std::nullopt;
  std::optional<Json> header = DecodeJsonObjectSegment(token.substr(0, first));
  std::optional<Json> payload =
      DecodeJsonObjectSegment(token.substr(first + 1, second - first - 1));
  if (!header || !payload) return std::nullopt;
  return Decoded{std::move(*header), std::move(*payload)};
}

}  // namespace broker::jwt
