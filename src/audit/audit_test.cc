// The audit log: ECS fields, hash chain, shipping to JSON-lines files, the batched writer.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "audit/batch_writer.h"
#include "audit/record.h"
#include "audit/shipper.h"
#include "support/temp_dir.h"

namespace broker::audit {
namespace {

constexpr UnixSeconds kStart = 1'800'000'000;

class AuditTest : public ::testing::Test {
 protected:
  AuditTest() {
    db_ = store::Open("sqlite:" + dir_.File("audit.db")).value();
    EXPECT_TRUE(AuditLog::Migrate(*db_).ok());
  }

  void Append(int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(log_.AppendBatch(*db_, {RecordBuilder("test", "process", "info", "success")
                                              .Label("i", std::to_string(i))
                                              .Build()})
                      .ok());
    }
  }

  std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  ::broker::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{kStart};
  AuditLog log_{ServiceInfo{"broker", "test", "host1", "x86_64", "Linux", "6"}, clock_};
};

TEST_F(AuditTest, TokenCreatedRecordHasTheEcsFields) {
  Operator by{"u1", "Mia Manager", "mia@example.com"};
  Json record = TokenCreated({"alpha", "1111"},
                             {.client_id = "1111",
                              .jti = "j1",
                              .exp = kStart + 60,
                              .iat = kStart,
                              .nbf = kStart,
                              .sub = "alpha@example.com"},
                             by, RequestInfo{"192.0.2.1", "curl/8"});
  EXPECT_EQ(record["event"]["action"], "token-generation");
  EXPECT_EQ(record["event"]["category"], "iam");
  EXPECT_EQ(record["event"]["type"], "creation");
  EXPECT_EQ(record["event"]["outcome"], "success");
  EXPECT_EQ(record["message"], "Token generated for alpha (1111) by Mia Manager <mia@example.com>");
  EXPECT_EQ(record["tags"], Json({"token", "generated"}));
  EXPECT_EQ(record["auth"]["exp_timestamp"], "2027-01-15T08:01:00.000Z");
  EXPECT_EQ(record["user"]["name"], "Mia Manager");
  EXPECT_EQ(record["source"]["ip"], "192.0.2.1");
  EXPECT_EQ(record["user_agent"]["original"], "curl/8");
  Json renewed = TokenCreated({"alpha", "1111"}, {}, std::nullopt, std::nullopt);
  EXPECT_EQ(renewed["message"], "Token renewed for alpha (1111) by API call");
  EXPECT_FALSE(renewed.contains("user"));
}

TEST_F(AuditTest, AppendStampsCommonFieldsAndChains) {
  Append(3);
  auto rs = db_->Execute("SELECT sequence, prev_hash, hash, record FROM audit_log ORDER BY 1");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->rows.size(), 3u);
  Json first = Json::parse(rs->rows[0].Text(3));
  EXPECT_EQ(first["ecs"]["version"], "8.11.0");
  EXPECT_EQ(first["service"]["name"], "broker");
  EXPECT_EQ(first["host"]["hostname"], "host1");
  EXPECT_EQ(first["labels"]["project"], "broker");
  EXPECT_EQ(first["@timestamp"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(first["sequence"], 1);
  EXPECT_EQ(first["prev_hash"], std::string(kGenesisHash));
  EXPECT_EQ(rs->rows[1].Text(1), rs->rows[0].Text(2));
  auto report = VerifyChain(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 3);
}

TEST_F(AuditTest, VerifyChainFindsTampering) {
  Append(3);
  ASSERT_TRUE(db_->Execute("UPDATE audit_log SET record = replace(record, '\"i\":\"1\"', "
                           "'\"i\":\"9\"') WHERE sequence = 2")
                  .ok());
  auto report = VerifyChain(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  EXPECT_EQ(report->first_bad_sequence, 2);
  ASSERT_TRUE(db_->Execute("DELETE FROM audit_log WHERE sequence = 2").ok());
  EXPECT_EQ(VerifyChain(*db_)->problem, "sequence gap");
}

TEST_F(AuditTest, ShipperWritesOneLinePerRecordAtLeastOnce) {
  Append(5);
  ShipperOptions options;
  options.directory = dir_.File("logs");
  FileShipper shipper(*db_, clock_, options);
  auto shipped = shipper.ShipOnce();
  ASSERT_TRUE(shipped.ok());
  EXPECT_EQ(*shipped, 5);
  EXPECT_EQ(shipper.LastShipped().value(), 5);
  Append(2);
  EXPECT_EQ(shipper.ShipOnce().value(), 2);
  EXPECT_EQ(shipper.ShipOnce().value(), 0);
  const std::string path = options.directory + "/audit-2027-01-15.log";
  std::ifstream in(path);
  std::stringstream whole;
  whole << in.rdbuf();
  EXPECT_EQ(whole.str().back(), '\n');
  std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_TRUE(VerifyLines(lines).ok());
  // A repeated line (a crash between write and checkpoint) is tolerated.
  lines.insert(lines.begin() + 3, lines[2]);
  EXPECT_TRUE(VerifyLines(lines).ok());
  lines.back().resize(lines.back().size() / 2);
  EXPECT_EQ(VerifyLines(lines).problem, "torn last line");
}

// ShippedLine splices "hash" into the stored text; it must give exactly the bytes of parsing,
// adding the member and dumping again.
TEST(ShippedLineTest, EqualsParseAddDump) {
  const std::vector<std::string> texts = {
      "{}",
      R"({"a":1})",
      R"({"zz":"x"})",
      std::string(R"({"@timestamp":"t","auth":{"hash":"inner","jti":"j"},"event":{"k":"}"},)") +
          R"("host":{"h":1},"message":"a \"quoted\" {brace\\","sequence":3})",
      R"({"event":[{"x":"]"},2],"labels":{"a":"b"},"tags":["hash","z"]})",
      R"({"ha":1,"hash2":3,"hasi":2})",
      R"({"a\"b":1,"z":2})",
  };
  for (const std::string& text : texts) {
    Json expected = Json::parse(text);
    expected["hash"] = "abc123";
    EXPECT_EQ(ShippedLine({1, "p", "abc123", text}), expected.dump()) << text;
  }
}

TEST_F(AuditTest, ShipperRotatesBySizeAndKeepsN) {
  ShipperOptions options;
  options.directory = dir_.File("logs");
  options.max_file_bytes = 1500;
  options.keep_files = 2;
  options.batch = 1;
  FileShipper shipper(*db_, clock_, options);
  for (int i = 0; i < 12; ++i) {
    Append(1);
    ASSERT_TRUE(shipper.ShipOnce().ok());
  }
  const std::string base = options.directory + "/audit-2027-01-15.log";
  EXPECT_TRUE(std::filesystem::exists(base));
  EXPECT_TRUE(std::filesystem::exists(base + ".1"));
  EXPECT_FALSE(std::filesystem::exists(base + ".3"));
  std::vector<std::string> newest = Lines(base);
  ASSERT_FALSE(newest.empty());
  EXPECT_EQ(Json::parse(newest.back())["sequence"], 12);
}

TEST_F(AuditTest, BatchWriterCountsAFullQueueAndLosesNothing) {
  BatchWriterOptions options;
  options.capacity = 4;
  options.max_batch = 3;
  options.enqueue_wait = std::chrono::milliseconds(1);
  BatchWriter writer(*db_, log_, options);  // not started: only Flush or overflow writes
  for (int i = 0; i < 10; ++i) {
    writer.Enqueue(AuthenticationStart({"192.0.2.9", "ua"}));
  }
  BatchWriterStats stats = writer.stats();
  EXPECT_EQ(stats.enqueued, 10u);
  EXPECT_EQ(stats.overflows, 6u);
  EXPECT_EQ(stats.written, 6u);
  EXPECT_EQ(stats.queued, 4u);
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(writer.stats().written, 10u);
  EXPECT_EQ(db_->Execute("SELECT COUNT(*) FROM audit_log")->rows[0].Int(0), 10);
  EXPECT_TRUE(VerifyChain(*db_)->ok());
}

TEST_F(AuditTest, BatchWriterThreadFlushesOnItsOwn) {
  BatchWriterOptions options;
  options.flush_interval = std::chrono::milliseconds(10);
  BatchWriter writer(*db_, log_, options);
  writer.Start();
  writer.Enqueue(AuthenticationEnd(false, {}, {"192.0.2.9", "ua"}, "expired"));
  for (int i = 0; i < 500 && writer.stats().written == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(writer.stats().written, 1u);
  writer.Stop();
}

}  // namespace
}  // namespace broker::audit
