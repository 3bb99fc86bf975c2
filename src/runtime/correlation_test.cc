#include "runtime/correlation.h"

#include <future>

#include <gtest/gtest.h>

namespace ferry::runtime {
namespace {

using namespace std::chrono_literals;

class CorrelationTest : public ::testing::Test {
 protected:
  CorrelationTest() : executors_(Config::Performance{}) {}
  Executors executors_;
};

TEST_F(CorrelationTest, CompletesWithTheResponse) {
  auto cm = std::make_shared<CorrelationManager>(executors_, 4, 5s);
  std::promise<Result<boost::json::value>> got;
  auto id = cm->Register(std::nullopt, [&](auto r) { got.set_value(std::move(r)); });
  ASSERT_TRUE(id);
  EXPECT_EQ(cm->pending(), 1u);
  EXPECT_TRUE(cm->Complete(*id, boost::json::value(42)));
  auto r = got.get_future().get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->as_int64(), 42);
  EXPECT_EQ(cm->pending(), 0u);
  EXPECT_FALSE(cm->Complete(*id, boost::json::value(1)));  // late duplicate
}

TEST_F(CorrelationTest, TimesOut) {
  auto cm = std::make_shared<CorrelationManager>(executors_, 4, 5s);
  std::promise<Result<boost::json::value>> got;
  auto id = cm->Register(20ms, [&](auto r) { got.set_value(std::move(r)); });
  ASSERT_TRUE(id);
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(cm->pending(), 0u);
}

TEST_F(CorrelationTest, CapsPendingRequests) {
  auto cm = std::make_shared<CorrelationManager>(executors_, 2, 5s);
  ASSERT_TRUE(cm->Register(std::nullopt, [](auto) {}));
  ASSERT_TRUE(cm->Register(std::nullopt, [](auto) {}));
  auto third = cm->Register(std::nullopt, [](auto) {});
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::kOverloaded);
  EXPECT_NE(third.error().message.find("max_pending_requests"), std::string::npos);
}

TEST_F(CorrelationTest, CancelAllFailsEveryPendingRequestOnce) {
  auto cm = std::make_shared<CorrelationManager>(executors_, 8, 5s);
  int failures = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(cm->Register(std::nullopt, [&](auto r) {
      EXPECT_FALSE(r);
      failures++;
    }));
  }
  cm->CancelAll(Error(ErrorCode::kCancelled, "bye"));
  EXPECT_EQ(failures, 3);
  EXPECT_EQ(cm->pending(), 0u);
}

TEST_F(CorrelationTest, DestroyedManagerIgnoresLateTimers) {
  std::atomic<int> calls{0};
  {
    auto cm = std::make_shared<CorrelationManager>(executors_, 8, 5s);
    ASSERT_TRUE(cm->Register(10ms, [&](auto) { calls++; }));
  }  // the destructor fails it once
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace ferry::runtime
