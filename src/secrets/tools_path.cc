#include "secrets/tools_path.h"

#include "secrets/tools_store.h"

namespace broker::secrets {
namespace {

std::string Trim(const std::string& text) {
  auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

Result<ToolsPathTemplate> ToolsPathTemplate::Parse(const std::string& text) {
  ToolsPathTemplate tpl;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("<%", pos);
    if (open == std::string::npos) {
      tpl.pieces_.push_back({Part::kLiteral, text.substr(pos)});
      break;
    }
    if (open > pos) tpl.pieces_.push_back({Part::kLiteral, text.substr(pos, open - pos)});
    size_t close = text.find("%>", open);
    if (close == std::string::npos || text.compare(open, 3, "<%=") != 0) {
      return InvalidArgument(
          "VAULT_KV_APPS_TOOLS_PATH_TPL: only <%= projectName %> and "
          "<%= serviceName %> tags are supported");
    }
    std::string name = Trim(text.substr(open + 3, close - open - 3));
    if (name == "projectName") {
      tpl.pieces_.push_back({Part::kProject, ""});
    } else if (name == "serviceName") {
      tpl.pieces_.push_back({Part::kService, ""});
    } else {
      return InvalidArgument("VAULT_KV_APPS_TOOLS_PATH_TPL: unsupported variable '" + name + "'");
    }
    pos = close + 2;
  }
  auto sample = tpl.Render("project", "service");
  if (!sample.ok()) return InvalidArgument("VAULT_KV_APPS_TOOLS_PATH_TPL renders an invalid path");
  return tpl;
}

Result<std::string> ToolsPathTemplate::Render(const std::string& project_name,
                                              const std::string& service_name) const {
  if (project_name.find('/') != std::string::npos || service_name.find('/') != std::string::npos) {
    return InvalidArgument("Project and service names must not contain '/'");
  }
  std::string out;
  for (const auto& piece : pieces_) {
    switch (piece.part) {
      case Part::kLiteral:
        out += piece.literal;
        break;
      case Part::kProject:
        out += project_name;
        break;
      case Part::kService:
        out += service_name;
        break;
    }
  }
  BROKER_RETURN_IF_ERROR(ValidateToolsPath(out));
  return out;
}

}  // namespace broker::secrets
