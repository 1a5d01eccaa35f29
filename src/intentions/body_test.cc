#include "intentions/body.h"

#include <gtest/gtest.h>

#include "intentions/test_env.h"

namespace broker::intentions {
namespace {

using testing::BackupAction;
using testing::IntentionBody;

std::string LabelOf(const Status& status) {
  EXPECT_FALSE(status.ok());
  if (status.ok()) return "";
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  return status.error().label().value_or("");
}

TEST(IntentionBodyTest, AcceptsTheReferenceExample) {
  EXPECT_TRUE(ValidateIntentionBody(IntentionBody(BackupAction())).ok());
}

TEST(IntentionBodyTest, RefusesUnknownProperties) {
  Json body = IntentionBody(BackupAction());
  body["event"]["colour"] = "blue";
  const Status status = ValidateIntentionBody(body);
  EXPECT_EQ(status.error().message(), "Intention validation error");
  EXPECT_EQ(LabelOf(status),
            "Property .event.colour has failed the following constraints: whitelistValidation");
  body = IntentionBody(BackupAction());
  body["extra"] = 1;
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .extra has failed the following constraints: whitelistValidation");
}

TEST(IntentionBodyTest, RequiresProviderAndReason) {
  Json body = IntentionBody(BackupAction());
  body["event"].erase("reason");
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .event.reason has failed the following constraints: isDefined");
  body["event"]["reason"] = "";
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .event.reason has failed the following constraints: isNotEmpty");
  body = IntentionBody(BackupAction());
  body["event"].erase("provider");
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .event.provider has failed the following constraints: isDefined");
}

TEST(IntentionBodyTest, ChecksActions) {
  Json action = BackupAction();
  action["action"] = "dance";
  EXPECT_EQ(LabelOf(ValidateIntentionBody(IntentionBody(action))),
            "Property .actions.0.action has failed the following constraints: isIn");
  action = BackupAction();
  action["provision"] = {"approle/secret-id"};
  EXPECT_EQ(LabelOf(ValidateIntentionBody(IntentionBody(action))),
            "Property .actions.0.provision has failed the following constraints: isIn");
  action = BackupAction();
  action["service"]["name"] = "";
  EXPECT_EQ(LabelOf(ValidateIntentionBody(IntentionBody(action))),
            "Property .actions.0.service.name has failed the following constraints: isNotEmpty");
  action = BackupAction();
  action["package"] = {{"category", "toys"}};
  EXPECT_EQ(LabelOf(ValidateIntentionBody(IntentionBody(action))),
            "Property .actions.0.package.category has failed the following constraints: isIn");
  action = BackupAction();
  action["vaultEnvironment"] = "staging";
  EXPECT_EQ(LabelOf(ValidateIntentionBody(IntentionBody(action))),
            "Property .actions.0.vaultEnvironment has failed the following constraints: isIn");
}

TEST(IntentionBodyTest, UserNeedsIdOrName) {
  Json body = IntentionBody(BackupAction());
  body["user"] = Json::object();
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .user.id has failed the following constraints: isDefined");
  body["user"] = {{"domain", "idp"}};
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .user.name has failed the following constraints: isDefined");
  body["user"] = {{"id", "G-1"}};
  EXPECT_TRUE(ValidateIntentionBody(body).ok());
}

TEST(IntentionBodyTest, TriggerNameLengthAndUrl) {
  Json body = IntentionBody(BackupAction());
  body["event"]["trigger"] = {{"id", "1"}, {"name", "x"}};
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .event.trigger.name has failed the following constraints: length");
  body["event"]["trigger"] = {{"id", "1"}, {"url", "not a url"}};
  EXPECT_EQ(LabelOf(ValidateIntentionBody(body)),
            "Property .event.trigger.url has failed the following constraints: isUrl");
}

TEST(PatchBodyTest, StrictShapes) {
  EXPECT_TRUE(ValidatePatchBody({{"package", {{"checksum", "sha256:ab"}, {"size", 3}}}}).ok());
  const Status status = ValidatePatchBody({{"bogus", 1}});
  EXPECT_EQ(status.error().message(), "Patch validation error");
  EXPECT_FALSE(ValidatePatchBody({{"cloud", Json::object()}}).ok());
}

TEST(ArtifactBodyTest, NameRequiredAndChecksumFormat) {
  EXPECT_TRUE(ValidateArtifactBody({{"name", "a.tgz"}, {"checksum", "sha256:00ff"}}).ok());
  EXPECT_EQ(LabelOf(ValidateArtifactBody({{"checksum", "sha256:00"}})),
            "Property .name has failed the following constraints: isDefined");
  EXPECT_EQ(LabelOf(ValidateArtifactBody({{"name", "a"}, {"checksum", "00ff"}})),
            "Property .checksum has failed the following constraints: matches");
}

}  // namespace
}  // namespace broker::intentions
