#include "graph/permissions.h"

#include <gtest/gtest.h>

#include "graph/test_util.h"
#include "graph/traversals.h"

namespace broker::graph {
namespace {

using testing::GraphFixture;

class PermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(f_.graph().Import(testing::SampleImport()).ok()); }
  std::string Id(const std::string& c, const std::string& k) { return f_.Id(c, k); }

  GraphFixture f_;
};

TEST_F(PermissionsTest, LeadDeveloperGetsSudoOnOwnedAccount) {
  const auto snap = f_.snap();
  const Permissions p = PermissionsFor(*snap, Id("user", "alice"));
  EXPECT_TRUE(p.Has(Permission::kSudo, Id("brokerAccount", "ci-deployer")));
  EXPECT_FALSE(p.Has(Permission::kSudo, Id("brokerAccount", "pay-bot")));
  EXPECT_TRUE(p.Has(Permission::kUpdate, Id("team", "platform")));
  EXPECT_FALSE(p.Has(Permission::kSudo, Id("team", "platform")));
  EXPECT_TRUE(p.Has(Permission::kUpdate, Id("project", "fluent")));
  EXPECT_TRUE(p.Has(Permission::kSudo, Id("service", "fluent-bit")));
  EXPECT_TRUE(p.Has(Permission::kUpdate, Id("service", "fluent-ui")));
}

TEST_F(PermissionsTest, FullAccessOnDirectServiceBinding) {
  const auto snap = f_.snap();
  const Permissions p = PermissionsFor(*snap, Id("user", "erin"));
  EXPECT_TRUE(p.Has(Permission::kSudo, Id("brokerAccount", "pay-bot")));
  EXPECT_TRUE(p.Has(Permission::kSudo, Id("service", "pay-api")));
  EXPECT_FALSE(p.Has(Permission::kSudo, Id("brokerAccount", "ci-deployer")));
}

TEST_F(PermissionsTest, OwnerAndDeveloperHaveNoAccountSudo) {
  const auto snap = f_.snap();
  const Permissions owner = PermissionsFor(*snap, Id("user", "carol"));
  EXPECT_FALSE(owner.Has(Permission::kSudo, Id("brokerAccount", "ci-deployer")));
  EXPECT_TRUE(owner.Has(Permission::kSudo, Id("team", "platform")));
  EXPECT_TRUE(owner.Has(Permission::kDelete, Id("team", "platform")));
  const Permissions developer = PermissionsFor(*snap, Id("user", "bob"));
  EXPECT_TRUE(developer.sudo.empty());
  EXPECT_TRUE(developer.update.empty());
}

TEST_F(PermissionsTest, RestrictedEdgesAreNotWalked) {
  // team -uses-> service is restricted: it must not grant anything.
  const Vertex team = *f_.snap()->FindVertex(Id("team", "platform"));
  const Vertex pay = *f_.snap()->FindVertex(Id("service", "pay-api"));
  f_.Link("uses", team, pay);
  const Permissions p = PermissionsFor(*f_.snap(), Id("user", "alice"));
  EXPECT_FALSE(p.Has(Permission::kSudo, pay.id));
  EXPECT_FALSE(p.Has(Permission::kUpdate, pay.id));
}

TEST_F(PermissionsTest, ExplainSentence) {
  const auto snap = f_.snap();
  const auto account = Id("brokerAccount", "ci-deployer");
  EXPECT_TRUE(ExplainAccountSudo(*snap, Id("user", "alice"), account).allowed);
  const SudoExplanation carol = ExplainAccountSudo(*snap, Id("user", "carol"), account);
  EXPECT_FALSE(carol.allowed);
  EXPECT_EQ(carol.reason, "requires lead-developer or full-access on team platform");
}

TEST_F(PermissionsTest, ExplainSentenceWithoutOwner) {
  const Vertex lonely =
      f_.Add("brokerAccount", {{"name", "lonely"}, {"email", "l@x"}, {"clientId", "c"}});
  const SudoExplanation e = ExplainAccountSudo(*f_.snap(), Id("user", "bob"), lonely.id);
  EXPECT_FALSE(e.allowed);
  EXPECT_NE(e.reason.find("no team owns it"), std::string::npos);
}

TEST_F(PermissionsTest, TeamMembershipManagement) {
  const auto snap = f_.snap();
  EXPECT_TRUE(CanManageTeamMembers(*snap, Id("user", "carol"), Id("team", "platform")));
  EXPECT_FALSE(CanManageTeamMembers(*snap, Id("user", "alice"), Id("team", "platform")));
  EXPECT_FALSE(TeamIsEmpty(*snap, Id("team", "platform")));
  const Vertex empty = f_.Add("team", {{"name", "empty"}, {"email", "e@x"}});
  EXPECT_TRUE(TeamIsEmpty(*f_.snap(), empty.id));
}

TEST_F(PermissionsTest, PermissionsJson) {
  const Json j = PermissionsFor(*f_.snap(), Id("user", "alice")).ToJson();
  for (const char* key : {"create", "delete", "sudo", "update", "approve"}) {
    EXPECT_TRUE(j[key].is_array()) << key;
  }
}

TEST_F(PermissionsTest, ServicesForAccount) {
  const auto snap = f_.snap();
  const AccountServices ci = ServicesForAccount(*snap, Id("brokerAccount", "ci-deployer"));
  ASSERT_EQ(ci.bound.size(), 2u);
  EXPECT_EQ(ci.bound[0].project->name, "fluent");
  EXPECT_EQ(ci.bound[0].service->name, "fluent-bit");
  EXPECT_EQ(ci.bound[1].service->name, "fluent-ui");
  const AccountServices pay = ServicesForAccount(*snap, Id("brokerAccount", "pay-bot"));
  ASSERT_EQ(pay.bound.size(), 1u);
  EXPECT_EQ(pay.bound[0].project->name, "payments");
}

TEST_F(PermissionsTest, ServiceWithoutUniqueProjectReportedSeparately) {
  const Vertex orphan = f_.Add("service", {{"name", "orphan"}});
  const Vertex account = *f_.snap()->FindVertex(Id("brokerAccount", "pay-bot"));
  f_.Link("authorized", account, orphan);
  const AccountServices pay = ServicesForAccount(*f_.snap(), account.id);
  EXPECT_EQ(pay.bound.size(), 1u);
  ASSERT_EQ(pay.without_unique_project.size(), 1u);
  EXPECT_EQ(pay.without_unique_project[0]->name, "orphan");
}

TEST_F(PermissionsTest, BoundProjectsAndServices) {
  const auto bound = BoundProjectsAndServices(*f_.snap(), Id("brokerAccount", "ci-deployer"));
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound.at("fluent").services, (std::vector<std::string>{"fluent-bit", "fluent-ui"}));
}

TEST_F(PermissionsTest, UsersUpstreamByRole) {
  const auto users = UsersUpstream(*f_.snap(), Id("brokerAccount", "ci-deployer"),
                                   {"lead-developer", "full-access"});
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]->key, "alice");
  const auto owners = UsersUpstream(*f_.snap(), Id("brokerAccount", "ci-deployer"), {"owner"});
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[0]->key, "carol");
}

TEST_F(PermissionsTest, DownstreamDepthAndRestriction) {
  const auto snap = f_.snap();
  const std::string team = Id("team", "platform");
  EXPECT_EQ(snap->Downstream(team, 1).size(), 1u);  // the account
  EXPECT_EQ(snap->Downstream(team, 3).size(), 4u);  // + project + 2 services
  const Vertex team_v = *snap->FindVertex(team);
  const Vertex pay = *snap->FindVertex(Id("service", "pay-api"));
  f_.Link("uses", team_v, pay);
  EXPECT_EQ(f_.snap()->Downstream(team, 1).size(), 1u);
  EXPECT_EQ(f_.snap()->Downstream(team, 1, true).size(), 2u);
  EXPECT_EQ(f_.snap()->Upstream(pay.id, 8).size(), 4u);  // pay-bot, payments team, erin, project
}

}  // namespace
}  // namespace broker::graph

namespace broker::graph {
namespace {

TEST_F(PermissionsTest, UpdatedUserKeepsEdges) {
  const std::string alice = Id("user", "alice");
  ASSERT_TRUE(f_.graph().UpsertUser({"alice", "Alice Ng-Smith", "", "", ""}).ok());
  ASSERT_TRUE(f_.graph().UpsertUser({"alice", "Alice N. Smith", "", "", ""}).ok());
  const auto snap = f_.snap();
  EXPECT_EQ(snap->FindVertex(alice)->name, "Alice N. Smith");
  EXPECT_EQ(snap->Out(alice).size(), 1u);
  EXPECT_EQ(snap->FindByKey("user", "alice")->id, alice);
  EXPECT_EQ(snap->Typeahead("n. smith", {"user"}, 10).total, 1u);
  EXPECT_TRUE(
      PermissionsFor(*snap, alice).Has(Permission::kSudo, Id("brokerAccount", "ci-deployer")));
}

}  // namespace
}  // namespace broker::graph
