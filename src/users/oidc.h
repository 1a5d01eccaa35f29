#pragma once

// OpenID Connect sign-in: authorization code flow with PKCE (S256), SECURITY.md 3.7.
//
// Start() creates a login attempt: a 256-bit `state`, a `nonce`, a PKCE `code_verifier` and the
// deep-link return path are stored server-side (table oidc_logins) and bound to a random
// pre-login cookie value; the browser is sent to the provider's authorization endpoint.
// Finish() consumes the attempt (single use, by state), checks the cookie binding and age,
// exchanges the code at the token endpoint, verifies the ID token (RS256 against the
// provider's JWKS; iss, aud, azp, exp, iat, nonce), reads userinfo and maps it to a profile.
//
// Thread-safe.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "store/database.h"
#include "users/http_client.h"
#include "users/user_directory.h"

namespace broker::users {

// Dotted paths into the userinfo document (reference section 3.2 / 13).
struct UserinfoMapping {
  std::string domain_path;                 // OAUTH2_CLIENT_MAP_DOMAIN; empty: use `domain`
  std::string domain = "idp";              // OAUTH2_CLIENT_DOMAIN
  std::string email = "email";             // OAUTH2_CLIENT_MAP_EMAIL
  std::string guid = "idir_user_guid";     // OAUTH2_CLIENT_MAP_GUID
  std::string name = "display_name";       // OAUTH2_CLIENT_MAP_NAME
  std::string roles = "client_roles";      // OAUTH2_CLIENT_MAP_ROLES
  std::string username = "idir_username";  // OAUTH2_CLIENT_MAP_USERNAME (lower-cased)
};

struct OidcConfig {
  std::string issuer;                          // OAUTH2_CLIENT_PROVIDER_OIDC_ISSUER
  std::string client_id;                       // OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_ID
  SecretString client_secret;                  // OAUTH2_CLIENT_REGISTRATION_LOGIN_CLIENT_SECRET
  std::string redirect_uri;                    // OAUTH2_CLIENT_REGISTRATION_LOGIN_REDIRECT_URI
  std::string scope = "openid profile email";  // OAUTH2_CLIENT_REGISTRATION_LOGIN_SCOPE
  std::string post_logout_redirect_uri;        // OAUTH2_CLIENT_REGISTRATION_LOGIN_POST_LOGOUT_...
  std::string label = "OIDC";                  // OAUTH2_CLIENT_PROVIDER_LABEL (new): button text
  UserinfoMapping mapping;
  int64_t login_ttl_seconds = 600;      // how long a started login may take
  int64_t clock_skew_seconds = 60;      // leeway on exp and iat
  int64_t max_token_age_seconds = 600;  // iat older than this is refused
};

// Reads the OAUTH2_CLIENT_* variables through `getenv`. nullopt when OIDC is not configured
// (no issuer or no client id); InvalidArgument when it is half configured (no redirect URI).
using EnvReader = std::function<std::optional<std::string>(std::string_view)>;
Result<std::optional<OidcConfig>> OidcConfigFromEnv(const EnvReader& getenv);

// True for a same-origin relative path: starts with a single "/", no "//" or "\" prefix, no
// control characters, at most 2048 bytes.
bool IsSafeReturnPath(std::string_view path);

// The value at a dotted `path` in `document`, or nullptr.
const Json* JsonAtPath(const Json& document, std::string_view path);

struct OidcLoginStart {
  SecretString binding;  // value of the pre-login cookie
  std::string authorize_url;
};

struct OidcIdentity {
  UserProfile profile;  // without user_id / vertex_id: Upsert it
  std::vector<std::string> roles;
  std::string return_to;
};

class OidcClient {
 public:
  // References must outlive the client; `db` migrated with MigrateUsers.
  OidcClient(OidcConfig config, store::Database& db, HttpClient& http, const Clock& clock,
             Random& random);

  const OidcConfig& config() const { return config_; }

  // Starts a login that returns to `return_to` (replaced by "/" unless IsSafeReturnPath).
  // Unavailable when the provider's discovery document cannot be read.
  Result<OidcLoginStart> Start(std::string_view return_to);

  // Completes a login from the callback's `state` and `code` and the pre-login cookie.
  // Unauthenticated (public message "Login failed") for an unknown, used, expired or unbound
  // state, a refused code, or an ID token or userinfo that fails a check (the reason is in the
  // internal message); Unavailable when the provider cannot be reached.
  Result<OidcIdentity> Finish(const SecretString& binding, std::string_view state,
                              std::string_view code);

  // Deletes login attempts older than the TTL; returns how many.
  Result<int64_t> PurgeExpired();

 private:
  struct Provider;
  struct PendingLogin;
  struct Tokens;

  Result<std::shared_ptr<const Provider>> GetProvider();
  Result<Json> FetchJwks(const Provider& provider, bool force);
  Result<PendingLogin> TakePendingLogin(const SecretString& binding, std::string_view state);
  Result<Tokens> ExchangeCode(const Provider& provider, const PendingLogin& login,
                              std::string_view code);
  Result<Json> VerifyIdToken(const Provider& provider, std::string_view token,
                             std::string_view nonce);
  Status CheckClaims(const Provider& provider, const Json& claims, std::string_view nonce);
  Result<Json> FetchUserinfo(const Provider& provider, const Tokens& tokens, const Json& id_claims);
  OidcIdentity MapIdentity(const Json& userinfo) const;

  OidcConfig config_;
  store::Database& db_;
  HttpClient& http_;
  const Clock& clock_;
  Random& random_;
  std::mutex mu_;
  std::shared_ptr<const Provider> provider_;
  Json jwks_;
  UnixMillis jwks_fetched_at_ = 0;
};

// Verifies an RS256 JWS signature over `signing_input` with the RSA public key (`n`, `e`,
// base64url) of a JWK. InvalidArgument for a malformed key or a modulus under 2048 bits;
// Unauthenticated for a bad signature. Exposed for tests.
Status VerifyRs256(const Json& jwk, std::string_view signing_input, std::string_view signature);

}  // namespace broker::users
