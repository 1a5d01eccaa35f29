#include "intentions/store.h"

namespace broker::intentions {
namespace {

using store::Value;

constexpr const char* kColumns = "id, account_id, jti, closed, expiry_ms, start_ms, doc";

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<StoredIntention> FromRow(const store::Row& row) {
  StoredIntention intention;
  intention.id = row.Text(0);
  intention.account_id = row.Text(1);
  intention.jti = row.Text(2);
  intention.closed = row.Int(3) != 0;
  intention.expiry_ms = row.Int(4);
  intention.start_ms = row.Int(5);
  auto doc = ParseStrictJson(row.Text(6), {64});
  if (!doc.ok()) return Internal("stored intention document is not JSON");
  intention.doc = std::move(doc).value();
  return intention;
}

Result<std::optional<StoredIntention>> FirstOrNone(Result<store::ResultSet> rows) {
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<StoredIntention>();
  BROKER_ASSIGN_OR_RETURN(StoredIntention intention, FromRow(rows->rows.front()));
  return std::optional<StoredIntention>(std::move(intention));
}

Value Outcome(const Json& doc) {
  const Json& transaction = doc.value("transaction", Json::object());
  std::string outcome = Str(transaction, "outcome");
  return outcome.empty() ? Value() : Value(outcome);
}

const Json& Sub(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::string InstanceOf(const Json& action) {
  std::string name;
  const Json& service = Sub(action, "service");
  const Json& target = Sub(service, "target");
  for (const std::string& candidate : {Str(service, "environment"), Str(target, "environment"),
                                       Str(service, "instanceName"), Str(target, "instanceName")}) {
    if (!candidate.empty()) name = candidate;
  }
  return name;
}

Status SaveActionColumns(store::Session& session, const std::string& intention_id,
                         const Json& action, int64_t position, UnixMillis closed_ms) {
  const Json& package = Sub(action, "package");
  const Json& trace = Sub(action, "trace");
  const std::string outcome = Str(trace, "outcome");
  auto updated = session.Execute(
      "UPDATE intention_actions SET package_name = $3, package_version = $4, build_version = $5, "
      "trace_outcome = $6, closed_ms = $7 WHERE intention_id = $1 AND position = $2",
      {intention_id, position, Str(package, "name"), Str(package, "version"),
       Str(package, "buildVersion"), outcome.empty() ? Value() : Value(outcome),
       closed_ms > 0 ? Value(closed_ms) : Value()});
  if (!updated.ok()) return std::move(updated).error();
  return OkStatus();
}

Status InsertAction(store::Session& session, const std::string& intention_id, const Json& action,
                    int64_t position) {
  const Json& service = Sub(action, "service");
  auto inserted = session.Execute(
      "INSERT INTO intention_actions (trace_hash, intention_id, position, action, action_id, "
      "project, service, environment, instance_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {Str(Sub(action, "trace"), "hash"), intention_id, position, Str(action, "action"),
       Str(action, "id"), Str(service, "project"), Str(service, "name"),
       Str(service, "environment"), InstanceOf(action)});
  if (!inserted.ok()) return std::move(inserted).error();
  return SaveActionColumns(session, intention_id, action, position, 0);
}

}  // namespace

Status MigrateIntentions(store::Database& db) {
  return store::Migrate(
      db, "intentions",
      {{1, "intentions and their actions",
        "CREATE TABLE intentions (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
        "token_hash TEXT NOT NULL UNIQUE, jti TEXT NOT NULL, closed BIGINT NOT NULL, "
        "expiry_ms BIGINT NOT NULL, start_ms BIGINT NOT NULL, outcome TEXT, "
        "transient BIGINT NOT NULL, doc TEXT NOT NULL);"
        "CREATE INDEX intentions_due ON intentions (closed, expiry_ms);"
        "CREATE INDEX intentions_account ON intentions (account_id, start_ms);"
        "CREATE INDEX intentions_start ON intentions (start_ms);"
        "CREATE TABLE intention_actions (trace_hash TEXT PRIMARY KEY, "
        "intention_id TEXT NOT NULL, position BIGINT NOT NULL, action TEXT NOT NULL, "
        "action_id TEXT NOT NULL, project TEXT NOT NULL, service TEXT NOT NULL, "
        "environment TEXT NOT NULL, instance_name TEXT NOT NULL, package_name TEXT, "
        "package_version TEXT, build_version TEXT, trace_outcome TEXT, closed_ms BIGINT);"
        "CREATE INDEX intention_actions_intention ON intention_actions (intention_id);"
        "CREATE INDEX intention_actions_service ON intention_actions (service, action)",
        std::nullopt}});
}

Status InsertIntention(store::Session& session, const StoredIntention& intention,
                       const std::string& token_hash) {
  const bool transient = intention.doc.value("event", Json::object()).value("transient", false);
  auto inserted = session.Execute(
      "INSERT INTO intentions (id, account_id, token_hash, jti, closed, expiry_ms, start_ms, "
      "outcome, transient, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {intention.id, intention.account_id, token_hash, intention.jti,
       int64_t{intention.closed ? 1 : 0}, intention.expiry_ms, intention.start_ms,
       Outcome(intention.doc), int64_t{transient ? 1 : 0}, intention.doc.dump()});
  if (!inserted.ok()) return std::move(inserted).error();
  const Json& actions = intention.doc["actions"];
  for (size_t i = 0; i < actions.size(); ++i) {
    BROKER_RETURN_IF_ERROR(InsertAction(session, intention.id, actions[i], int64_t(i)));
  }
  return OkStatus();
}

Status SaveIntention(store::Session& session, const StoredIntention& intention, UnixMillis now_ms) {
  auto updated = session.Execute(
      "UPDATE intentions SET closed = $2, expiry_ms = $3, outcome = $4, doc = $5 WHERE id = $1",
      {intention.id, int64_t{intention.closed ? 1 : 0}, intention.expiry_ms, Outcome(intention.doc),
       intention.doc.dump()});
  if (!updated.ok()) return std::move(updated).error();
  const Json& actions = intention.doc["actions"];
  for (size_t i = 0; i < actions.size(); ++i) {
    BROKER_RETURN_IF_ERROR(SaveActionColumns(session, intention.id, actions[i], int64_t(i),
                                             intention.closed ? now_ms : 0));
  }
  return OkStatus();
}

Result<std::optional<StoredIntention>> FindOpenByTokenHash(store::Session& session,
                                                           const std::string& token_hash) {
  return FirstOrNone(session.Execute(std::string("SELECT ") + kColumns +
                                         " FROM intentions WHERE token_hash = $1 AND closed = 0" +
                                         std::string(store::ForUpdate(session.dialect())),
                                     {token_hash}));
}

Result<std::optional<ActionRef>> FindOpenByTraceHash(store::Session& session,
                                                     const std::string& trace_hash) {
  BROKER_ASSIGN_OR_RETURN(auto rows,
                          session.Execute("SELECT intention_id, position FROM intention_actions "
                                          "WHERE trace_hash = $1",
                                          {trace_hash}));
  if (rows.empty()) return std::optional<ActionRef>();
  const std::string id = rows.rows.front().Text(0);
  const int64_t position = rows.rows.front().Int(1);
  BROKER_ASSIGN_OR_RETURN(auto intention, FirstOrNone(session.Execute(
                                              std::string("SELECT ") + kColumns +
                                                  " FROM intentions WHERE id = $1 AND closed = 0" +
                                                  std::string(store::ForUpdate(session.dialect())),
                                              {id})));
  if (!intention) return std::optional<ActionRef>();
  return std::optional<ActionRef>(ActionRef{std::move(*intention), size_t(position)});
}

Result<std::optional<StoredIntention>> FindById(store::Session& session, const std::string& id) {
  return FirstOrNone(
      session.Execute(std::string("SELECT ") + kColumns + " FROM intentions WHERE id = $1", {id}));
}

Result<std::vector<std::string>> DueIds(store::Session& session, UnixMillis now_ms, int limit) {
  BROKER_ASSIGN_OR_RETURN(
      auto rows, session.Execute("SELECT id FROM intentions WHERE closed = 0 AND expiry_ms < $1 "
                                 "ORDER BY expiry_ms LIMIT $2",
                                 {now_ms, int64_t{limit}}));
  std::vector<std::string> ids;
  for (const auto& row : rows.rows) ids.push_back(row.Text(0));
  return ids;
}

Result<int64_t> DeleteStale(store::Session& session, UnixMillis transient_before_ms,
                            UnixMillis rejected_before_ms) {
  const char* kCondition =
      "closed = 1 AND ((transient = 1 AND expiry_ms < $1) OR "
      "(outcome = 'rejected' AND expiry_ms < $2))";
  auto actions = session.Execute(std::string("DELETE FROM intention_actions WHERE intention_id IN "
                                             "(SELECT id FROM intentions WHERE ") +
                                     kCondition + ")",
                                 {transient_before_ms, rejected_before_ms});
  if (!actions.ok()) return std::move(actions).error();
  BROKER_ASSIGN_OR_RETURN(auto deleted,
                          session.Execute(std::string("DELETE FROM intentions WHERE ") + kCondition,
                                          {transient_before_ms, rejected_before_ms}));
  return deleted.affected_rows;
}

Result<SearchPage> SearchIntentions(store::Session& session, const SearchFilter& filter) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  auto add = [&](const std::string& clause, Value value) {
    params.push_back(std::move(value));
    std::string numbered = clause;
    numbered.replace(numbered.find('?'), 1, "$" + std::to_string(params.size()));
    where += " AND " + numbered;
  };
  if (!filter.account_id.empty()) add("i.account_id = ?", filter.account_id);
  if (filter.outcome == "open") {
    where += " AND i.closed = 0";
  } else if (!filter.outcome.empty()) {
    add("i.outcome = ?", filter.outcome);
  }
  if (filter.from_ms) add("i.start_ms >= ?", *filter.from_ms);
  if (filter.to_ms) add("i.start_ms <= ?", *filter.to_ms);
  for (const auto& [column, value] :
       {std::pair{"project", filter.project}, std::pair{"service", filter.service},
        std::pair{"action", filter.action}}) {
    if (value.empty()) continue;
    add(std::string("EXISTS (SELECT 1 FROM intention_actions a WHERE a.intention_id = i.id "
                    "AND a.") +
            column + " = ?)",
        value);
  }
  BROKER_ASSIGN_OR_RETURN(auto count,
                          session.Execute("SELECT COUNT(*) FROM intentions i" + where, params));
  SearchPage page;
  page.total = count.rows.front().Int(0);
  params.emplace_back(filter.limit);
  params.emplace_back(filter.offset);
  const std::string limits =
      " LIMIT $" + std::to_string(params.size() - 1) + " OFFSET $" + std::to_string(params.size());
  BROKER_ASSIGN_OR_RETURN(
      auto rows,
      session.Execute("SELECT i.id, i.account_id, i.jti, i.closed, i.expiry_ms, i.start_ms, "
                      "i.doc FROM intentions i" +
                          where + " ORDER BY i.start_ms DESC, i.id DESC" + limits,
                      params));
  for (const auto& row : rows.rows) {
    BROKER_ASSIGN_OR_RETURN(StoredIntention intention, FromRow(row));
    page.items.push_back(std::move(intention));
  }
  return page;
}

Result<std::optional<std::string>> ReleaseBuildVersion(store::Session& session,
                                                       const std::string& service,
                                                       const std::string& name,
                                                       const std::string& version) {
  BROKER_ASSIGN_OR_RETURN(
      auto rows,
      session.Execute("SELECT a.build_version FROM intention_actions a JOIN intentions i ON "
                      "i.id = a.intention_id WHERE a.action = 'package-build' AND "
                      "a.service = $1 AND a.package_name = $2 AND a.package_version = $3 AND "
                      "i.outcome = 'success' AND a.trace_outcome = 'success' "
                      "ORDER BY a.closed_ms DESC LIMIT 1",
                      {service, name, version}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.rows.front().Text(0));
}

Result<std::vector<std::string>> DeployedBuildVersions(store::Session& session,
                                                       const std::string& service,
                                                       const std::string& environment) {
  BROKER_ASSIGN_OR_RETURN(
      auto rows,
      session.Execute("SELECT a.instance_name, a.build_version FROM intention_actions a JOIN "
                      "intentions i ON i.id = a.intention_id WHERE "
                      "a.action = 'package-installation' AND a.service = $1 AND "
                      "a.environment = $2 AND i.outcome = 'success' AND "
                      "a.trace_outcome = 'success' ORDER BY a.closed_ms DESC",
                      {service, environment}));
  std::vector<std::string> seen_instances;
  std::vector<std::string> versions;
  for (const auto& row : rows.rows) {
    const std::string instance = row.Text(0);
    if (std::find(seen_instances.begin(), seen_instances.end(), instance) != seen_instances.end()) {
      continue;
    }
    seen_instances.push_back(instance);
    versions.push_back(row.Text(1));
  }
  return versions;
}

}  // namespace broker::intentions
