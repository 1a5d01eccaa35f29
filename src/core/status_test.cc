#include "core/status.h"

#include <gtest/gtest.h>

namespace broker {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  BROKER_ASSIGN_OR_RETURN(const int half, Half(n));
  BROKER_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  BROKER_RETURN_IF_ERROR(Half(n));
  return OkStatus();
}

TEST(Status, MacrosPropagateTheFirstError) {
  ASSERT_TRUE(Quarter(8).ok());
  EXPECT_EQ(*Quarter(8), 2);
  const auto failed = Quarter(6);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CheckEven(3).error().message(), "odd");
  EXPECT_TRUE(CheckEven(4).ok());
}

TEST(Status, EveryCodeMapsToOneHttpStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(Status, InternalErrorsNeverShowTheirDetailPublicly) {
  const Error e = Internal("sqlite said: disk I/O error at /var/lib/x");
  EXPECT_EQ(e.message(), "Internal server error");
  EXPECT_NE(e.ToString().find("disk I/O"), std::string::npos);
}

TEST(Status, ContextIsAddedToTheInternalMessageOnly) {
  const Error e = NotFound("Account not found").WithContext("token list");
  EXPECT_EQ(e.message(), "Account not found");
  EXPECT_EQ(e.internal_message(), "token list: Account not found");
}

}  // namespace
}  // namespace broker
