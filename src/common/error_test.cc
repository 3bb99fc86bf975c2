#include <set>
#include <string>

#include <gtest/gtest.h>

#include "common/log.h"
#include "ferry/result.h"

namespace ferry {
namespace {

TEST(ErrorTest, EveryCodeHasADistinctName) {
  std::set<std::string> names;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kUnsupported); ++c) {
    const auto name = std::string(ErrorCodeName(static_cast<ErrorCode>(c)));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
}

TEST(ErrorTest, FailBuildsTheErrorSide) {
  Result<int> r = Fail(ErrorCode::kTimeout, "too slow");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(r.error().message, "too slow");
}

TEST(LogTest, RefusesUnknownLevels) {
  EXPECT_TRUE(InitLogging("debug"));
  EXPECT_TRUE(InitLogging("off"));
  auto bad = InitLogging("loud");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("loud"), std::string::npos);
  EXPECT_TRUE(InitLogging("info"));
}

}  // namespace
}  // namespace ferry
