#include "common/base64.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(Base64Test, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << n;
    bytes += static_cast<char>(n * 37 + 200);
  }
  EXPECT_EQ(Base64Encode("Man"), "TWFu");
  EXPECT_EQ(Base64Encode("Ma"), "TWE=");
  EXPECT_EQ(Base64Encode("M"), "TQ==");
}

TEST(Base64Test, RefusesWhatIsNotBase64) {
  EXPECT_FALSE(Base64Decode("TW!u"));
  EXPECT_FALSE(Base64Decode("TQ==TQ"));  // data after padding
  EXPECT_FALSE(Base64Decode("T"));       // six bits are not a byte
  EXPECT_EQ(Base64Decode("TW\nFu"), "Man");  // line breaks are fine
  EXPECT_EQ(Base64Decode("TWE"), "Ma");      // padding optional
}

}  // namespace
}  // namespace ferry
