#include "accounts/lookup.h"

#include <spdlog/spdlog.h>

#include "core/ids.h"
#include "core/time_format.h"

namespace broker::accounts {
namespace {

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::string> StringMember(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// True when verification got past the signature: any later failure (expiry, claim rules)
// still means the keys signed it.
bool SignatureVerified(const std::optional<jwt::VerifyError>& error) {
  if (!error) return true;
  switch (error->reason) {
    case jwt::Rejection::kBadClaims:
    case jwt::Rejection::kExpired:
    case jwt::Rejection::kNotYetValid:
    case jwt::Rejection::kIssuedInFuture:
    case jwt::Rejection::kLifetimeTooLong:
      return true;
    default:
      return false;
  }
}

void Describe(LookupResult& result, const TokenRow& row, UnixSeconds now) {
  result.jti = row.jti;
  result.state = std::string(TokenStateName(StateAt(row, now)));
  result.grace_until = row.grace_until;
  result.exp = row.exp;
}

}  // namespace

Json LookupJson(const LookupResult& result) {
  Json out = {{"account",
               {{"id", result.account.id},
                {"name", result.account.name},
                {"clientId", result.account.client_id}}},
              {"kind", result.from_token ? "token" : "clientId"}};
  if (result.jti) out["jti"] = *result.jti;
  if (result.state) out["state"] = *result.state;
  if (result.grace_until) out["graceUntil"] = FormatIso8601(*result.grace_until * 1000);
  if (result.exp) out["exp"] = *result.exp;
  if (result.signature_valid) out["signatureValid"] = *result.signature_valid;
  return out;
}

Result<LookupResult> TokenLookup::Lookup(const SecretString& query) {
  const std::string_view text = Trim(query.RevealForUse());
  if (IsUuid(text)) return ByClientId(std::string(text));
  if (text.find('.') != std::string_view::npos) return ByToken(text);
  return InvalidArgument("Enter a client_id or a whole token");
}

Result<LookupResult> TokenLookup::ByClientId(const std::string& client_id) {
  LookupResult result;
  BROKER_ASSIGN_OR_RETURN(result.account, directory_.FindByClientId(client_id));
  BROKER_ASSIGN_OR_RETURN(std::vector<TokenRow> rows, registry_.List(result.account.id));
  if (!rows.empty()) Describe(result, rows.front(), clock_.NowSeconds());
  return result;
}

Result<LookupResult> TokenLookup::ByToken(std::string_view token) {
  auto decoded = jwt::DecodeUnverified(token);
  if (!decoded) return InvalidArgument("This is not a readable token");
  std::optional<std::string> client_id = StringMember(decoded->payload, "client_id");
  std::optional<std::string> jti = StringMember(decoded->payload, "jti");
  if (!client_id) return InvalidArgument("The token has no client_id");
  LookupResult result;
  result.from_token = true;
  BROKER_ASSIGN_OR_RETURN(result.account, directory_.FindByClientId(*client_id));
  const UnixSeconds now = clock_.NowSeconds();
  jwt::Claims ignored;
  result.signature_valid = SignatureVerified(keys_.VerifyDetailed(token, now, {}, &ignored));
  result.state = "unknown";
  if (jti && IsUuid(*jti)) {
    result.jti = *jti;
    BROKER_ASSIGN_OR_RETURN(std::optional<TokenRow> row, registry_.Find(*jti));
    if (row && row->account_id == result.account.id) Describe(result, *row, now);
    spdlog::info("token look-up: jti={} state={}", *jti, *result.state);
  }
  return result;
}

}  // namespace broker::accounts
