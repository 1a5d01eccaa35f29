#include "accounts/bearer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "audit/record.h"
#include "core/ids.h"

namespace broker::accounts {
namespace {

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

bool HasSpace(std::string_view text) {
  return std::ranges::any_of(
      text, [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

// The jti of an unverified token, only if it looks like one: safe to log.
std::string LoggableJti(std::string_view token) {
  auto decoded = jwt::DecodeUnverified(token);
  if (!decoded || !decoded->payload.is_object()) return "-";
  auto it = decoded->payload.find("jti");
  if (it == decoded->payload.end() || !it->is_string()) return "-";
  const auto& jti = it->get_ref<const std::string&>();
  return IsUuid(jti) ? jti : "-";
}

Result<api::AccountPrincipal> Refuse(std::string_view jti, std::string_view reason) {
  spdlog::info("account token refused: jti={} reason={}", jti, reason);
  // No "error" member: the NestJS body {"statusCode":401,"message":"Unauthorized"}.
  return Unauthenticated("Unauthorized", std::string(reason)).WithLabel("");
}

}  // namespace

std::optional<std::string_view> ParseBearer(std::string_view authorization) {
  const size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!EqualsIgnoreCase(authorization.substr(0, space), "bearer")) return std::nullopt;
  std::string_view token = authorization.substr(space + 1);
  if (token.empty() || HasSpace(token)) return std::nullopt;
  return token;
}

Status CheckAccountScope(const api::AccountPrincipal& caller, std::string_view account_id) {
  if (caller.account_id == account_id) return OkStatus();
  return PermissionDenied("This token belongs to another account");
}

Result<api::AccountPrincipal> BearerAuthenticator::Authenticate(
    const BearerCredentials& credentials) {
  if (audit_) {
    audit_->Enqueue(audit::AuthenticationStart({credentials.source_ip, credentials.user_agent}));
  }
  jwt::Claims claims;
  Result<api::AccountPrincipal> outcome = Check(credentials, claims);
  Finish(credentials, claims, outcome);
  return outcome;
}

Result<api::AccountPrincipal> BearerAuthenticator::Check(const BearerCredentials& credentials,
                                                         jwt::Claims& claims) {
  if (credentials.token_in_query) return Refuse("-", "token in query string");
  if (credentials.authorization_count != 1) return Refuse("-", "not exactly one Authorization");
  std::optional<std::string_view> token = ParseBearer(credentials.authorization);
  if (!token) return Refuse("-", "not a Bearer credential");
  const UnixSeconds now = clock_.NowSeconds();
  if (auto error = verified_.Verify(*token, now, &claims)) {
    claims = {};  // nothing of an unverified token reaches the audit record
    return Refuse(LoggableJti(*token), jwt::RejectionName(error->reason));
  }
  return CheckRegistry(claims, now);
}

Result<api::AccountPrincipal> BearerAuthenticator::CheckRegistry(const jwt::Claims& claims,
                                                                 UnixSeconds now) {
  BROKER_ASSIGN_OR_RETURN(TokenFacts facts, facts_.Read(claims));
  const std::optional<TokenRow>& row = facts.row;
  if (!row) return Refuse(claims.jti, "no registry row");
  if (row->client_id != claims.client_id || row->sub != claims.sub || row->exp != claims.exp ||
      row->iat != claims.iat) {
    return Refuse(claims.jti, "claims differ from the registry row");
  }
  auto account = directory_.FindById(row->account_id);
  if (!account.ok()) {
    if (account.error().code() != ErrorCode::kNotFound) return std::move(account).error();
    return Refuse(claims.jti, "account deleted");
  }
  if (account->client_id != claims.client_id) return Refuse(claims.jti, "client_id changed");
  if (!facts.rules.ok()) {
    spdlog::info("account token refused: jti={} reason={}", claims.jti,
                 facts.rules.error().label().value_or("rules"));
    return std::move(facts.rules).error();
  }
  const TokenState state = StateAt(*row, now);
  if (state == TokenState::kExpired) return Refuse(claims.jti, "expired");
  if (state == TokenState::kBlocked) {
    spdlog::info("account token refused: jti={} reason=blocked", claims.jti);
    return PermissionDenied("Invalid JWT").WithLabel("Block list has match");
  }
  return api::AccountPrincipal{.account_id = account->id,
                               .vertex_id = account->vertex_id,
                               .client_id = claims.client_id,
                               .jti = claims.jti,
                               .sub = claims.sub,
                               .exp = claims.exp};
}

void BearerAuthenticator::Finish(const BearerCredentials& credentials, const jwt::Claims& claims,
                                 const Result<api::AccountPrincipal>& outcome) {
  if (outcome.ok() && last_use_) {
    last_use_->Record(claims.jti, clock_.NowMillis(), credentials.source_ip,
                      credentials.user_agent);
  }
  if (!audit_) return;
  audit::AuthFields auth;
  if (!claims.jti.empty()) {
    auth = {.client_id = claims.client_id,
            .jti = claims.jti,
            .exp = claims.exp,
            .iat = claims.iat,
            .nbf = claims.nbf,
            .sub = claims.sub};
  }
  std::string reason;
  if (!outcome.ok()) {
    const Error& error = outcome.error();
    reason = error.label().value_or("");
    if (reason.empty()) reason = error.internal_message();
    if (reason.empty()) reason = error.message();
  }
  audit_->Enqueue(audit::AuthenticationEnd(
      outcome.ok(), auth, {credentials.source_ip, credentials.user_agent}, reason));
}

}  // namespace broker::accounts
