#include "transport/http/event_stream.h"

#include <gtest/gtest.h>

namespace ferry::transport::http {
namespace {

std::shared_ptr<InMemoryEventStore> Store() {
  return std::make_shared<InMemoryEventStore>(InMemoryEventStoreOptions{});
}

TEST(EventStream, FormatsSseEvents) {
  EXPECT_EQ(FormatSseEvent("s:1", "{}"), "id: s:1\ndata: {}\n\n");
  EXPECT_EQ(FormatSseEvent("", "a\nb", "message"), "event: message\ndata: a\ndata: b\n\n");
}

TEST(EventStream, AnswerFirstIsJson) {
  auto s = std::make_shared<EventStream>("sess", "r1", EventStream::Kind::kRequest, Store(), 10,
                                         false);
  int wakes = 0;
  ASSERT_TRUE(s->Attach(MakeWake([&] { wakes++; })));
  EXPECT_EQ(s->Decide(), EventStream::Mode::kWait);
  s->Respond("answer");
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(s->Decide(), EventStream::Mode::kJson);
  auto batch = s->Take();
  ASSERT_EQ(batch.items.size(), 1u);
  EXPECT_TRUE(batch.items[0].id.empty());  // plain JSON: nothing stored
  EXPECT_TRUE(batch.finished);
  s->Send("late");  // nothing follows the answer
  EXPECT_TRUE(s->Take().items.empty());
}

TEST(EventStream, MessagesBeforeTheAnswerMakeItSseWithIds) {
  auto store = Store();
  auto s = std::make_shared<EventStream>("sess", "r2", EventStream::Kind::kRequest, store, 10,
                                         false);
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  s->Send("progress");
  EXPECT_EQ(s->Decide(), EventStream::Mode::kSse);
  s->Respond("answer");
  auto batch = s->Take();
  ASSERT_EQ(batch.items.size(), 2u);
  // r2:1 is the priming event, stored ahead of every message.
  EXPECT_EQ(s->TakePriming(), "retry: 1000\nid: r2:1\ndata: \n\n");
  EXPECT_EQ(batch.items[0].id, "r2:2");
  EXPECT_EQ(batch.items[1].id, "r2:3");
  EXPECT_TRUE(batch.items[1].final);
  EXPECT_TRUE(batch.finished);
  auto replay = store->ReplayAfter("sess", "r2:1");  // resuming from the priming event
  ASSERT_TRUE(replay);
  ASSERT_EQ(replay->events.size(), 2u);
  EXPECT_EQ(replay->events[0].message, "progress");
  EXPECT_EQ(replay->events[1].message, "answer");
}

TEST(EventStream, ResumeReplaysWhatTheLostConnectionMissedThenGoesLive) {
  auto s = std::make_shared<EventStream>("sess", "r3", EventStream::Kind::kRequest, Store(), 10,
                                         true);
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  s->Send("one");
  auto first = s->Take();
  ASSERT_EQ(first.items.size(), 1u);
  s->Detach();  // the client lost its connection
  s->Send("two");
  s->Send("three");
  ASSERT_TRUE(s->Resume(first.items[0].id, MakeWake([] {})));
  EXPECT_FALSE(s->Resume(first.items[0].id, MakeWake([] {})));  // one connection at a time
  s->Respond("answer");
  auto rest = s->Take();
  ASSERT_EQ(rest.items.size(), 3u);
  EXPECT_EQ(rest.items[0].data, "two");
  EXPECT_EQ(rest.items[1].data, "three");
  EXPECT_EQ(rest.items[2].data, "answer");
  EXPECT_TRUE(rest.finished);
}

TEST(EventStream, SlowClientIsDetachedAndNothingStoredIsLost) {
  telemetry::Counter dropped;
  auto store = Store();
  auto s = std::make_shared<EventStream>("sess", "g", EventStream::Kind::kStandalone, store, 2,
                                         true, std::chrono::milliseconds(1000), &dropped);
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  for (int i = 0; i < 5; ++i) s->Send("m" + std::to_string(i));
  auto batch = s->Take();
  EXPECT_TRUE(batch.overflowed);
  EXPECT_EQ(batch.items.size(), 2u);
  EXPECT_EQ(dropped.Value(), 0u);  // the store kept them
  auto replay = store->ReplayAfter("sess", batch.items.back().id);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->events.size(), 3u);
}

TEST(EventStream, WithoutAStoreOverflowIsCountedAsDropped) {
  telemetry::Counter dropped;
  auto s = std::make_shared<EventStream>("", "g", EventStream::Kind::kStandalone, nullptr, 1,
                                         true, std::chrono::milliseconds(1000), &dropped);
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  s->Send("a");
  s->Send("b");
  s->Send("c");
  EXPECT_EQ(dropped.Value(), 2u);
  EXPECT_FALSE(s->Resume("g:1", MakeWake([] {})));
}

TEST(EventStream, UnansweredRequestFinishesTheStream) {
  auto s = std::make_shared<EventStream>("sess", "r4", EventStream::Kind::kRequest, Store(), 10,
                                         false);
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  s->Unanswered();
  EXPECT_EQ(s->Decide(), EventStream::Mode::kJson);
  auto batch = s->Take();
  EXPECT_TRUE(batch.items.empty());
  EXPECT_TRUE(batch.finished);
  EXPECT_TRUE(batch.unanswered);
}

TEST(EventStream, AttachingAStandaloneStreamPrimesIt) {
  auto s = std::make_shared<EventStream>("sess", "g", EventStream::Kind::kStandalone, Store(), 10,
                                         true, std::chrono::milliseconds(1500));
  s->Send("before anyone listened");  // g:1, stored for replay
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  EXPECT_EQ(s->TakePriming(), "retry: 1500\nid: g:2\ndata: \n\n");
  EXPECT_EQ(s->TakePriming(), "");
}

TEST(EventStream, StandaloneStreamsEndOnlyWhenClosed) {
  auto s = std::make_shared<EventStream>("sess", "g", EventStream::Kind::kStandalone, nullptr, 10,
                                         true);
  ASSERT_TRUE(s->Attach(MakeWake([] {})));
  s->Unanswered();  // a cancelled request on the legacy transport: not the stream's end
  EXPECT_FALSE(s->Take().finished);
  EXPECT_TRUE(s->Idle());
  s->Close();
  EXPECT_FALSE(s->Idle());
  EXPECT_TRUE(s->Take().finished);
}

}  // namespace
}  // namespace ferry::transport::http
