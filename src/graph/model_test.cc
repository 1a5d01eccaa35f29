#include "graph/model.h"

#include <gtest/gtest.h>

namespace broker::graph {
namespace {

TEST(ModelTest, ElevenCollectionsInIndexOrder) {
  const Model& model = Model::Default();
  const std::vector<std::string> expected = {
      "environment", "project",    "service", "serviceInstance", "user", "brokerAccount", "team",
      "server",      "repository", "cloud",   "openshiftProject"};
  ASSERT_EQ(model.collections().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(model.collections()[i].collection, expected[i]);
    EXPECT_EQ(model.collections()[i].index, static_cast<int>(i));
  }
}

TEST(ModelTest, KebabAndCamelNamesBothResolve) {
  const Model& model = Model::Default();
  EXPECT_EQ(model.Find("broker-account"), model.Find("brokerAccount"));
  EXPECT_EQ(model.Find("service-instance")->collection, "serviceInstance");
  EXPECT_EQ(model.Find("openshift-project")->index, 10);
  EXPECT_EQ(model.Find("nope"), nullptr);
  EXPECT_EQ(model.ByIndex(11), nullptr);
}

TEST(ModelTest, EdgeCatalogue) {
  const Model& model = Model::Default();
  EXPECT_NE(model.FindEdge("user", "lead-developer", "team"), nullptr);
  EXPECT_NE(model.FindEdge("brokerAccount", "authorized", "service"), nullptr);
  EXPECT_EQ(model.FindEdge("team", "owns", "project"), nullptr);
  EXPECT_TRUE(model.FindEdge("team", "uses", "service")->restrict);
  EXPECT_TRUE(model.FindEdge("service", "instance", "serviceInstance")->cascade);
  EXPECT_EQ(model.FindEdge("environment", "promotes-to", "environment")->relation,
            Relation::kOneToOne);
  EXPECT_EQ(model.FindEdge("serviceInstance", "deploy-type", "environment")->relation,
            Relation::kOneToOne);
}

TEST(ModelTest, BrokerAccountFields) {
  const CollectionConfig& account = *Model::Default().Find("brokerAccount");
  EXPECT_EQ(account.name, "Broker Account");
  EXPECT_TRUE(account.FindField("name")->unique);
  EXPECT_TRUE(account.FindField("clientId")->required);
  EXPECT_EQ(account.FindField("clientId")->init, "uuid");
  EXPECT_EQ(account.FindField("requireProjectExists")->default_value, true);
  EXPECT_EQ(account.FindField("maskSemverFailures")->type, FieldType::kBoolean);
  EXPECT_EQ(account.browse_fields,
            (std::vector<std::string>{"name", "email", "clientId", "website", "requireRoleId"}));
}

TEST(ModelTest, ConfigJsonShape) {
  const Json config = Model::Default().ConfigJson();
  ASSERT_EQ(config.size(), 11u);
  const Json& account = config[5];
  EXPECT_EQ(account["collection"], "brokerAccount");
  EXPECT_EQ(account["index"], 5);
  EXPECT_EQ(account["name"], "Broker Account");
  EXPECT_EQ(account["fields"]["email"]["type"], "email");
  EXPECT_EQ(account["fields"]["email"]["required"], true);
  EXPECT_TRUE(account["fields"]["email"].contains("hint"));
  EXPECT_EQ(account["fieldDefaultSort"]["field"], "name");
  EXPECT_EQ(account["permissions"]["filter"], true);
  EXPECT_EQ(account["edges"][0]["name"], "authorized");
  EXPECT_EQ(config[3]["parent"]["edgeName"], "instance");
  EXPECT_EQ(config[0]["edges"][0]["relation"], "oneToOne");
}

}  // namespace
}  // namespace broker::graph
