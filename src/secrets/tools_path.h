#pragma once

// The tools path template (VAULT_KV_APPS_TOOLS_PATH_TPL, default
// "tools/<%= projectName %>/<%= serviceName %>"). Only the two EJS output tags
// `<%= projectName %>` and `<%= serviceName %>` are supported (spaces inside the tag are
// optional); any other `<%` tag is refused at start.

#include <string>
#include <vector>

#include "core/status.h"

namespace broker::secrets {

inline constexpr char kDefaultToolsPathTemplate[] = "tools/<%= projectName %>/<%= serviceName %>";

class ToolsPathTemplate {
 public:
  // InvalidArgument naming the problem for an unsupported tag, an unterminated tag, or a
  // template whose rendering could not be a valid tools path.
  static Result<ToolsPathTemplate> Parse(const std::string& text);

  // The path for one project and service. InvalidArgument if a name contains '/' or renders
  // an invalid path (see ValidateToolsPath).
  Result<std::string> Render(const std::string& project_name,
                             const std::string& service_name) const;

 private:
  enum class Part { kLiteral, kProject, kService };
  struct Piece {
    Part part;
    std::string literal;
  };
  std::vector<Piece> pieces_;
};

}  // namespace broker::secrets
