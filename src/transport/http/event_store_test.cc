#include "transport/http/event_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ferry::transport::http {
namespace {

constexpr std::size_t kOverhead = InMemoryEventStore::kEventOverhead;

std::vector<std::string> Messages(const Replay& replay) {
  std::vector<std::string> out;
  for (const auto& event : replay.events) out.push_back(event.message);
  return out;
}

std::vector<std::string> Ids(const Replay& replay) {
  std::vector<std::string> out;
  for (const auto& event : replay.events) out.push_back(event.id);
  return out;
}

// ----- event ids -----------------------------------------------------------------------------

TEST(EventIdTest, FormatAndParse) {
  EXPECT_EQ(FormatEventId("post-1", 7), "post-1:7");
  auto parts = ParseEventId("post-1:7");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->stream_id, "post-1");
  EXPECT_EQ(parts->sequence, 7u);

  auto colons = ParseEventId("a:b:c:42");
  ASSERT_TRUE(colons.has_value());
  EXPECT_EQ(colons->stream_id, "a:b:c");
  EXPECT_EQ(colons->sequence, 42u);

  auto zero = ParseEventId("s:0");
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->sequence, 0u);

  auto max = ParseEventId("s:18446744073709551615");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->sequence, UINT64_MAX);
}

TEST(EventIdTest, MalformedIds) {
  for (const char* id :
       {"", "nocolon", ":5", "s:", "s:-1", "s:+1", "s:01", "s:1a", "s: 1", "s :1",
        "s:18446744073709551616", "s:99999999999999999999999", "s\n:1", "s\x7f:1"}) {
    auto parts = ParseEventId(id);
    ASSERT_FALSE(parts.has_value()) << id;
    EXPECT_EQ(parts.error().code, ErrorCode::kInvalidRequest);
    EXPECT_NE(parts.error().message.find("malformed event id"), std::string::npos);
  }
  EXPECT_FALSE(ParseEventId(std::string(300, 'a') + ":1").has_value());
}

TEST(EventIdTest, StreamAndSessionIdValidation) {
  EXPECT_TRUE(ValidateStreamId("get").has_value());
  EXPECT_TRUE(ValidateStreamId(std::string(256, 'x')).has_value());
  EXPECT_FALSE(ValidateStreamId("").has_value());
  EXPECT_FALSE(ValidateStreamId(std::string(257, 'x')).has_value());
  EXPECT_FALSE(ValidateStreamId("a b").has_value());
  EXPECT_FALSE(ValidateStreamId("a\nb").has_value());
  EXPECT_FALSE(ValidateStreamId(std::string("a\0b", 3)).has_value());
  EXPECT_TRUE(ValidateSessionId("").has_value());
  EXPECT_TRUE(ValidateSessionId("0f3a-9c").has_value());
  EXPECT_FALSE(ValidateSessionId("bad session").has_value());
  EXPECT_EQ(ValidateSessionId(std::string(257, 'x')).error().code, ErrorCode::kInvalidParams);
}

// ----- InMemoryEventStore: append and replay -------------------------------------------------

TEST(InMemoryEventStoreTest, AppendNumbersEventsPerStream) {
  InMemoryEventStore store;
  EXPECT_EQ(*store.Append("s1", "get", "a"), "get:1");
  EXPECT_EQ(*store.Append("s1", "get", "b"), "get:2");
  EXPECT_EQ(*store.Append("s1", "post-1", "c"), "post-1:1");
  EXPECT_EQ(*store.Append("s2", "get", "d"), "get:1");  // another session, its own numbering
  auto stats = store.stats();
  EXPECT_EQ(stats.events, 4u);
  EXPECT_EQ(stats.bytes, 4 * (1 + kOverhead));
  EXPECT_EQ(stats.streams, 3u);
  EXPECT_EQ(stats.sessions, 2u);
  EXPECT_EQ(stats.appended, 4u);
  EXPECT_EQ(stats.evicted, 0u);
}

TEST(InMemoryEventStoreTest, AppendRejectsInvalidIds) {
  InMemoryEventStore store;
  auto bad_stream = store.Append("s", "has space", "m");
  ASSERT_FALSE(bad_stream.has_value());
  EXPECT_EQ(bad_stream.error().code, ErrorCode::kInvalidParams);
  EXPECT_FALSE(store.Append("s", "", "m").has_value());
  EXPECT_FALSE(store.Append("bad\nsession", "get", "m").has_value());
  EXPECT_EQ(store.stats().streams, 0u);
}

TEST(InMemoryEventStoreTest, ReplayReturnsTheEventsAfterTheId) {
  InMemoryEventStore store;
  for (int i = 1; i <= 5; ++i) store.Append("s", "get", "m" + std::to_string(i));
  store.Append("s", "post-9", "other stream");

  auto replay = store.ReplayAfter("s", "get:2");
  ASSERT_TRUE(replay.has_value()) << replay.error().message;
  EXPECT_EQ(replay->stream_id, "get");
  EXPECT_EQ(Messages(*replay), (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_EQ(Ids(*replay), (std::vector<std::string>{"get:3", "get:4", "get:5"}));

  auto none_missed = store.ReplayAfter("s", "get:5");
  ASSERT_TRUE(none_missed.has_value());
  EXPECT_TRUE(none_missed->events.empty());
  EXPECT_EQ(none_missed->stream_id, "get");

  auto from_start = store.ReplayAfter("s", "get:0");
  ASSERT_TRUE(from_start.has_value());
  EXPECT_EQ(from_start->events.size(), 5u);

  auto other = store.ReplayAfter("s", "post-9:0");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->stream_id, "post-9");
  EXPECT_EQ(Messages(*other), (std::vector<std::string>{"other stream"}));
}

TEST(InMemoryEventStoreTest, StreamIdsWithColonsReplay) {
  InMemoryEventStore store;
  EXPECT_EQ(*store.Append("s", "req:42", "a"), "req:42:1");
  store.Append("s", "req:42", "b");
  auto replay = store.ReplayAfter("s", "req:42:1");
  ASSERT_TRUE(replay.has_value());
  EXPECT_EQ(replay->stream_id, "req:42");
  EXPECT_EQ(Messages(*replay), (std::vector<std::string>{"b"}));
}

TEST(InMemoryEventStoreTest, EmptyMessagesArePrimingEvents) {
  InMemoryEventStore store;
  EXPECT_EQ(*store.Append("s", "get", ""), "get:1");
  store.Append("s", "get", "{}");
  EXPECT_EQ(store.stats().bytes, kOverhead + 2 + kOverhead);
  auto replay = store.ReplayAfter("s", "get:1");
  ASSERT_TRUE(replay.has_value());
  EXPECT_EQ(Messages(*replay), (std::vector<std::string>{"{}"}));
}

TEST(InMemoryEventStoreTest, ReplayIsScopedToTheSession) {
  InMemoryEventStore store;
  store.Append("alice", "get", "alice's secret");
  store.Append("alice", "get", "more");
  auto stolen = store.ReplayAfter("mallory", "get:0");
  ASSERT_FALSE(stolen.has_value());
  EXPECT_EQ(stolen.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(stolen.error().message.find("secret"), std::string::npos);
  // Without session management the empty session is its own scope.
  store.Append("", "get", "stateless");
  EXPECT_EQ(Messages(*store.ReplayAfter("", "get:0")), (std::vector<std::string>{"stateless"}));
  EXPECT_FALSE(store.ReplayAfter("", "get:2").has_value());
}

TEST(InMemoryEventStoreTest, UnknownAndMalformedIds) {
  InMemoryEventStore store;
  store.Append("s", "get", "a");

  auto malformed = store.ReplayAfter("s", "garbage");
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidRequest);

  auto unknown_stream = store.ReplayAfter("s", "post-3:1");
  ASSERT_FALSE(unknown_stream.has_value());
  EXPECT_EQ(unknown_stream.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown_stream.error().message.find("no stream 'post-3'"), std::string::npos);

  auto never_issued = store.ReplayAfter("s", "get:2");
  ASSERT_FALSE(never_issued.has_value());
  EXPECT_EQ(never_issued.error().code, ErrorCode::kNotFound);
  EXPECT_NE(never_issued.error().message.find("issued only 1"), std::string::npos);

  auto huge = store.ReplayAfter("s", "get:18446744073709551615");
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code, ErrorCode::kNotFound);
}

// ----- eviction ------------------------------------------------------------------------------

TEST(InMemoryEventStoreTest, PerStreamCapEvictsOldestAndSaysSo) {
  // Each event costs 101 bytes (36 + 1 message bytes, 64 overhead): two fit in 300.
  InMemoryEventStore store({.max_total_bytes = 1 << 20, .max_stream_bytes = 300});
  const std::string body(36, 'x');
  for (int i = 1; i <= 5; ++i) store.Append("s", "get", body + std::to_string(i));
  auto stats = store.stats();
  EXPECT_EQ(stats.events, 2u);
  EXPECT_EQ(stats.evicted, 3u);
  EXPECT_LE(stats.bytes, 300u);

  auto ok = store.ReplayAfter("s", "get:3");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(Ids(*ok), (std::vector<std::string>{"get:4", "get:5"}));

  auto evicted = store.ReplayAfter("s", "get:2");
  ASSERT_FALSE(evicted.has_value());
  EXPECT_EQ(evicted.error().code, ErrorCode::kNotFound);
  EXPECT_NE(evicted.error().message.find("evicted"), std::string::npos);
  EXPECT_NE(evicted.error().message.find("events 3 to 3"), std::string::npos);
  EXPECT_FALSE(store.ReplayAfter("s", "get:0").has_value());
}

TEST(InMemoryEventStoreTest, TotalCapEvictsGloballyOldestFirst) {
  InMemoryEventStore store({.max_total_bytes = 4 * (kOverhead + 1), .max_stream_bytes = 1 << 20});
  store.Append("s1", "a", "1");  // oldest
  store.Append("s2", "b", "2");
  store.Append("s1", "a", "3");
  store.Append("s2", "b", "4");
  EXPECT_EQ(store.stats().evicted, 0u);
  store.Append("s3", "c", "5");  // evicts "1" (stream a)
  store.Append("s3", "c", "6");  // evicts "2" (stream b)
  auto stats = store.stats();
  EXPECT_EQ(stats.events, 4u);
  EXPECT_EQ(stats.evicted, 2u);
  EXPECT_EQ(stats.bytes, 4 * (kOverhead + 1));

  EXPECT_FALSE(store.ReplayAfter("s1", "a:0").has_value());
  EXPECT_EQ(Messages(*store.ReplayAfter("s1", "a:1")), (std::vector<std::string>{"3"}));
  EXPECT_FALSE(store.ReplayAfter("s2", "b:0").has_value());
  EXPECT_EQ(Messages(*store.ReplayAfter("s2", "b:1")), (std::vector<std::string>{"4"}));
  EXPECT_EQ(Messages(*store.ReplayAfter("s3", "c:0")), (std::vector<std::string>{"5", "6"}));
}

TEST(InMemoryEventStoreTest, FullyEvictedStreamStillReportsEviction) {
  InMemoryEventStore store({.max_total_bytes = 2 * (kOverhead + 1)});
  store.Append("s", "old", "1");
  store.Append("s", "new", "2");
  store.Append("s", "new", "3");  // "old" loses its only event
  EXPECT_EQ(store.stats().streams, 2u);
  auto replay = store.ReplayAfter("s", "old:0");
  ASSERT_FALSE(replay.has_value());
  EXPECT_NE(replay.error().message.find("evicted"), std::string::npos);
  // Caught up to the end is still fine: nothing was missed.
  auto caught_up = store.ReplayAfter("s", "old:1");
  ASSERT_TRUE(caught_up.has_value());
  EXPECT_TRUE(caught_up->events.empty());
  // The stream continues its numbering.
  EXPECT_EQ(*store.Append("s", "old", "4"), "old:2");
}

TEST(InMemoryEventStoreTest, OversizedMessageGetsAnIdButIsNotKept) {
  InMemoryEventStore store({.max_total_bytes = 1 << 20, .max_stream_bytes = 1000});
  store.Append("s", "get", "small-1");
  store.Append("s", "get", "small-2");
  auto id = store.Append("s", "get", std::string(2000, 'x'));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, "get:3");
  store.Append("s", "get", "small-4");

  auto stats = store.stats();
  EXPECT_EQ(stats.events, 1u);
  EXPECT_EQ(stats.evicted, 3u);  // the big one, and the two before it

  // Replaying across the unkept event fails loudly instead of skipping it.
  auto across = store.ReplayAfter("s", "get:2");
  ASSERT_FALSE(across.has_value());
  EXPECT_NE(across.error().message.find("evicted"), std::string::npos);
  EXPECT_FALSE(store.ReplayAfter("s", "get:1").has_value());
  // After it, replay works.
  EXPECT_EQ(Messages(*store.ReplayAfter("s", "get:3")), (std::vector<std::string>{"small-4"}));
}

TEST(InMemoryEventStoreTest, MessageOverTheTotalCapIsNotKept) {
  InMemoryEventStore store({.max_total_bytes = 500, .max_stream_bytes = 1 << 20});
  store.Append("s", "other", "keep me");
  EXPECT_EQ(*store.Append("s", "get", std::string(1000, 'x')), "get:1");
  EXPECT_EQ(store.stats().events, 1u);
  EXPECT_EQ(Messages(*store.ReplayAfter("s", "other:0")), (std::vector<std::string>{"keep me"}));
  EXPECT_TRUE(store.ReplayAfter("s", "get:1")->events.empty());
}

TEST(InMemoryEventStoreTest, StreamCapForgetsLeastRecentlyUsedStream) {
  InMemoryEventStore store({.max_streams = 2});
  store.Append("s", "a", "1");
  store.Append("s", "b", "2");
  ASSERT_TRUE(store.ReplayAfter("s", "a:0").has_value());  // "a" is now more recent than "b"
  store.Append("s", "c", "3");                             // forgets "b"
  auto stats = store.stats();
  EXPECT_EQ(stats.streams, 2u);
  EXPECT_EQ(stats.forgotten_streams, 1u);
  EXPECT_EQ(stats.evicted, 1u);
  EXPECT_EQ(stats.events, 2u);
  auto b = store.ReplayAfter("s", "b:0");
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().message.find("expired"), std::string::npos);
  EXPECT_TRUE(store.ReplayAfter("s", "a:0").has_value());
  EXPECT_TRUE(store.ReplayAfter("s", "c:0").has_value());
}

// ----- drops ---------------------------------------------------------------------------------

TEST(InMemoryEventStoreTest, DropStreamFreesItsEvents) {
  InMemoryEventStore store;
  store.Append("s", "a", "1");
  store.Append("s", "a", "2");
  store.Append("s", "b", "3");
  store.DropStream("s", "a");
  store.DropStream("s", "nope");
  store.DropStream("nobody", "a");
  auto stats = store.stats();
  EXPECT_EQ(stats.events, 1u);
  EXPECT_EQ(stats.bytes, 1 + kOverhead);
  EXPECT_EQ(stats.streams, 1u);
  EXPECT_EQ(stats.evicted, 0u);
  EXPECT_EQ(store.ReplayAfter("s", "a:0").error().code, ErrorCode::kNotFound);
  // A dropped stream that is used again starts over.
  EXPECT_EQ(*store.Append("s", "a", "new"), "a:1");
  store.DropStream("s", "a");
  store.DropStream("s", "b");
  EXPECT_EQ(store.stats().sessions, 0u);
  EXPECT_EQ(store.stats().bytes, 0u);
}

TEST(InMemoryEventStoreTest, DropSessionFreesEverythingItHeld) {
  InMemoryEventStore store({.max_total_bytes = 10 * (kOverhead + 1)});
  store.Append("gone", "get", "1");
  store.Append("gone", "post-1", "2");
  store.Append("gone", "post-2", "3");
  store.Append("stays", "get", "4");
  store.DropSession("gone");
  store.DropSession("never-existed");
  auto stats = store.stats();
  EXPECT_EQ(stats.events, 1u);
  EXPECT_EQ(stats.streams, 1u);
  EXPECT_EQ(stats.sessions, 1u);
  EXPECT_EQ(stats.bytes, 1 + kOverhead);
  EXPECT_FALSE(store.ReplayAfter("gone", "get:0").has_value());
  EXPECT_EQ(Messages(*store.ReplayAfter("stays", "get:0")), (std::vector<std::string>{"4"}));
  // The freed room is usable and eviction order still works after the drop.
  for (int i = 0; i < 20; ++i) store.Append("stays", "get", "x");
  EXPECT_EQ(store.stats().events, 10u);
  EXPECT_EQ(store.stats().bytes, 10 * (kOverhead + 1));
}

TEST(InMemoryEventStoreTest, UsableThroughTheInterface) {
  std::unique_ptr<EventStore> store = std::make_unique<InMemoryEventStore>();
  auto id = store->Append("s", "get", "hello");
  ASSERT_TRUE(id.has_value());
  auto replay = store->ReplayAfter("s", "get:0");
  ASSERT_TRUE(replay.has_value());
  EXPECT_EQ(replay->events, (std::vector<StoredEvent>{{"get:1", "hello"}}));
  store->DropSession("s");
  EXPECT_FALSE(store->ReplayAfter("s", "get:0").has_value());
}

// ----- invariants under load -----------------------------------------------------------------

TEST(InMemoryEventStoreTest, CapsHoldUnderChurn) {
  InMemoryEventStoreOptions options{
      .max_total_bytes = 20000, .max_stream_bytes = 3000, .max_streams = 20};
  InMemoryEventStore store(options);
  std::uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(seed >> 33);
  };
  for (int i = 0; i < 20000; ++i) {
    std::string session = "s" + std::to_string(next() % 8);
    std::string stream = "st" + std::to_string(next() % 6);
    switch (next() % 20) {
      case 0:
        store.DropStream(session, stream);
        break;
      case 1:
        store.DropSession(session);
        break;
      case 2:
        store.ReplayAfter(session, stream + ":" + std::to_string(next() % 50));
        break;
      default: {
        auto id = store.Append(session, stream, std::string(next() % 400, 'm'));
        ASSERT_TRUE(id.has_value());
        // The newest event is always replayable right after it was appended.
        auto parts = ParseEventId(*id);
        ASSERT_TRUE(parts.has_value());
        std::string previous = stream + ":" + std::to_string(parts->sequence - 1);
        auto replay = store.ReplayAfter(session, previous);
        ASSERT_TRUE(replay.has_value()) << replay.error().message;
        ASSERT_EQ(replay->events.size(), 1u);
        EXPECT_EQ(replay->events[0].id, *id);
      }
    }
    auto stats = store.stats();
    ASSERT_LE(stats.bytes, options.max_total_bytes);
    ASSERT_LE(stats.streams, options.max_streams);
  }
  auto stats = store.stats();
  EXPECT_GT(stats.evicted, 0u);
  // Dropping everything returns the store to empty: the byte and event counts are exact.
  for (int s = 0; s < 8; ++s) store.DropSession("s" + std::to_string(s));
  stats = store.stats();
  EXPECT_EQ(stats.events, 0u);
  EXPECT_EQ(stats.bytes, 0u);
  EXPECT_EQ(stats.streams, 0u);
  EXPECT_EQ(stats.sessions, 0u);
}

TEST(InMemoryEventStoreTest, ConcurrentAppendsAndReplays) {
  InMemoryEventStore store({.max_total_bytes = 1 << 16, .max_stream_bytes = 1 << 12});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string session = "session-" + std::to_string(t % 2);
      std::string stream = "stream-" + std::to_string(t);
      std::uint64_t last = 0;
      for (int i = 0; i < 3000; ++i) {
        auto id = store.Append(session, stream, "message " + std::to_string(i));
        if (!id) {
          failures.fetch_add(1);
          continue;
        }
        auto parts = ParseEventId(*id);
        if (!parts || parts->sequence != last + 1) failures.fetch_add(1);
        last = parts ? parts->sequence : last;
        if (i % 10 == 0) {
          auto replay = store.ReplayAfter(session, stream + ":" + std::to_string(last - 1));
          // Another thread's appends may evict (total cap), never corrupt.
          if (replay && (replay->stream_id != stream || replay->events.size() != 1)) {
            failures.fetch_add(1);
          }
        }
        if (i % 500 == 499 && t == 3) store.DropSession("session-unused");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto stats = store.stats();
  EXPECT_EQ(stats.appended, 12000u);
  EXPECT_LE(stats.bytes, std::size_t{1} << 16);
  EXPECT_EQ(stats.streams, 4u);
  EXPECT_EQ(stats.sessions, 2u);
}

}  // namespace
}  // namespace ferry::transport::http
