#pragma once

// The editable e-mail templates of expiry notices.
//
// Two templates, each a subject and a body:
//   token-expiration-alert  to lead-developer and full-access members of the owning teams
//                           (7, 3, 2 and 1 days before expiry)
//   token-expiration-owner  to team owners (7 days before expiry only)
// Operators override either part with a file in the template directory (default
// `<data dir>/templates`): `<name>.subject.txt` (one line) and `<name>.body.txt`. A missing file
// keeps the built-in default.
//
// Placeholders are `{{name}}` with the names in kPlaceholders; an unknown name is an error at
// load time, so a typo stops start-up instead of reaching users. Values are inserted as plain
// text (the message is text/plain).
//
// Thread-safety: a loaded TemplateSet is immutable.

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace broker::notify {

inline constexpr std::string_view kAlertTemplate = "token-expiration-alert";
inline constexpr std::string_view kOwnerTemplate = "token-expiration-owner";

// accountName, clientId, collectionId (the account's id), jti, daysUntilExpiration ("3"),
// daysText ("3 days" / "1 day"), expirationDisplay, expirationIso, lastUsedDisplay ("Never
// used" or a date), recipientName, tokenUrl (the token page).
inline constexpr std::array<std::string_view, 11> kPlaceholders = {
    "accountName",         "clientId",      "collectionId",      "jti",
    "daysUntilExpiration", "daysText",      "expirationDisplay", "expirationIso",
    "lastUsedDisplay",     "recipientName", "tokenUrl"};

using TemplateValues = std::map<std::string, std::string, std::less<>>;

struct MailTemplate {
  std::string subject;
  std::string body;
};

struct RenderedMail {
  std::string subject;
  std::string body;
};

// Replaces every {{name}} in `text` (spaces inside the braces allowed). InvalidArgument naming
// the placeholder when it is not in kPlaceholders or has no value, or when a "{{" is not closed.
Result<std::string> RenderText(std::string_view text, const TemplateValues& values);

class TemplateSet {
 public:
  // The built-in templates.
  static TemplateSet Defaults();
  // Defaults overridden by the files found in `dir` (which need not exist). InvalidArgument
  // naming the file for a subject of more than one line, an empty file, a file that is not
  // UTF-8, or an unknown placeholder; Unavailable if a file exists but cannot be read.
  static Result<TemplateSet> Load(const std::string& dir);

  // The template called `name` (kAlertTemplate or kOwnerTemplate); NotFound otherwise.
  Result<MailTemplate> Find(std::string_view name) const;
  // Renders template `name` with `values`. Errors as Find and RenderText.
  Result<RenderedMail> Render(std::string_view name, const TemplateValues& values) const;

 private:
  std::map<std::string, MailTemplate, std::less<>> templates_;
};

}  // namespace broker::notify
