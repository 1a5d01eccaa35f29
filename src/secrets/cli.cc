#include "secrets/cli.h"

#include "core/json.h"

namespace broker::secrets {

Status CliGet(ToolsStore& store, const std::string& path, std::ostream& out) {
  BROKER_ASSIGN_OR_RETURN(ToolsSecret secret, store.Read(path));
  Json data = Json::object();
  for (const auto& [key, value] : secret.data) data[key] = value.RevealForUse();
  Json doc = {{"version", secret.version}, {"data", data}, {"generations", secret.generations}};
  out << doc.dump(2) << "\n";
  return OkStatus();
}

Status CliList(ToolsStore& store, const std::string& prefix, std::ostream& out) {
  BROKER_ASSIGN_OR_RETURN(auto names, store.List(prefix));
  out << Json(names).dump(2) << "\n";
  return OkStatus();
}

}  // namespace broker::secrets
