#include "core/encoding.h"

#include <gtest/gtest.h>

namespace broker {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << "length " << i;
    bytes.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64Url, RefusesNonCanonicalInput) {
  EXPECT_EQ(Base64UrlDecode("AQ"), std::string("\x01"));
  EXPECT_FALSE(Base64UrlDecode("AR"));    // unused bits set
  EXPECT_FALSE(Base64UrlDecode("AQ=="));  // padding
  EXPECT_FALSE(Base64UrlDecode("A"));     // length 1 mod 4
  EXPECT_FALSE(Base64UrlDecode("+/"));    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("AQ "));   // whitespace
  EXPECT_FALSE(Base64UrlDecode("A Q"));
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff"));
}

TEST(Base64, StandardAlphabetWithPadding) {
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Decode("+/8="), std::string("\xfb\xff"));
  EXPECT_FALSE(Base64Decode("+/8"));
}

TEST(Utf8, AcceptsWellFormedAndRefusesTheRest) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9t\xc3\xa9 \xf0\x9f\x94\x91"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // encoded surrogate
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(Hex, LowerCase) { EXPECT_EQ(HexEncode(std::string_view("\x00\xab\xff", 3)), "00abff"); }

}  // namespace
}  // namespace broker
