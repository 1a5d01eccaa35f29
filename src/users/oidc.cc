#include "users/oidc.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "core/encoding.h"

namespace broker::users {

namespace {

constexpr size_t kStateBytes = 32;
constexpr size_t kNonceBytes = 32;
constexpr size_t kVerifierBytes = 32;
constexpr size_t kMaxReturnPath = 2048;
constexpr int kMinRsaBits = 2048;
constexpr int64_t kJwksRefreshMillis = 60'000;

Error LoginFailed(std::string internal) {
  return Unauthenticated("Login failed", std::move(internal));
}

std::string TrimSlash(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

bool IsLoopbackHttp(std::string_view url) {
  constexpr std::array<std::string_view, 3> kLoopbacks = {"http://127.0.0.1", "http://localhost",
                                                          "http://[::1]"};
  return std::ranges::any_of(kLoopbacks, [url](std::string_view prefix) {
    if (!url.starts_with(prefix)) return false;
    const char next = url.size() > prefix.size() ? url[prefix.size()] : '/';
    return next == ':' || next == '/';
  });
}

// Provider endpoints must use TLS, except on loopback (development and tests).
bool IsAllowedEndpoint(std::string_view url) {
  return url.starts_with("https://") || IsLoopbackHttp(url);
}

std::string S256Challenge(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string StringOr(const Json& object, const char* key, std::string fallback = {}) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string MappedString(const Json& document, std::string_view path) {
  const Json* value = path.empty() ? nullptr : JsonAtPath(document, path);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::optional<std::string> Env(const EnvReader& getenv, std::string_view name) {
  auto value = getenv(name);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

void SetFromEnv(const EnvReader& getenv, std::string_view name, std::string& field) {
  if (auto value = Env(getenv, name)) field = *value;
}

using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

BnPtr DecodeBignum(const Json& jwk, const char* member) {
  BnPtr none(nullptr, BN_free);
  auto it = jwk.find(member);
  if (it == jwk.end() || !it->is_string()) return none;
  const std::optional<std::string> bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.has_value() || bytes->empty()) return none;
  const std::string& big_endian = *bytes;
  BIGNUM* value = BN_bin2bn(reinterpret_cast<const unsigned char*>(big_endian.data()),
                            static_cast<int>(big_endian.size()), nullptr);
  return {value, BN_free};
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PkeyPtr RsaPublicKey(const BIGNUM* n, const BIGNUM* e) {
  PkeyPtr none(nullptr, EVP_PKEY_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(OSSL_PARAM_BLD_new(),
                                                                          OSSL_PARAM_BLD_free);
  if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e)) {
    return none;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(builder.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return none;
  }
  return {key, EVP_PKEY_free};
}

// The JWK for `kid` (or the only RSA signing key when the token names none).
const Json* FindKey(const Json& jwks, const std::optional<std::string>& kid) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) return nullptr;
  std::vector<const Json*> candidates;
  for (const Json& key : jwks["keys"]) {
    if (!key.is_object() || StringOr(key, "kty") != "RSA") continue;
    if (StringOr(key, "use", "sig") != "sig") continue;
    if (StringOr(key, "alg", "RS256") != "RS256") continue;
    if (kid.has_value() && StringOr(key, "kid") != *kid) continue;
    candidates.push_back(&key);
  }
  return candidates.size() == 1 ? candidates.front() : nullptr;
}

Result<Json> DecodeSegment(std::string_view segment) {
  auto bytes = Base64UrlDecode(segment);
  if (!bytes.has_value()) return LoginFailed("id token segment is not base64url");
  auto json = ParseStrictJson(*bytes);
  if (!json.ok() || !json->is_object()) return LoginFailed("id token segment is not a JSON object");
  return std::move(json).value();
}

}  // namespace

struct OidcClient::Provider {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string userinfo_endpoint;
  std::string jwks_uri;
  std::vector<std::string> id_token_algs;
};

struct OidcClient::PendingLogin {
  std::string nonce;
  std::string code_verifier;
  std::string return_to;
};

struct OidcClient::Tokens {
  SecretString access_token;
  std::string id_token;
};

Result<std::optional<OidcConfig>> OidcConfigFromEnv(const EnvReader& getenv) {
  auto issuer = Env(getenv, "OAUTH2_CLIENT_PROVIDER_OIDC_ISSUER");
  auto client_id = Env(getenv, "OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_ID");
  if (!issuer.has_value() || !client_id.has_value()) return std::optional<OidcConfig>();
  OidcConfig config;
  config.issuer = *issuer;
  config.client_id = *client_id;
  if (auto secret = Env(getenv, "OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_SECRET")) {
    config.client_secret = SecretString(*secret);
  }
  SetFromEnv(getenv, "OAUTH2_CLIENT_REGISTRATION_LOGIN_REDIRECT_URI", config.redirect_uri);
  SetFromEnv(getenv, "OAUTH2_CLIENT_REGISTRATION_LOGIN_SCOPE", config.scope);
  SetFromEnv(getenv, "OAUTH2_CLIENT_REGISTRATION_LOGIN_POST_LOGOUT_REDIRECT_URI",
             config.post_logout_redirect_uri);
  SetFromEnv(getenv, "OAUTH2_CLIENT_PROVIDER_LABEL", config.label);
  UserinfoMapping& map = config.mapping;
  SetFromEnv(getenv, "OAUTH2_CLIENT_MAP_DOMAIN", map.domain_path);
  SetFromEnv(getenv, "OAUTH2_CLIENT_DOMAIN", map.domain);
  SetFromEnv(getenv, "OAUTH2_CLIENT_MAP_EMAIL", map.email);
  SetFromEnv(getenv, "OAUTH2_CLIENT_MAP_GUID", map.guid);
  SetFromEnv(getenv, "OAUTH2_CLIENT_MAP_NAME", map.name);
  SetFromEnv(getenv, "OAUTH2_CLIENT_MAP_ROLES", map.roles);
  SetFromEnv(getenv, "OAUTH2_CLIENT_MAP_USERNAME", map.username);
  if (config.redirect_uri.empty()) {
    return InvalidArgument("OAUTH2_CLIENT_REGISTRATION_LOGIN_REDIRECT_URI must be set for OIDC");
  }
  return std::optional<OidcConfig>(std::move(config));
}

bool IsSafeReturnPath(std::string_view path) {
  if (path.empty() || path.size() > kMaxReturnPath || path.front() != '/') return false;
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return false;
  return std::none_of(path.begin(), path.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f || c == '\\';
  });
}

const Json* JsonAtPath(const Json& document, std::string_view path) {
  const Json* node = &document;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string key(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

Status VerifyRs256(const Json& jwk, std::string_view signing_input, std::string_view signature) {
  BnPtr n = DecodeBignum(jwk, "n");
  BnPtr e = DecodeBignum(jwk, "e");
  if (!n || !e) return InvalidArgument("JWK has no valid RSA n and e");
  if (BN_num_bits(n.get()) < kMinRsaBits)
    return InvalidArgument("RSA key is shorter than 2048 bits");
  PkeyPtr key = RsaPublicKey(n.get(), e.get());
  if (!key) return InvalidArgument("RSA key could not be built");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return Internal("EVP_DigestVerifyInit failed");
  }
  int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  if (rc != 1) return Unauthenticated("Login failed", "id token signature does not verify");
  return OkStatus();
}

OidcClient::OidcClient(OidcConfig config, store::Database& db, HttpClient& http, const Clock& clock,
                       Random& random)
    : config_(std::move(config)), db_(db), http_(http), clock_(clock), random_(random) {}

Result<std::shared_ptr<const OidcClient::Provider>> OidcClient::GetProvider() {
  {
    std::lock_guard lock(mu_);
    if (provider_) return provider_;
  }
  std::string url = TrimSlash(config_.issuer) + "/.well-known/openid-configuration";
  BROKER_ASSIGN_OR_RETURN(HttpReply reply, http_.Get(url, {{"Accept", "application/json"}}));
  if (reply.status != 200) {
    return Unavailable("Identity provider unavailable",
                       "discovery answered " + std::to_string(reply.status));
  }
  auto doc = ParseStrictJson(reply.body);
  if (!doc.ok() || !doc->is_object()) {
    return Unavailable("Identity provider unavailable", "discovery document is not JSON");
  }
  auto provider = std::make_shared<Provider>();
  provider->issuer = StringOr(*doc, "issuer");
  provider->authorization_endpoint = StringOr(*doc, "authorization_endpoint");
  provider->token_endpoint = StringOr(*doc, "token_endpoint");
  provider->userinfo_endpoint = StringOr(*doc, "userinfo_endpoint");
  provider->jwks_uri = StringOr(*doc, "jwks_uri");
  provider->id_token_algs = {"RS256"};
  auto algs = doc->find("id_token_signing_alg_values_supported");
  if (algs != doc->end() && algs->is_array()) {
    provider->id_token_algs.clear();
    for (const Json& alg : *algs) {
      if (alg.is_string()) provider->id_token_algs.push_back(alg.get<std::string>());
    }
  }
  // OpenID Connect Discovery 1.0 section 4.3: the issuer must be exactly the configured one.
  if (provider->issuer != config_.issuer) {
    return Unavailable("Identity provider unavailable", "discovery issuer mismatch");
  }
  for (const std::string* endpoint :
       {&provider->authorization_endpoint, &provider->token_endpoint, &provider->jwks_uri}) {
    if (endpoint->empty() || !IsAllowedEndpoint(*endpoint)) {
      return Unavailable("Identity provider unavailable",
                         "discovery endpoint missing or not https");
    }
  }
  if (!provider->userinfo_endpoint.empty() && !IsAllowedEndpoint(provider->userinfo_endpoint)) {
    return Unavailable("Identity provider unavailable", "userinfo endpoint is not https");
  }
  std::lock_guard lock(mu_);
  provider_ = provider;
  return provider_;
}

Result<OidcLoginStart> OidcClient::Start(std::string_view return_to) {
  BROKER_ASSIGN_OR_RETURN(std::shared_ptr<const Provider> provider, GetProvider());
  std::string state = random_.Base64UrlToken(kStateBytes);
  std::string nonce = random_.Base64UrlToken(kNonceBytes);
  std::string verifier = random_.Base64UrlToken(kVerifierBytes);
  SecretString binding(random_.Base64UrlToken(kStateBytes));
  std::string path = IsSafeReturnPath(return_to) ? std::string(return_to) : "/";
  auto inserted = db_.Execute(
      "INSERT INTO oidc_logins (state_hash, binding_hash, nonce, code_verifier, return_to, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
      {Sha256Hex(state), Sha256Hex(binding.RevealForUse()), nonce, verifier, path,
       clock_.NowMillis()});
  if (!inserted.ok()) return std::move(inserted).error();
  const std::string& endpoint = provider->authorization_endpoint;
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") +
                    "response_type=code&client_id=" + UrlEncode(config_.client_id) +
                    "&redirect_uri=" + UrlEncode(config_.redirect_uri) +
                    "&scope=" + UrlEncode(config_.scope) + "&state=" + state + "&nonce=" + nonce +
                    "&code_challenge=" + S256Challenge(verifier) + "&code_challenge_method=S256";
  return OidcLoginStart{std::move(binding), std::move(url)};
}

Result<OidcClient::PendingLogin> OidcClient::TakePendingLogin(const SecretString& binding,
                                                              std::string_view state) {
  if (state.empty()) return LoginFailed("callback without state");
  // DELETE ... RETURNING makes the state single-use even under concurrent callbacks.
  BROKER_ASSIGN_OR_RETURN(
      store::ResultSet rows,
      db_.Execute("DELETE FROM oidc_logins WHERE state_hash = $1 "
                  "RETURNING binding_hash, nonce, code_verifier, return_to, created_at",
                  {Sha256Hex(state)}));
  if (rows.empty()) return LoginFailed("unknown or already used state");
  const store::Row& row = rows.rows[0];
  if (binding.empty() || !SecretEquals(Sha256Hex(binding.RevealForUse()), row.Text(0))) {
    return LoginFailed("state not bound to this browser");
  }
  if (clock_.NowMillis() >= row.Int(4) + config_.login_ttl_seconds * 1000) {
    return LoginFailed("login attempt expired");
  }
  return PendingLogin{row.Text(1), row.Text(2), row.Text(3)};
}

Result<OidcClient::Tokens> OidcClient::ExchangeCode(const Provider& provider,
                                                    const PendingLogin& login,
                                                    std::string_view code) {
  if (code.empty()) return LoginFailed("callback without code");
  std::string body = "grant_type=authorization_code&code=" + UrlEncode(code) +
                     "&redirect_uri=" + UrlEncode(config_.redirect_uri) +
                     "&code_verifier=" + UrlEncode(login.code_verifier);
  // client_secret_basic (RFC 6749 section 2.3.1): both parts form-encoded first.
  std::string basic = Base64Encode(UrlEncode(config_.client_id) + ":" +
                                   UrlEncode(config_.client_secret.RevealForUse()));
  BROKER_ASSIGN_OR_RETURN(HttpReply reply, http_.PostForm(provider.token_endpoint, body,
                                                          {{"Authorization", "Basic " + basic},
                                                           {"Accept", "application/json"}}));
  if (reply.status != 200) {
    return LoginFailed("token endpoint answered " + std::to_string(reply.status));
  }
  auto json = ParseStrictJson(reply.body);
  if (!json.ok() || !json->is_object()) return LoginFailed("token response is not JSON");
  Tokens tokens{SecretString(StringOr(*json, "access_token")), StringOr(*json, "id_token")};
  if (tokens.id_token.empty()) return LoginFailed("token response has no id_token");
  return tokens;
}

Result<Json> OidcClient::FetchJwks(const Provider& provider, bool force) {
  UnixMillis now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    bool fresh = !jwks_.is_null() && (!force || now - jwks_fetched_at_ < kJwksRefreshMillis);
    if (fresh) return jwks_;
  }
  BROKER_ASSIGN_OR_RETURN(HttpReply reply,
                          http_.Get(provider.jwks_uri, {{"Accept", "application/json"}}));
  auto json = ParseStrictJson(reply.body);
  if (reply.status != 200 || !json.ok() || !json->is_object()) {
    return Unavailable("Identity provider unavailable", "jwks could not be read");
  }
  std::lock_guard lock(mu_);
  jwks_ = *json;
  jwks_fetched_at_ = now;
  return jwks_;
}

Result<Json> OidcClient::VerifyIdToken(const Provider& provider, std::string_view token,
                                       std::string_view nonce) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return LoginFailed("id token is not a compact JWS");
  }
  BROKER_ASSIGN_OR_RETURN(Json header, DecodeSegment(token.substr(0, first)));
  std::string alg = StringOr(header, "alg");
  bool allowed = alg == "RS256" &&
                 std::find(provider.id_token_algs.begin(), provider.id_token_algs.end(), alg) !=
                     provider.id_token_algs.end();
  if (!allowed) return LoginFailed("id token alg is not RS256");
  if (header.contains("crit")) return LoginFailed("id token has crit header");
  // jku, x5u and jwk headers are ignored: keys come only from the provider's jwks_uri.
  std::optional<std::string> kid;
  if (header.contains("kid")) {
    if (!header["kid"].is_string()) return LoginFailed("id token kid is not a string");
    kid = header["kid"].get<std::string>();
  }
  auto signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature.has_value()) return LoginFailed("id token signature is not base64url");
  BROKER_ASSIGN_OR_RETURN(Json jwks, FetchJwks(provider, false));
  const Json* key = FindKey(jwks, kid);
  if (key == nullptr) {
    BROKER_ASSIGN_OR_RETURN(jwks, FetchJwks(provider, true));
    key = FindKey(jwks, kid);
  }
  if (key == nullptr) return LoginFailed("no provider key for the id token");
  Status verified = VerifyRs256(*key, token.substr(0, second), *signature);
  if (!verified.ok()) return LoginFailed("id token: " + verified.error().ToString());
  BROKER_ASSIGN_OR_RETURN(Json claims, DecodeSegment(token.substr(first + 1, second - first - 1)));
  BROKER_RETURN_IF_ERROR(CheckClaims(provider, claims, nonce));
  return claims;
}

Status OidcClient::CheckClaims(const Provider& provider, const Json& claims,
                               std::string_view nonce) {
  if (StringOr(claims, "iss") != provider.issuer) return LoginFailed("id token iss mismatch");
  const Json* aud = claims.contains("aud") ? &claims["aud"] : nullptr;
  bool aud_ok =
      aud != nullptr &&
      ((aud->is_string() && *aud == config_.client_id) ||
       (aud->is_array() && std::find(aud->begin(), aud->end(), config_.client_id) != aud->end()));
  if (!aud_ok) return LoginFailed("id token aud mismatch");
  if (aud->is_array() && aud->size() > 1 && StringOr(claims, "azp") != config_.client_id) {
    return LoginFailed("id token azp mismatch");
  }
  if (!claims.contains("exp") || !claims["exp"].is_number() || !claims.contains("iat") ||
      !claims["iat"].is_number()) {
    return LoginFailed("id token lacks exp or iat");
  }
  auto exp = claims["exp"].get<double>();
  auto iat = claims["iat"].get<double>();
  auto now = static_cast<double>(clock_.NowSeconds());
  auto skew = static_cast<double>(config_.clock_skew_seconds);
  if (now >= exp + skew) return LoginFailed("id token expired");
  if (iat > now + skew) return LoginFailed("id token issued in the future");
  if (iat < now - static_cast<double>(config_.max_token_age_seconds)) {
    return LoginFailed("id token too old");
  }
  std::string token_nonce = StringOr(claims, "nonce");
  if (token_nonce.empty() || !SecretEquals(token_nonce, nonce)) {
    return LoginFailed("id token nonce mismatch");
  }
  if (StringOr(claims, "sub").empty()) return LoginFailed("id token has no sub");
  return OkStatus();
}

Result<Json> OidcClient::FetchUserinfo(const Provider& provider, const Tokens& tokens,
                                       const Json& id_claims) {
  if (provider.userinfo_endpoint.empty() || tokens.access_token.empty()) return id_claims;
  BROKER_ASSIGN_OR_RETURN(
      HttpReply reply, http_.Get(provider.userinfo_endpoint,
                                 {{"Authorization", "Bearer " + tokens.access_token.RevealForUse()},
                                  {"Accept", "application/json"}}));
  if (reply.status != 200) {
    return LoginFailed("userinfo answered " + std::to_string(reply.status));
  }
  auto json = ParseStrictJson(reply.body);
  if (!json.ok() || !json->is_object()) return LoginFailed("userinfo is not a JSON object");
  // OpenID Connect Core 5.3.2: the userinfo sub must match the ID token's.
  if (StringOr(*json, "sub") != StringOr(id_claims, "sub")) {
    return LoginFailed("userinfo sub differs from id token sub");
  }
  return std::move(json).value();
}

OidcIdentity OidcClient::MapIdentity(const Json& userinfo) const {
  const UserinfoMapping& map = config_.mapping;
  OidcIdentity identity;
  UserProfile& profile = identity.profile;
  profile.domain = map.domain_path.empty() ? map.domain : MappedString(userinfo, map.domain_path);
  profile.email = MappedString(userinfo, map.email);
  profile.guid = MappedString(userinfo, map.guid);
  profile.name = MappedString(userinfo, map.name);
  profile.username = Lower(MappedString(userinfo, map.username));
  const Json* roles = map.roles.empty() ? nullptr : JsonAtPath(userinfo, map.roles);
  if (roles != nullptr && roles->is_array()) {
    for (const Json& role : *roles) {
      if (role.is_string()) identity.roles.push_back(role.get<std::string>());
    }
  }
  return identity;
}

Result<OidcIdentity> OidcClient::Finish(const SecretString& binding, std::string_view state,
                                        std::string_view code) {
  BROKER_ASSIGN_OR_RETURN(PendingLogin login, TakePendingLogin(binding, state));
  BROKER_ASSIGN_OR_RETURN(std::shared_ptr<const Provider> provider, GetProvider());
  BROKER_ASSIGN_OR_RETURN(Tokens tokens, ExchangeCode(*provider, login, code));
  BROKER_ASSIGN_OR_RETURN(Json claims, VerifyIdToken(*provider, tokens.id_token, login.nonce));
  BROKER_ASSIGN_OR_RETURN(Json userinfo, FetchUserinfo(*provider, tokens, claims));
  OidcIdentity identity = MapIdentity(userinfo);
  if (identity.profile.username.empty()) return LoginFailed("userinfo has no username");
  identity.return_to = login.return_to;
  return identity;
}

Result<int64_t> OidcClient::PurgeExpired() {
  BROKER_ASSIGN_OR_RETURN(store::ResultSet rows,
                          db_.Execute("DELETE FROM oidc_logins WHERE created_at <= $1",
                                      {clock_.NowMillis() - config_.login_ttl_seconds * 1000}));
  return rows.affected_rows;
}

}  // namespace broker::users
