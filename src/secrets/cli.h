#pragma once

// `broker secrets get PATH` and `broker secrets list PREFIX` for the CLI (the lead wires the
// commands). Both print JSON to `out`: get prints {"version":N,"data":{key:value,...},
// "generations":{key:N,...}} (values shown in clear: the operator asked for them), list prints
// ["name", "folder/", ...].

#include <ostream>
#include <string>

#include "core/status.h"
#include "secrets/tools_store.h"

namespace broker::secrets {

// Errors: those of ToolsStore::Read / List (NotFound, InvalidArgument, Unavailable, ...).
Status CliGet(ToolsStore& store, const std::string& path, std::ostream& out);
Status CliList(ToolsStore& store, const std::string& prefix, std::ostream& out);

}  // namespace broker::secrets
