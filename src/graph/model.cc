#include "graph/model.h"

#include <algorithm>
#include <utility>

namespace broker::graph {
namespace {

using FT = FieldType;

FieldConfig Field(std::string name, FT type, bool required, std::string hint) {
  FieldConfig field;
  field.name = std::move(name);
  field.type = type;
  field.required = required;
  field.hint = std::move(hint);
  return field;
}

FieldConfig Unique(FieldConfig field) {
  field.unique = true;
  return field;
}

FieldConfig WithDefault(FieldConfig field, Json value) {
  field.default_value = std::move(value);
  return field;
}

FieldConfig Select(std::string name, bool required, std::string hint,
                   std::vector<std::string> options) {
  FieldConfig field = Field(std::move(name), FT::kSelect, required, std::move(hint));
  field.options = std::move(options);
  return field;
}

EdgeConfig Edge(std::string name, std::string target, bool restrict = false) {
  EdgeConfig edge;
  edge.name = std::move(name);
  edge.target = std::move(target);
  edge.restrict = restrict;
  return edge;
}

EdgeConfig OneToOne(EdgeConfig edge) {
  edge.relation = Relation::kOneToOne;
  return edge;
}

EdgeConfig Hidden(EdgeConfig edge) {
  edge.show = false;
  return edge;
}

CollectionConfig Base(std::string collection, int index, std::string name, std::string kebab,
                      std::string color) {
  CollectionConfig config;
  config.collection = std::move(collection);
  config.index = index;
  config.name = std::move(name);
  config.kebab = std::move(kebab);
  config.color = std::move(color);
  return config;
}

FieldConfig UniqueName(std::string hint) {
  return Unique(Field("name", FT::kString, true, std::move(hint)));
}

CollectionConfig Environment() {
  CollectionConfig c = Base("environment", 0, "Environment", "environment", "#8e44ad");
  c.hint = "A stage a service instance is deployed to";
  c.fields = {UniqueName("production, test, development or tools"),
              Field("short", FT::kString, true, "Short name (prod, test, dev, tools)"),
              Field("aliases", FT::kStringArray, false, "Other names"),
              Field("changeRoles", FT::kStringArray, false, "Team roles that may change it"),
              Field("title", FT::kString, true, "Title"),
              Field("purpose", FT::kString, false, "Purpose"),
              Field("position", FT::kNumber, true, "Order; 0 is production")};
  c.edges = {OneToOne(Edge("promotes-to", "environment", true))};
  c.browse_fields = {"name", "short", "title", "position"};
  c.sort_field = "position";
  c.permissions = {true, false, false, false, false};
  return c;
}

CollectionConfig Project() {
  CollectionConfig c = Base("project", 1, "Project", "project", "#2980b9");
  c.hint = "A group of services";
  c.fields = {UniqueName("Lower-case kebab name"), Field("title", FT::kString, false, "Title"),
              Field("description", FT::kString, false, "Description"),
              Field("website", FT::kUrl, false, "Website"),
              Field("email", FT::kEmail, false, "Contact e-mail")};
  c.edges = {Edge("component", "service")};
  c.browse_fields = {"name", "title", "description"};
  c.permissions.filter = true;
  return c;
}

CollectionConfig Service() {
  CollectionConfig c = Base("service", 2, "Service", "service", "#27ae60");
  c.hint = "A deployable piece of software";
  c.fields = {UniqueName("Service name"),
              Field("title", FT::kString, false, "Title"),
              Field("description", FT::kString, false, "Description"),
              Select("lifecycle", false, "Lifecycle", {"experimental", "production", "deprecated"}),
              Select("type", false, "Type", {"service", "website", "library"}),
              Field("vaultConfig", FT::kEmbeddedDoc, false, "Vault configuration")};
  c.edges = {Edge("instance", "serviceInstance"), Edge("provision-token", "service", true),
             Edge("source", "repository"),        Edge("deploys", "cloud", true),
             Edge("deploys", "server", true),     Edge("deploys", "openshiftProject", true)};
  c.edges[0].cascade = true;
  c.browse_fields = {"name", "title", "lifecycle", "type"};
  c.permissions.filter = true;
  return c;
}

CollectionConfig ServiceInstance() {
  CollectionConfig c =
      Base("serviceInstance", 3, "Service Instance", "service-instance", "#16a085");
  c.hint = "A deployment of a service in an environment";
  c.fields = {Field("name", FT::kString, true, "Name, unique within its service"),
              Field("url", FT::kUrl, false, "Where it runs"),
              Field("action", FT::kEmbeddedDoc, false, "Last successful install"),
              Field("actionHistory", FT::kEmbeddedDocArray, false, "Install history")};
  c.edges = {OneToOne(Edge("deploy-type", "environment", true)),
             Hidden(Edge("requires", "serviceInstance", true)),
             Edge("installation", "server", true), Edge("installation", "openshiftProject", true)};
  c.browse_fields = {"name", "url"};
  c.parent_edge = "instance";
  return c;
}

CollectionConfig User() {
  CollectionConfig c = Base("user", 4, "User", "user", "#e67e22");
  c.hint = "A person";
  c.fields = {Unique(Field("username", FT::kString, true, "Login name")),
              Field("name", FT::kString, false, "Full name"),
              Field("email", FT::kEmail, false, "E-mail"),
              Field("domain", FT::kString, false, "Identity provider domain"),
              Field("guid", FT::kString, false, "Identity provider id"),
              Field("alias", FT::kEmbeddedDocArray, false, "Linked identities")};
  for (const char* role :
       {"owner", "full-access", "lead-developer", "developer", "tester", "prod-operator"}) {
    c.edges.push_back(Edge(role, "team"));
  }
  c.browse_fields = {"name", "username", "email", "domain"};
  c.key_field = "username";
  c.permissions = {true, false, false, false, false};
  return c;
}

CollectionConfig BrokerAccount() {
  CollectionConfig c = Base("brokerAccount", 5, "Broker Account", "broker-account", "#c0392b");
  c.hint = "A machine identity that owns account tokens";
  FieldConfig client_id = Unique(Field("clientId", FT::kString, true, "Becomes client_id"));
  client_id.init = "uuid";
  c.fields = {
      UniqueName("Display name"),
      Field("email", FT::kEmail, true, "Becomes the token sub claim"),
      client_id,
      Field("website", FT::kUrl, false, "Where the account is used"),
      WithDefault(Field("enableUserImport", FT::kBoolean, true, "May import users"), false),
      WithDefault(Field("requireRoleId", FT::kBoolean, true, "Provisioning needs a role id"),
                  false),
      WithDefault(Field("requireProjectExists", FT::kBoolean, true, "Project must be bound"), true),
      WithDefault(Field("requireServiceExists", FT::kBoolean, false, "Service must be bound"),
                  false),
      WithDefault(
          Field("skipInstallBuildValidation", FT::kBoolean, true, "Installs may skip build"),
          false),
      WithDefault(Field("skipUserValidation", FT::kBoolean, true, "Unknown users tolerated"),
                  false),
      WithDefault(Field("maskSemverFailures", FT::kBoolean, true, "Skip semver checks"), false)};
  c.edges = {Edge("authorized", "project"), Edge("authorized", "service")};
  c.browse_fields = {"name", "email", "clientId", "website", "requireRoleId"};
  c.permissions.filter = true;
  c.sudo_help = "Managing tokens requires lead-developer or full-access on an owning team.";
  return c;
}

CollectionConfig Team() {
  CollectionConfig c = Base("team", 6, "Team", "team", "#f39c12");
  c.hint = "A group of users";
  c.fields = {UniqueName("Team name"), Field("email", FT::kEmail, true, "Contact e-mail"),
              Field("website", FT::kUrl, false, "Website")};
  c.edges = {Edge("owns", "brokerAccount"), Hidden(Edge("uses", "service", true)),
             Edge("operates", "cloud")};
  c.browse_fields = {"name", "email", "website"};
  c.permissions.filter = true;
  return c;
}

CollectionConfig Server() {
  CollectionConfig c = Base("server", 7, "Server", "server", "#7f8c8d");
  c.hint = "A host";
  c.fields = {UniqueName("Server name"), Field("acquired", FT::kDate, false, "Acquired")};
  for (const char* f : {"hostName", "architecture", "description", "osFamily", "osFull", "osKernel",
                        "osName", "osType", "osPlatform", "osVersion"}) {
    c.fields.push_back(Field(f, FT::kString, false, f));
  }
  c.browse_fields = {"name", "hostName", "osName"};
  return c;
}

CollectionConfig Repository() {
  CollectionConfig c = Base("repository", 8, "Repository", "repository", "#34495e");
  c.hint = "A source code repository";
  c.fields = {UniqueName("Repository name"),
              Field("description", FT::kString, false, "Description"),
              Field("type", FT::kString, false, "Type (e.g. git)"),
              Field("scmUrl", FT::kUrl, false, "Clone URL"),
              WithDefault(Field("enableSyncSecrets", FT::kBoolean, false, "Sync secrets"), false),
              WithDefault(Field("enableSyncUsers", FT::kBoolean, false, "Sync users"), false),
              Field("syncSecretsStatus", FT::kEmbeddedDoc, false, "Secret sync status"),
              Field("syncUsersStatus", FT::kEmbeddedDoc, false, "User sync status")};
  c.browse_fields = {"name", "type", "scmUrl"};
  c.permissions.filter = true;
  return c;
}

CollectionConfig Cloud() {
  CollectionConfig c = Base("cloud", 9, "Cloud", "cloud", "#3498db");
  c.hint = "A hosting platform";
  c.fields = {
      UniqueName("Cloud name"),
      Field("description", FT::kString, false, "Description"),
      Select("type", true, "Kind of platform", {"openshift", "on-premise", "aws", "azure", "gcp"}),
      Field("consoleUrl", FT::kUrl, false, "Console URL (openshift)"),
      Field("clusterName", FT::kString, false, "Cluster name (openshift)"),
      Field("apiUrl", FT::kUrl, false, "API URL (openshift)")};
  c.edges = {Edge("host", "openshiftProject"), Edge("host", "server")};
  c.browse_fields = {"name", "type", "description"};
  c.permissions.filter = true;
  return c;
}

CollectionConfig OpenshiftProject() {
  CollectionConfig c =
      Base("openshiftProject", 10, "OpenShift Project", "openshift-project", "#d35400");
  c.hint = "A namespace on an OpenShift cluster";
  c.fields = {UniqueName("Namespace"),
              Field("displayName", FT::kString, false, "Display name"),
              WithDefault(Field("enableSyncSecrets", FT::kBoolean, false, "Sync secrets"), false),
              WithDefault(Field("enableSyncUsers", FT::kBoolean, false, "Sync users"), false),
              Field("syncSecretsStatus", FT::kEmbeddedDoc, false, "Secret sync status"),
              Field("syncUsersStatus", FT::kEmbeddedDoc, false, "User sync status")};
  c.browse_fields = {"name", "displayName"};
  c.permissions.filter = true;
  return c;
}

Json FieldJson(const FieldConfig& field) {
  Json out = {{"name", field.name},
              {"type", FieldTypeName(field.type)},
              {"required", field.required},
              {"hint", field.hint}};
  if (field.unique) out["unique"] = true;
  if (!field.default_value.is_null()) out["value"] = field.default_value;
  if (!field.init.empty()) out["init"] = field.init;
  if (!field.options.empty()) out["options"] = field.options;
  return out;
}

Json EdgeJson(const CollectionConfig& config, const EdgeConfig& edge) {
  Json out = {{"id", config.collection + "-" + edge.name + "-" + edge.target},
              {"collection", edge.target},
              {"name", edge.name},
              {"relation", edge.relation == Relation::kOneToOne ? "oneToOne" : "oneToMany"},
              {"show", edge.show}};
  if (edge.restrict) out["restrict"] = true;
  if (edge.cascade) out["onDelete"] = "cascade";
  return out;
}

}  // namespace

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FT::kString:
      return "string";
    case FT::kEmail:
      return "email";
    case FT::kUrl:
      return "url";
    case FT::kBoolean:
      return "boolean";
    case FT::kNumber:
      return "number";
    case FT::kDate:
      return "date";
    case FT::kSelect:
      return "select";
    case FT::kStringArray:
      return "stringArray";
    case FT::kEmbeddedDoc:
      return "embeddedDoc";
    case FT::kEmbeddedDocArray:
      return "embeddedDocArray";
    case FT::kJson:
      return "json";
  }
  return "json";
}

const FieldConfig* CollectionConfig::FindField(std::string_view field) const {
  for (const auto& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

bool CollectionConfig::NameIsUnique() const {
  const FieldConfig* key = FindField(key_field);
  return key != nullptr && key->unique;
}

Model::Model()
    : collections_{Environment(),     Project(), Service(), ServiceInstance(), User(),
                   BrokerAccount(),   Team(),    Server(),  Repository(),      Cloud(),
                   OpenshiftProject()} {}

const Model& Model::Default() {
  static const Model* const model = new Model();
  return *model;
}

const CollectionConfig* Model::Find(std::string_view name) const {
  for (const auto& c : collections_) {
    if (c.collection == name || c.kebab == name) return &c;
  }
  return nullptr;
}

const CollectionConfig* Model::ByIndex(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= collections_.size()) return nullptr;
  return &collections_[static_cast<size_t>(index)];
}

const EdgeConfig* Model::FindEdge(std::string_view source, std::string_view name,
                                  std::string_view target) const {
  const CollectionConfig* config = Find(source);
  if (config == nullptr) return nullptr;
  for (const auto& edge : config->edges) {
    if (edge.name == name && edge.target == target) return &edge;
  }
  return nullptr;
}

bool Model::HasEdgeName(std::string_view source, std::string_view name) const {
  const CollectionConfig* config = Find(source);
  return config != nullptr &&
         std::ranges::any_of(config->edges, [name](const auto& edge) { return edge.name == name; });
}

Json CollectionConfigJson(const CollectionConfig& config) {
  Json fields = Json::object();
  for (const auto& field : config.fields) fields[field.name] = FieldJson(field);
  Json edges = Json::array();
  for (const auto& edge : config.edges) edges.push_back(EdgeJson(config, edge));
  Json out = {{"id", config.collection},
              {"collection", config.collection},
              {"index", config.index},
              {"name", config.name},
              {"kebab", config.kebab},
              {"hint", config.hint},
              {"color", config.color},
              {"browseFields", config.browse_fields},
              {"collectionVertexName", config.key_field},
              {"fields", fields},
              {"edges", edges},
              {"fieldDefaultSort", {{"field", config.sort_field}, {"dir", config.sort_dir}}},
              {"permissions",
               {{"browse", config.permissions.browse},
                {"create", config.permissions.create},
                {"filter", config.permissions.filter},
                {"update", config.permissions.update},
                {"delete", config.permissions.del}}},
              {"show", true}};
  if (config.parent_edge) out["parent"] = {{"edgeName", *config.parent_edge}};
  if (!config.sudo_help.empty()) out["sudoHelp"] = config.sudo_help;
  return out;
}

Json Model::ConfigJson() const {
  Json out = Json::array();
  for (const auto& c : collections_) out.push_back(CollectionConfigJson(c));
  return out;
}

}  // namespace broker::graph
