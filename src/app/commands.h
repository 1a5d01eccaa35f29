#pragma once

// The CLI subcommands. Each returns the process exit code: 0 on success, 1 when the operation
// failed (the reason is printed on stderr), 2 for bad arguments.

#include <string>

#include "app/broker.h"

namespace broker::app {

struct CommandArgs {
  std::string file;
  std::string username;
  std::string email;
  std::string name;
  bool admin = false;
  bool password_stdin = false;
  std::string account;
  std::string expiration = "90d";
  bool no_vault = false;
  bool no_sync = false;
  std::string jti;
  std::string query;
  std::string path;
  bool reveal = false;
  std::string rule_list;
  std::string client_id;
  std::string sub;
  std::string rule_id;
  std::string now;  // ISO 8601; empty = the clock
};

int ServeCommand(Broker& broker, const std::string& executable_path);
int ImportCommand(Broker& broker, const CommandArgs& args);
int UserAddCommand(Broker& broker, const CommandArgs& args);
int TokenGenerateCommand(Broker& broker, const CommandArgs& args);
int TokenListCommand(Broker& broker, const CommandArgs& args);
int TokenRevokeCommand(Broker& broker, const CommandArgs& args);
int TokenLookupCommand(Broker& broker, const CommandArgs& args);
int DecodeCommand(const CommandArgs& args);
int SecretsGetCommand(Broker& broker, const CommandArgs& args);
int SecretsListCommand(Broker& broker, const CommandArgs& args);
int AccessListCommand(Broker& broker);
int AccessAddCommand(Broker& broker, const CommandArgs& args);
int AccessRemoveCommand(Broker& broker, const CommandArgs& args);
int AuditVerifyCommand(Broker& broker);
// Runs the expiry notice job once (at `args.now` if given) and prints what it did.
int NoticesRunCommand(Broker& broker, const CommandArgs& args);
// Lists the expiry notices of an account (by name or client_id).
int NoticesListCommand(Broker& broker, const CommandArgs& args);

}  // namespace broker::app
