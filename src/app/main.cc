// broker: the command line. Every subcommand that touches state opens the same `Broker`
// composition as the server, so the CLI and the HTTP API share one implementation.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/broker.h"
#include "app/commands.h"
#include "app/config.h"

namespace {

using broker::app::Config;

// Flags shared by every subcommand that reads or changes state.
void AddDataFlags(CLI::App* command, Config& config) {
  command->add_option("--data-dir", config.data_dir, "Data directory (env BROKER_DATA_DIR)");
  command->add_option("--database", config.database,
                      "sqlite:PATH or postgresql://... (env BROKER_DATABASE); default: SQLite "
                      "file in the data directory");
}

void AddServeFlags(CLI::App* serve, Config& config) {
  AddDataFlags(serve, config);
  serve->add_option("--listen", config.listen, "HOST:PORT to listen on (env BROKER_LISTEN)");
  serve->add_flag("--demo", config.demo, "Load the demo graph and print the demo logins");
  serve->add_option("--web-root", config.web_root, "Directory of the built web UI");
  serve->add_option("--token-grace-period", config.token_grace_period_seconds,
                    "Seconds the previous token keeps working after a renewal (default 3600)");
  serve->add_option("--job-interval", config.job_interval_seconds,
                    "Seconds between runs of the periodic jobs (default 60)");
  serve->add_option("--threads", config.threads, "HTTP worker threads (default 2)");
  serve->add_option("--max-body-bytes", config.max_body_bytes,
                    "Largest accepted request body (default 1 MiB)");
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  if (broker::Status env = broker::app::ApplyEnvironment(
          config, [](const char* name) -> const char* { return std::getenv(name); });
      !env.ok()) {
    std::cerr << "broker: " << env.error().message() << "\n";
    return 2;
  }
  CLI::App app{"Broker: account tokens and intentions for your automation"};
  app.require_subcommand(1);
  broker::app::CommandArgs args;

  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server and the web UI");
  AddServeFlags(serve, config);

  CLI::App* import = app.add_subcommand("import", "Load users, collection objects and edges");
  import->add_option("file", args.file, "Import file (JSON)")->required();
  AddDataFlags(import, config);

  CLI::App* user = app.add_subcommand("user", "Manage local users");
  user->require_subcommand(1);
  CLI::App* user_add = user->add_subcommand("add", "Create or update a local user");
  user_add->add_option("username", args.username)->required();
  user_add->add_option("--email", args.email)->required();
  user_add->add_option("--name", args.name)->required();
  user_add->add_flag("--admin", args.admin, "Give the global admin role");
  user_add->add_flag("--password-stdin", args.password_stdin, "Read the password from stdin");
  AddDataFlags(user_add, config);

  CLI::App* token = app.add_subcommand("token", "Broker account tokens");
  token->require_subcommand(1);
  CLI::App* generate = token->add_subcommand("generate", "Generate (or renew) a token");
  generate->add_option("account", args.account, "Account name or client_id")->required();
  generate->add_option("--expiration", args.expiration, "60d, 90d (default), 1y, or seconds");
  generate->add_flag("--no-vault", args.no_vault, "Do not write the token to the tools space");
  generate->add_flag("--no-sync", args.no_sync, "Do not sync it to GitHub");
  CLI::App* list = token->add_subcommand("list", "List an account's tokens");
  list->add_option("account", args.account, "Account name or client_id")->required();
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke all tokens, or one by --jti");
  revoke->add_option("account", args.account, "Account name or client_id")->required();
  revoke->add_option("--jti", args.jti, "Revoke only this token");
  CLI::App* lookup = token->add_subcommand("lookup", "Find the account of a client_id or token");
  lookup->add_option("query", args.query, "client_id or whole token (or - for stdin)")->required();
  CLI::App* decode = token->add_subcommand("decode", "Show a token's header and claims");
  decode->add_option("token", args.query, "Token (or - for stdin)")->required();
  for (CLI::App* command : {generate, list, revoke, lookup}) AddDataFlags(command, config);

  CLI::App* secrets = app.add_subcommand("secrets", "Broker's own tools store");
  secrets->require_subcommand(1);
  CLI::App* secrets_get = secrets->add_subcommand("get", "Show the keys at a tools path");
  secrets_get->add_option("path", args.path)->required();
  secrets_get->add_flag("--reveal", args.reveal, "Print secret values too");
  CLI::App* secrets_list = secrets->add_subcommand("list", "List tools paths under a prefix");
  secrets_list->add_option("prefix", args.path)->default_val("tools/");
  for (CLI::App* command : {secrets_get, secrets_list}) AddDataFlags(command, config);

  CLI::App* rules = app.add_subcommand("access", "Allow and block rules for account tokens");
  rules->require_subcommand(1);
  CLI::App* rules_list = rules->add_subcommand("list", "List the rules");
  CLI::App* rules_add = rules->add_subcommand("add", "Add an allow or block rule");
  rules_add->add_option("list", args.rule_list, "allow or block")->required();
  rules_add->add_option("--client-id", args.client_id);
  rules_add->add_option("--jti", args.jti);
  rules_add->add_option("--sub", args.sub);
  CLI::App* rules_remove = rules->add_subcommand("remove", "Remove a rule by id");
  rules_remove->add_option("id", args.rule_id)->required();
  for (CLI::App* command : {rules_list, rules_add, rules_remove}) AddDataFlags(command, config);

  CLI::App* audit = app.add_subcommand("audit", "The audit trail");
  audit->require_subcommand(1);
  CLI::App* audit_verify = audit->add_subcommand("verify", "Check the audit hash chain");
  AddDataFlags(audit_verify, config);

  CLI::App* notices = app.add_subcommand("notices", "Token expiry notices");
  notices->require_subcommand(1);
  CLI::App* notices_run = notices->add_subcommand("run", "Run the expiry notice job once now");
  notices_run->add_option("--now", args.now, "Pretend the time is this (ISO 8601), for tests");
  CLI::App* notices_list = notices->add_subcommand("list", "List an account's expiry notices");
  notices_list->add_option("account", args.account, "Account name or client_id")->required();
  for (CLI::App* command : {notices_run, notices_list}) AddDataFlags(command, config);

  CLI::App* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema");
  AddDataFlags(migrate, config);
  CLI::App* version = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);
  // Logs go to stderr, so that `broker token generate` can print the token alone on stdout.
  spdlog::set_default_logger(spdlog::stderr_color_mt("broker"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  if (version->parsed()) {
    std::cout << "broker " << BROKER_VERSION << "\n";
    return 0;
  }
  if (decode->parsed()) return broker::app::DecodeCommand(args);

  auto opened = broker::app::Broker::Open(config);
  if (!opened.ok()) {
    std::cerr << "broker: " << opened.error().message() << "\n";
    spdlog::debug("open failed: {}", opened.error().ToString());
    return 1;
  }
  broker::app::Broker& b = **opened;
  if (serve->parsed()) return broker::app::ServeCommand(b, argv[0]);
  if (import->parsed()) return broker::app::ImportCommand(b, args);
  if (user_add->parsed()) return broker::app::UserAddCommand(b, args);
  if (generate->parsed()) return broker::app::TokenGenerateCommand(b, args);
  if (list->parsed()) return broker::app::TokenListCommand(b, args);
  if (revoke->parsed()) return broker::app::TokenRevokeCommand(b, args);
  if (lookup->parsed()) return broker::app::TokenLookupCommand(b, args);
  if (secrets_get->parsed()) return broker::app::SecretsGetCommand(b, args);
  if (secrets_list->parsed()) return broker::app::SecretsListCommand(b, args);
  if (rules_list->parsed()) return broker::app::AccessListCommand(b);
  if (rules_add->parsed()) return broker::app::AccessAddCommand(b, args);
  if (rules_remove->parsed()) return broker::app::AccessRemoveCommand(b, args);
  if (audit_verify->parsed()) return broker::app::AuditVerifyCommand(b);
  if (notices_run->parsed()) return broker::app::NoticesRunCommand(b, args);
  if (notices_list->parsed()) return broker::app::NoticesListCommand(b, args);
  if (migrate->parsed()) {
    std::cout << "Database " << b.db().Describe() << " is at the current schema.\n";
    return 0;
  }
  return 0;
}
