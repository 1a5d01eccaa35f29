#include "secrets/sealer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/encoding.h"

namespace broker::secrets {
namespace {

constexpr size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

bool WriteAll(int fd, const unsigned char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Creates the key file exclusively. Returns false with errno == EEXIST if it already exists.
Result<bool> CreateKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    return Unavailable("Cannot create the tools store key file",
                       path + ": " + std::strerror(errno));
  }
  unsigned char key[kKeyBytes];
  crypto_aead_xchacha20poly1305_ietf_keygen(key);
  bool ok = WriteAll(fd, key, sizeof key) && ::fsync(fd) == 0;
  sodium_memzero(key, sizeof key);
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Unavailable("Cannot write the tools store key file", path);
  }
  return true;
}

Result<SecretString> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Unavailable("Cannot read the tools store key file", path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0 ||
      st.st_size != static_cast<off_t>(kKeyBytes)) {
    ::close(fd);
    return FailedPrecondition("The tools store key file must be 32 bytes with mode 0600", path);
  }
  std::string key(kKeyBytes, '\0');
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(kKeyBytes)) {
    return Unavailable("Cannot read the tools store key file", path);
  }
  return SecretString(std::move(key));
}

}  // namespace

Result<std::unique_ptr<Sealer>> Sealer::OpenKeyFile(const std::string& key_file) {
  if (sodium_init() < 0) return Internal("libsodium initialisation failed");
  BROKER_ASSIGN_OR_RETURN(bool created, CreateKeyFile(key_file));
  (void)created;
  BROKER_ASSIGN_OR_RETURN(SecretString key, ReadKeyFile(key_file));
  return std::unique_ptr<Sealer>(new Sealer(key));
}

std::unique_ptr<Sealer> Sealer::FromKey(const SecretString& key) {
  if (sodium_init() < 0 || key.RevealForUse().size() != kKeyBytes) {
    throw std::invalid_argument("Sealer::FromKey needs a 32-byte key");
  }
  return std::unique_ptr<Sealer>(new Sealer(key));
}

Sealer::Sealer(const SecretString& key)
    : key_(static_cast<unsigned char*>(sodium_malloc(kKeyBytes))) {
  if (key_ == nullptr) throw std::bad_alloc();
  std::memcpy(key_, key.RevealForUse().data(), kKeyBytes);
  sodium_mprotect_readonly(key_);
}

Sealer::~Sealer() { sodium_free(key_); }

std::string Sealer::Seal(const SecretString& plaintext, std::string_view associated_data) const {
  const std::string& text = plaintext.RevealForUse();
  std::vector<unsigned char> out(kNonceBytes + text.size() + kTagBytes);
  randombytes_buf(out.data(), kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + kNonceBytes, &written, reinterpret_cast<const unsigned char*>(text.data()),
      text.size(), reinterpret_cast<const unsigned char*>(associated_data.data()),
      associated_data.size(), nullptr, out.data(), key_);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(out.data()),
                                       kNonceBytes + static_cast<size_t>(written)));
}

Result<SecretString> Sealer::Open(std::string_view sealed, std::string_view associated_data) const {
  auto raw = Base64Decode(sealed);
  if (!raw || raw->size() < kNonceBytes + kTagBytes) {
    return Internal("sealed value is malformed");
  }
  std::string& cipher = *raw;
  std::string plain(cipher.size() - kNonceBytes - kTagBytes, '\0');
  const auto* bytes = reinterpret_cast<const unsigned char*>(cipher.data());
  unsigned long long plain_len = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, bytes + kNonceBytes,
      cipher.size() - kNonceBytes, reinterpret_cast<const unsigned char*>(associated_data.data()),
      associated_data.size(), bytes, key_);
  sodium_memzero(cipher.data(), cipher.size());
  if (rc != 0) return Internal("sealed value does not authenticate (wrong key or location)");
  plain.resize(static_cast<size_t>(plain_len));
  return SecretString(std::move(plain));
}

}  // namespace broker::secrets
