#include "accounts/verified_tokens.h"

#include <mutex>

#include "core/secret.h"

namespace broker::accounts {

std::optional<jwt::VerifyError> VerifiedTokens::Verify(std::string_view token, int64_t now,
                                                       jwt::Claims* claims_out) {
  // Over-long input is refused by VerifyDetailed before anything else; do not hash it.
  if (token.size() > options_.max_token_bytes) {
    return keys_.VerifyDetailed(token, now, options_, claims_out);
  }
  const std::string digest = Sha256Hex(token);
  std::optional<jwt::Claims> known;
  {
    std::shared_lock lock(mutex_);
    if (auto it = verified_.find(digest); it != verified_.end()) known = it->second;
  }
  if (known) {
    if (auto error = jwt::CheckTimeClaims(*known, now, options_)) return error;
    if (claims_out != nullptr) *claims_out = std::move(*known);
    return std::nullopt;
  }
  jwt::Claims claims;
  if (auto error = keys_.VerifyDetailed(token, now, options_, &claims)) return error;
  {
    std::unique_lock lock(mutex_);
    if (verified_.size() >= capacity_) verified_.clear();
    verified_.try_emplace(digest, claims);
  }
  if (claims_out != nullptr) *claims_out = std::move(claims);
  return std::nullopt;
}

size_t VerifiedTokens::size() const {
  std::shared_lock lock(mutex_);
  return verified_.size();
}

}  // namespace broker::accounts
