#include "transport/http/admission.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace ferry::transport::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = RateLimiter::Clock::time_point;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1000);

// ----- ConnectionLimiter ---------------------------------------------------------------------

TEST(ConnectionLimiterTest, CapsOpenConnections) {
  ConnectionLimiter limiter(2);
  EXPECT_EQ(limiter.max_connections(), 2);
  auto a = limiter.TryAcquire();
  auto b = limiter.TryAcquire();
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(limiter.open(), 2);
  EXPECT_FALSE(limiter.TryAcquire().has_value());
  EXPECT_EQ(limiter.open(), 2);
  a.reset();
  EXPECT_EQ(limiter.open(), 1);
  auto c = limiter.TryAcquire();
  EXPECT_TRUE(c.has_value());
  EXPECT_EQ(limiter.open(), 2);
}

TEST(ConnectionLimiterTest, TicketsMoveAndReleaseOnce) {
  ConnectionLimiter limiter(3);
  {
    auto a = limiter.TryAcquire();
    ASSERT_TRUE(a.has_value());
    ConnectionLimiter::Ticket moved = std::move(*a);
    EXPECT_EQ(limiter.open(), 1);
    a.reset();  // the moved-from ticket gives nothing back
    EXPECT_EQ(limiter.open(), 1);

    auto b = limiter.TryAcquire();
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(limiter.open(), 2);
    moved = std::move(*b);  // releases moved's own place, takes b's
    EXPECT_EQ(limiter.open(), 1);
    moved.Release();
    moved.Release();
    EXPECT_EQ(limiter.open(), 0);
  }
  EXPECT_EQ(limiter.open(), 0);
}

TEST(ConnectionLimiterTest, NonPositiveMaxMeansUnlimited) {
  for (int max : {0, -1}) {
    ConnectionLimiter limiter(max);
    std::vector<ConnectionLimiter::Ticket> tickets;
    for (int i = 0; i < 1000; ++i) {
      auto ticket = limiter.TryAcquire();
      ASSERT_TRUE(ticket.has_value());
      tickets.push_back(std::move(*ticket));
    }
    EXPECT_EQ(limiter.open(), 1000);
    tickets.clear();
    EXPECT_EQ(limiter.open(), 0);
  }
}

TEST(ConnectionLimiterTest, ConcurrentAcquireNeverOvershoots) {
  constexpr int kMax = 8;
  ConnectionLimiter limiter(kMax);
  std::atomic<int> holders{0};
  std::atomic<int> peak{0};
  std::atomic<int> acquired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto ticket = limiter.TryAcquire();
        if (!ticket) continue;
        acquired.fetch_add(1);
        int now = holders.fetch_add(1) + 1;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        EXPECT_LE(limiter.open(), kMax);
        holders.fetch_sub(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(peak.load(), kMax);
  EXPECT_GT(acquired.load(), 0);
  EXPECT_EQ(limiter.open(), 0);
}

// ----- RateLimiter ---------------------------------------------------------------------------

TEST(RateLimiterTest, DisabledAllowsEverything) {
  for (RateLimitOptions options :
       {RateLimitOptions{.requests = 0}, RateLimitOptions{.requests = -5},
        RateLimitOptions{.requests = 5, .window = milliseconds(0)},
        RateLimitOptions{.requests = 5, .max_clients = 0}}) {
    RateLimiter limiter(options);
    EXPECT_FALSE(limiter.enabled());
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.Check("client", kT0).allowed);
    EXPECT_EQ(limiter.stats().tracked_clients, 0u);
    EXPECT_EQ(limiter.stats().allowed, 1000u);
  }
}

TEST(RateLimiterTest, BurstThenRefusalWithRetryAfter) {
  RateLimiter limiter({.requests = 5, .window = seconds(10)});  // one per 2 s, burst 5
  ASSERT_TRUE(limiter.enabled());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Check("a", kT0).allowed) << i;
  auto refused = limiter.Check("a", kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 2);
  // Refusals do not consume anything: the wait stays the same.
  EXPECT_EQ(limiter.Check("a", kT0).retry_after_seconds, 2);
  EXPECT_EQ(limiter.Check("a", kT0 + milliseconds(500)).retry_after_seconds, 2);  // 1.5 s, ceil
  EXPECT_EQ(limiter.Check("a", kT0 + milliseconds(1500)).retry_after_seconds, 1);
  EXPECT_TRUE(limiter.Check("a", kT0 + seconds(2)).allowed);
  EXPECT_FALSE(limiter.Check("a", kT0 + seconds(2)).allowed);
  auto stats = limiter.stats();
  EXPECT_EQ(stats.allowed, 6u);
  EXPECT_EQ(stats.refused, 5u);
  EXPECT_EQ(stats.tracked_clients, 1u);
}

TEST(RateLimiterTest, RetryAfterIsAtLeastOneSecond) {
  RateLimiter limiter({.requests = 100, .window = seconds(1)});  // one per 10 ms
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.Check("a", kT0).allowed);
  auto refused = limiter.Check("a", kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1);
  EXPECT_TRUE(limiter.Check("a", kT0 + milliseconds(10)).allowed);
}

TEST(RateLimiterTest, LongRunRateIsRequestsPerWindow) {
  RateLimiter limiter({.requests = 10, .window = seconds(1)});
  int allowed = 0;
  // A client hammering every millisecond for 60 s gets the burst plus 10 per second.
  for (int ms = 0; ms < 60000; ++ms) {
    if (limiter.Check("greedy", kT0 + milliseconds(ms)).allowed) ++allowed;
  }
  EXPECT_GE(allowed, 10 + 599);
  EXPECT_LE(allowed, 10 + 600);
}

TEST(RateLimiterTest, FullRefillAfterAWindow) {
  RateLimiter limiter({.requests = 3, .window = seconds(30)});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Check("a", kT0).allowed);
  ASSERT_FALSE(limiter.Check("a", kT0).allowed);
  TimePoint later = kT0 + seconds(30);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Check("a", later).allowed) << i;
  EXPECT_FALSE(limiter.Check("a", later).allowed);
}

TEST(RateLimiterTest, ClientsAreIndependent) {
  RateLimiter limiter({.requests = 2, .window = seconds(10)});
  EXPECT_TRUE(limiter.Check("a", kT0).allowed);
  EXPECT_TRUE(limiter.Check("a", kT0).allowed);
  EXPECT_FALSE(limiter.Check("a", kT0).allowed);
  EXPECT_TRUE(limiter.Check("b", kT0).allowed);
  EXPECT_TRUE(limiter.Check("b", kT0).allowed);
  EXPECT_FALSE(limiter.Check("b", kT0).allowed);
  EXPECT_EQ(limiter.stats().tracked_clients, 2u);
}

TEST(RateLimiterTest, ClockGoingBackwardsIsHarmless) {
  // Threads read the clock before taking the shard lock, so a check may carry an earlier time
  // than the one before it. GCRA treats it as a request made earlier: nothing breaks.
  RateLimiter limiter({.requests = 2, .window = seconds(10)});  // one per 5 s, burst 2
  EXPECT_TRUE(limiter.Check("a", kT0).allowed);
  auto earlier = limiter.Check("a", kT0 - seconds(3));
  EXPECT_FALSE(earlier.allowed);
  EXPECT_EQ(earlier.retry_after_seconds, 3);
  EXPECT_TRUE(limiter.Check("a", kT0).allowed);
  EXPECT_FALSE(limiter.Check("a", kT0).allowed);
}

TEST(RateLimiterTest, IdleBucketsAreReclaimed) {
  RateLimiter limiter({.requests = 2, .window = seconds(10), .max_clients = 64});
  for (int i = 0; i < 64; ++i) limiter.Check("client-" + std::to_string(i), kT0);
  const std::size_t tracked = limiter.stats().tracked_clients;
  EXPECT_GT(tracked, 32u);
  EXPECT_LE(tracked, 64u);
  // Once a window has passed every bucket is full again; checks in each shard sweep them away.
  TimePoint later = kT0 + seconds(10);
  for (int i = 0; i < 1000; ++i) limiter.Check("fresh-" + std::to_string(i), later);
  auto stats = limiter.stats();
  EXPECT_EQ(stats.reclaimed_idle, tracked);
  EXPECT_LE(stats.tracked_clients, 64u);
}

TEST(RateLimiterTest, SingleSlotTableOverflowsThenReclaims) {
  RateLimiter limiter({.requests = 1, .window = seconds(10), .max_clients = 1});
  EXPECT_TRUE(limiter.Check("a", kT0).allowed);
  // "b" finds the only slot taken by a bucket still refilling: it uses the overflow bucket.
  EXPECT_TRUE(limiter.Check("b", kT0).allowed);
  EXPECT_FALSE(limiter.Check("c", kT0).allowed);  // the overflow bucket is shared
  EXPECT_EQ(limiter.stats().overflow_checks, 2u);
  EXPECT_EQ(limiter.stats().tracked_clients, 1u);
  // After a window "a" is idle, so "b" takes the slot.
  EXPECT_TRUE(limiter.Check("b", kT0 + seconds(10)).allowed);
  EXPECT_FALSE(limiter.Check("b", kT0 + seconds(10)).allowed);
  EXPECT_EQ(limiter.stats().overflow_checks, 2u);
  EXPECT_EQ(limiter.stats().reclaimed_idle, 1u);
}

TEST(RateLimiterTest, CyclingClientIdsCannotGrowMemoryOrResetOthers) {
  constexpr std::size_t kMaxClients = 256;
  constexpr int kRequests = 10;
  RateLimiter limiter({.requests = kRequests, .window = seconds(60), .max_clients = kMaxClients});
  // A legitimate client uses its whole burst.
  for (int i = 0; i < kRequests; ++i) ASSERT_TRUE(limiter.Check("legit", kT0).allowed);
  ASSERT_FALSE(limiter.Check("legit", kT0).allowed);

  // An attacker sends from 100k distinct ids within the window.
  int attacker_allowed = 0;
  for (int i = 0; i < 100000; ++i) {
    TimePoint t = kT0 + milliseconds(i / 10);  // 10 s in all
    if (limiter.Check("attacker-" + std::to_string(i), t).allowed) ++attacker_allowed;
    ASSERT_LE(limiter.stats().tracked_clients, kMaxClients);
  }
  // Tracked ids got their bursts; the rest shared one bucket (burst + 10 s of refill).
  EXPECT_LE(attacker_allowed,
            static_cast<int>(kMaxClients) * kRequests + kRequests + 10 * kRequests / 60 + 1);
  EXPECT_GT(limiter.stats().overflow_checks, 90000u);
  // The legitimate client's bucket survived: still empty (about one request refilled).
  TimePoint after = kT0 + seconds(10);
  int legit_allowed = 0;
  for (int i = 0; i < kRequests; ++i) legit_allowed += limiter.Check("legit", after).allowed;
  EXPECT_LE(legit_allowed, 2);
}

TEST(RateLimiterTest, ConcurrentChecksOfOneClientAdmitExactlyTheBurst) {
  constexpr int kRequests = 1000;
  RateLimiter limiter({.requests = kRequests, .window = seconds(3600)});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.Check("shared", kT0).allowed) allowed.fetch_add(1);
        limiter.Check("own-" + std::to_string(i % 50), kT0);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), kRequests);
  EXPECT_EQ(limiter.stats().allowed + limiter.stats().refused, 8000u);
}

TEST(RateLimiterTest, ConcurrentOverflowAdmitsExactlyTheBurst) {
  constexpr int kRequests = 100;
  RateLimiter limiter({.requests = kRequests, .window = seconds(3600), .max_clients = 1});
  ASSERT_TRUE(limiter.Check("resident", kT0).allowed);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::string id = "x" + std::to_string(t) + "-" + std::to_string(i);
        if (limiter.Check(id, kT0).allowed) allowed.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), kRequests);
}

TEST(RateLimiterTest, ValidateOptions) {
  EXPECT_TRUE(ValidateRateLimitOptions({}).has_value());
  EXPECT_TRUE(ValidateRateLimitOptions({.requests = 10, .window = seconds(1)}).has_value());
  auto bad_window = ValidateRateLimitOptions({.requests = 10, .window = milliseconds(-1)});
  ASSERT_FALSE(bad_window.has_value());
  EXPECT_EQ(bad_window.error().code, ErrorCode::kInvalidConfig);
  EXPECT_FALSE(ValidateRateLimitOptions({.requests = 10, .max_clients = 0}).has_value());
}

TEST(RateLimitKeyTest, AddressesFoldToKeys) {
  EXPECT_EQ(RateLimitKeyForAddress("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(RateLimitKeyForAddress("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimitKeyForAddress("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimitKeyForAddress("[2001:DB8:1:2::1]"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimitKeyForAddress("::1"), "::/64");
  EXPECT_EQ(RateLimitKeyForAddress("::ffff:203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(RateLimitKeyForAddress("fe80::1%eth0"), "fe80::/64");
  EXPECT_EQ(RateLimitKeyForAddress("token-3"), "token-3");
  EXPECT_EQ(RateLimitKeyForAddress(""), "");
  EXPECT_EQ(RateLimitKeyForAddress(std::string(200, ':')), std::string(200, ':'));
}

}  // namespace
}  // namespace ferry::transport::http
