#include "runtime/thread_pool.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "runtime/cancellation.h"
#include "runtime/executors.h"

namespace ferry::runtime {
namespace {

TEST(ThreadPool, RunsEveryTask) {
  ThreadPool pool("t", 2, 1000);
  std::atomic<int> n{0};
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.TryPost([&] { n++; }));
  pool.Shutdown();
  EXPECT_EQ(n.load(), 500);
}

TEST(ThreadPool, FullQueueRefusesAtOnce) {
  ThreadPool pool("t", 1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TryPost([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  EXPECT_TRUE(pool.TryPost([] {}));
  EXPECT_TRUE(pool.TryPost([] {}));
  EXPECT_FALSE(pool.TryPost([] {}));  // capacity 2 reached
  EXPECT_EQ(pool.queue_depth(), 2u);
  release.set_value();
  pool.Shutdown();
  EXPECT_EQ(pool.queue_depth(), 0u);
}

TEST(ThreadPool, RefusesAfterShutdown) {
  ThreadPool pool("t", 1, 4);
  pool.Shutdown();
  EXPECT_FALSE(pool.TryPost([] {}));
}

TEST(Cancellation, CallbacksRunOnceAndLateOnesAtOnce) {
  CancellationSource c;
  int runs = 0;
  auto h = c.OnCancel([&] { runs++; });
  auto removed = c.OnCancel([&] { runs += 100; });
  c.Unregister(removed);
  EXPECT_TRUE(c.Cancel(ErrorCode::kTimeout));
  EXPECT_FALSE(c.Cancel());
  EXPECT_TRUE(c.IsCancelled());
  EXPECT_EQ(c.reason(), ErrorCode::kTimeout);
  EXPECT_EQ(runs, 1);
  c.OnCancel([&] { runs++; });
  EXPECT_EQ(runs, 2);
  (void)h;
}

TEST(Executors, TimersFireAndCancel) {
  Config::Performance perf;
  perf.worker_count = 1;
  Executors ex(perf);
  std::promise<void> fired;
  ex.After(std::chrono::milliseconds(5), [&] { fired.set_value(); });
  EXPECT_EQ(fired.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::atomic<bool> cancelled_fired{false};
  auto t = ex.After(std::chrono::milliseconds(50), [&] { cancelled_fired = true; });
  t->Cancel();
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(cancelled_fired.load());
  ex.Shutdown();
}

}  // namespace
}  // namespace ferry::runtime
