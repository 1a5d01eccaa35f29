#include "app/commands.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "app/duration.h"
#include "core/time_format.h"
#include "secrets/cli.h"
#include "users/credentials.h"

namespace broker::app {
namespace {

int Fail(const Error& error) {
  std::cerr << "broker: " << error.message() << "\n";
  return 1;
}

std::string ReadAll(std::istream& in) {
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TrimLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// An account named on the command line, by name or by client_id.
Result<accounts::AccountRecord> FindAccount(Broker& broker, const std::string& name_or_id) {
  if (auto by_client = broker.account_directory().FindByClientId(name_or_id); by_client.ok()) {
    return by_client;
  }
  const auto snapshot = broker.graph().snapshot();
  const graph::Vertex* vertex = snapshot->FindByKey("brokerAccount", name_or_id);
  if (vertex == nullptr)
    return NotFound("No broker account is named or has client_id " + name_or_id);
  return broker.account_directory().FindById(vertex->object_id);
}

Status SetImportedCredentials(Broker& broker, const graph::ImportReport& report) {
  for (const graph::ImportedUser& user : report.users) {
    if (user.admin) BROKER_RETURN_IF_ERROR(broker.credentials().SetAdmin(user.username, true));
    if (user.password) {
      BROKER_RETURN_IF_ERROR(broker.credentials().SetPassword(user.username, *user.password));
    }
  }
  return OkStatus();
}

void PrintTokenRow(const accounts::TokenRow& row, UnixSeconds now) {
  std::cout << row.jti << "  " << accounts::TokenStateName(accounts::StateAt(row, now))
            << "  issued " << FormatIso8601(row.created_at) << "  expires "
            << FormatIso8601(row.exp * 1000);
  if (row.grace_until) std::cout << "  grace until " << FormatIso8601(*row.grace_until * 1000);
  if (row.last_used_at) std::cout << "  last used " << FormatIso8601(*row.last_used_at);
  std::cout << "\n";
}

}  // namespace

int ServeCommand(Broker& broker, const std::string& executable_path) {
  if (broker.config().demo) {
    auto logins = broker.LoadDemo();
    if (!logins.ok()) return Fail(logins.error());
    std::cout << "Demo data loaded. Sign in at http://" << broker.config().listen
              << " with one of these demo logins:\n";
    for (const auto& [username, password] : *logins) {
      std::cout << "  " << username << " / " << password << "\n";
    }
    std::cout.flush();
  }
  const Status served = broker.Serve(executable_path);
  return served.ok() ? 0 : Fail(served.error());
}

int ImportCommand(Broker& broker, const CommandArgs& args) {
  std::ifstream in(args.file);
  if (!in) return Fail(NotFound("Cannot read " + args.file));
  auto file = ParseStrictJson(ReadAll(in));
  if (!file.ok()) return Fail(std::move(file).error().WithContext(args.file));
  auto report = broker.graph().Import(*file);
  if (!report.ok()) return Fail(report.error());
  if (Status set = SetImportedCredentials(broker, *report); !set.ok()) return Fail(set.error());
  std::cout << "Imported " << report->created.size() << " new entries (" << report->existing.size()
            << " already present) from " << args.file << "\n";
  return 0;
}

int UserAddCommand(Broker& broker, const CommandArgs& args) {
  users::NewLocalUser user{.username = args.username,
                           .email = args.email,
                           .name = args.name,
                           .admin = args.admin,
                           .password = std::nullopt};
  if (args.password_stdin) {
    std::string password;
    std::getline(std::cin, password);
    user.password = SecretString(TrimLine(password));
  }
  auto added = users::AddLocalUser(broker.user_directory(), broker.credentials(), user);
  if (!added.ok()) return Fail(added.error());
  std::cout << "User " << added->username << " saved"
            << (user.password ? "" : " (no password: local sign-in disabled)") << "\n";
  return 0;
}

int TokenGenerateCommand(Broker& broker, const CommandArgs& args) {
  auto account = FindAccount(broker, args.account);
  if (!account.ok()) return Fail(account.error());
  auto lifetime = ParseDurationSeconds(args.expiration);
  if (!lifetime.ok()) return Fail(lifetime.error());
  const accounts::GenerateOptions options{.patch = !args.no_vault, .sync_secrets = !args.no_sync};
  auto issued = broker.registry().Generate(broker.CliOperator(), account->id, *lifetime, options,
                                           audit::RequestInfo{"cli", "broker-cli"});
  if (!issued.ok()) return Fail(issued.error());
  // The token alone on stdout, so it can be piped; everything else on stderr.
  std::cerr << "Generated token " << issued->claims.jti << " for " << account->name << ", expires "
            << FormatIso8601(issued->claims.exp * 1000) << "\n";
  std::cout << issued->token.RevealForUse() << "\n";
  return 0;
}

int TokenListCommand(Broker& broker, const CommandArgs& args) {
  auto account = FindAccount(broker, args.account);
  if (!account.ok()) return Fail(account.error());
  auto rows = broker.registry().List(account->id);
  if (!rows.ok()) return Fail(rows.error());
  std::cout << account->name << " (client_id " << account->client_id << "): " << rows->size()
            << " token(s)\n";
  for (const accounts::TokenRow& row : *rows) PrintTokenRow(row, broker.registry().Now());
  return 0;
}

int TokenRevokeCommand(Broker& broker, const CommandArgs& args) {
  auto account = FindAccount(broker, args.account);
  if (!account.ok()) return Fail(account.error());
  const audit::RequestInfo request{"cli", "broker-cli"};
  const Status revoked =
      args.jti.empty()
          ? broker.registry().RevokeAll(broker.CliOperator(), account->id, request)
          : broker.registry().RevokeOne(broker.CliOperator(), account->id, args.jti, request);
  if (!revoked.ok()) return Fail(revoked.error());
  std::cout << (args.jti.empty() ? "All tokens of " + account->name + " revoked"
                                 : "Token " + args.jti + " revoked")
            << "\n";
  return 0;
}

int TokenLookupCommand(Broker& broker, const CommandArgs& args) {
  const std::string query = args.query == "-" ? TrimLine(ReadAll(std::cin)) : args.query;
  auto found = broker.lookup().Lookup(SecretString(query));
  if (!found.ok()) return Fail(found.error());
  std::cout << accounts::LookupJson(*found).dump(2) << "\n";
  return 0;
}

int DecodeCommand(const CommandArgs& args) {
  const std::string token = args.query == "-" ? TrimLine(ReadAll(std::cin)) : args.query;
  const auto decoded = jwt::DecodeUnverified(token);
  if (!decoded) return Fail(InvalidArgument("Not a compact JWS (header.payload.signature)"));
  std::cout << Json{{"header", decoded->header}, {"payload", decoded->payload}}.dump(2) << "\n";
  std::cerr << "(decoded only: the signature was not checked)\n";
  return 0;
}

int SecretsGetCommand(Broker& broker, const CommandArgs& args) {
  const Status shown = secrets::CliGet(broker.tools_store(), args.path, std::cout);
  return shown.ok() ? 0 : Fail(shown.error());
}

int SecretsListCommand(Broker& broker, const CommandArgs& args) {
  const Status shown = secrets::CliList(broker.tools_store(), args.path, std::cout);
  return shown.ok() ? 0 : Fail(shown.error());
}

int AccessListCommand(Broker& broker) {
  auto rules = broker.access_rules().List();
  if (!rules.ok()) return Fail(rules.error());
  for (const accounts::AccessRule& rule : *rules) {
    std::cout << rule.id << "  " << accounts::RuleListName(rule.list)
              << "  client_id=" << rule.client_id.value_or("*")
              << "  jti=" << rule.jti.value_or("*") << "  sub=" << rule.sub.value_or("*") << "\n";
  }
  return 0;
}

int AccessAddCommand(Broker& broker, const CommandArgs& args) {
  if (args.rule_list != "allow" && args.rule_list != "block") {
    std::cerr << "broker: the rule list is 'allow' or 'block'\n";
    return 2;
  }
  accounts::AccessRule rule;
  rule.list = args.rule_list == "allow" ? accounts::RuleList::kAllow : accounts::RuleList::kBlock;
  if (!args.client_id.empty()) rule.client_id = args.client_id;
  if (!args.jti.empty()) rule.jti = args.jti;
  if (!args.sub.empty()) rule.sub = args.sub;
  auto added = broker.access_rules().Add(rule, audit::Operator{"cli", "broker CLI", ""});
  if (!added.ok()) return Fail(added.error());
  std::cout << "Rule " << added->id << " added\n";
  return 0;
}

int AccessRemoveCommand(Broker& broker, const CommandArgs& args) {
  const Status removed =
      broker.access_rules().Remove(args.rule_id, audit::Operator{"cli", "broker CLI", ""});
  if (!removed.ok()) return Fail(removed.error());
  std::cout << "Rule " << args.rule_id << " removed\n";
  return 0;
}

int AuditVerifyCommand(Broker& broker) {
  auto report = audit::VerifyChain(broker.db());
  if (!report.ok()) return Fail(report.error());
  if (!report->ok()) {
    std::cerr << "Audit chain broken at record " << *report->first_bad_sequence << ": "
              << report->problem << "\n";
    return 1;
  }
  std::cout << "Audit chain intact: " << report->records << " records, last sequence "
            << report->last_sequence << "\n";
  return 0;
}

int NoticesRunCommand(Broker& broker, const CommandArgs& args) {
  UnixSeconds now = broker.clock().NowSeconds();
  if (!args.now.empty()) {
    const auto parsed = ParseIso8601(args.now);
    if (!parsed) {
      std::cerr << "broker: --now must be ISO 8601, e.g. 2026-12-03T01:00:00Z\n";
      return 2;
    }
    now = *parsed / 1000;
  }
  auto report = broker.notifier().Run(now);
  if (!report.ok()) return Fail(report.error());
  std::cout << "Expiry notices at " << FormatIso8601(now * 1000) << ": " << report->tokens_due
            << " token(s) at a threshold, " << report->claimed << " notice(s) claimed, "
            << report->sent << " sent, " << report->failed << " failed, " << report->retried
            << " retried\n";
  return 0;
}

int NoticesListCommand(Broker& broker, const CommandArgs& args) {
  auto account = FindAccount(broker, args.account);
  if (!account.ok()) return Fail(account.error());
  auto notices = broker.notifier().ListForAccount(account->id);
  if (!notices.ok()) return Fail(notices.error());
  for (const notify::Notice& n : *notices) {
    std::cout << n.key.jti << "  " << n.key.days << "d  " << n.state << "  "
              << (n.recipient_email.empty() ? "(no recipient)" : n.recipient_email) << "  "
              << (n.sent_at ? FormatIso8601(*n.sent_at) : "-") << "\n";
  }
  return 0;
}

}  // namespace broker::app
