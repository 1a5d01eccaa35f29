#include "notify/templates.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/encoding.h"

namespace broker::notify {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAlertSubject =
    "Broker token for {{accountName}} expires in {{daysText}}";
constexpr std::string_view kAlertBody =
    "Hello {{recipientName}},\n"
    "\n"
    "The Broker account token of {{accountName}} expires in {{daysText}}.\n"
    "\n"
    "  Account:    {{accountName}}\n"
    "  client_id:  {{clientId}}\n"
    "  Token JTI:  {{jti}}\n"
    "  Expires:    {{expirationDisplay}}\n"
    "  Last used:  {{lastUsedDisplay}}\n"
    "\n"
    "If the account is still in use, generate a new token on its token page before then:\n"
    "{{tokenUrl}}\n"
    "\n"
    "If the account is no longer used, you can let the token lapse.\n"
    "\n"
    "You receive this because you are a lead-developer or full-access member of a team that\n"
    "owns the account.\n";

constexpr std::string_view kOwnerSubject =
    "Broker token for {{accountName}} (a team you own) expires in {{daysText}}";
constexpr std::string_view kOwnerBody =
    "Hello {{recipientName}},\n"
    "\n"
    "The Broker account token of {{accountName}}, owned by a team you own, expires in "
    "{{daysText}}.\n"
    "\n"
    "  Account:    {{accountName}}\n"
    "  client_id:  {{clientId}}\n"
    "  Token JTI:  {{jti}}\n"
    "  Expires:    {{expirationDisplay}}\n"
    "  Last used:  {{lastUsedDisplay}}\n"
    "\n"
    "The team's lead developers have been told as well. The token page:\n"
    "{{tokenUrl}}\n";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool IsKnown(std::string_view name) {
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), name) != kPlaceholders.end();
}

// Every placeholder of `text` is known (values are not needed to check).
Status CheckPlaceholders(std::string_view text) {
  TemplateValues dummy;
  for (std::string_view name : kPlaceholders) dummy.emplace(name, "");
  auto rendered = RenderText(text, dummy);
  if (!rendered.ok()) return std::move(rendered).error();
  return OkStatus();
}

// The file's text, or nullopt if it does not exist.
Result<std::optional<std::string>> ReadOptional(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<std::string>();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Unavailable("Cannot read the template " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return std::optional<std::string>(text.str());
}

Status CheckFileText(const fs::path& file, std::string& text, bool one_line) {
  if (!IsValidUtf8(text)) return InvalidArgument("The template " + file.string() + " is not UTF-8");
  if (one_line) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("The subject template " + file.string() + " must be one line");
    }
  }
  if (Trim(text).empty()) return InvalidArgument("The template " + file.string() + " is empty");
  if (Status known = CheckPlaceholders(text); !known.ok()) {
    return InvalidArgument(known.error().message() + " in " + file.string());
  }
  return OkStatus();
}

Status Override(const fs::path& file, bool one_line, std::string& target) {
  BROKER_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadOptional(file));
  if (!text) return OkStatus();
  BROKER_RETURN_IF_ERROR(CheckFileText(file, *text, one_line));
  target = std::move(*text);
  return OkStatus();
}

}  // namespace

Result<std::string> RenderText(std::string_view text, const TemplateValues& values) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    out.append(text.substr(pos, open == std::string_view::npos ? text.size() - pos : open - pos));
    if (open == std::string_view::npos) return out;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return InvalidArgument("Unclosed {{ in a template");
    const std::string_view name = Trim(text.substr(open + 2, close - open - 2));
    const auto value = values.find(name);
    if (!IsKnown(name) || value == values.end()) {
      return InvalidArgument("Unknown template placeholder {{" + std::string(name) + "}}");
    }
    out += value->second;
    pos = close + 2;
  }
}

TemplateSet TemplateSet::Defaults() {
  TemplateSet set;
  set.templates_.emplace(kAlertTemplate,
                         MailTemplate{std::string(kAlertSubject), std::string(kAlertBody)});
  set.templates_.emplace(kOwnerTemplate,
                         MailTemplate{std::string(kOwnerSubject), std::string(kOwnerBody)});
  return set;
}

Result<TemplateSet> TemplateSet::Load(const std::string& dir) {
  TemplateSet set = Defaults();
  if (dir.empty()) return set;
  for (auto& [name, mail] : set.templates_) {
    const fs::path base = fs::path(dir) / name;
    BROKER_RETURN_IF_ERROR(Override(base.string() + ".subject.txt", true, mail.subject));
    BROKER_RETURN_IF_ERROR(Override(base.string() + ".body.txt", false, mail.body));
  }
  return set;
}

Result<MailTemplate> TemplateSet::Find(std::string_view name) const {
  const auto it = templates_.find(name);
  if (it == templates_.end()) return NotFound("No e-mail template " + std::string(name));
  return it->second;
}

Result<RenderedMail> TemplateSet::Render(std::string_view name,
                                         const TemplateValues& values) const {
  BROKER_ASSIGN_OR_RETURN(const MailTemplate mail, Find(name));
  BROKER_ASSIGN_OR_RETURN(std::string subject, RenderText(mail.subject, values));
  BROKER_ASSIGN_OR_RETURN(std::string body, RenderText(mail.body, values));
  return RenderedMail{std::move(subject), std::move(body)};
}

}  // namespace broker::notify
