// Micro-benchmarks of HTTP admission control: RateLimiter::Check (the per-request cost) and
// ConnectionLimiter::TryAcquire (the per-connection cost), on one and two threads.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "transport/http/admission.h"

namespace ferry::transport::http {
namespace {

std::vector<std::string> MakeClients(int count) {
  std::vector<std::string> clients;
  for (int i = 0; i < count; ++i)
    clients.push_back("198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256));
  return clients;
}

// Steady state: 1000 known clients, each well under its limit; the clock is read per check as
// the transport does.
void BM_RateLimiterCheck(benchmark::State& state) {
  static RateLimiter limiter(
      {.requests = 1'000'000'000, .window = std::chrono::seconds(1), .max_clients = 10000});
  static const std::vector<std::string> clients = MakeClients(1000);
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto decision = limiter.Check(clients[i++ % clients.size()]);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimiterCheck)->Threads(1)->Threads(2)->UseRealTime();

// Every check from the same client (one shard, one mutex: the worst contention).
void BM_RateLimiterCheckOneClient(benchmark::State& state) {
  static RateLimiter limiter({.requests = 1'000'000'000, .window = std::chrono::seconds(1)});
  for (auto _ : state) {
    auto decision = limiter.Check("203.0.113.1");
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimiterCheckOneClient)->Threads(1)->Threads(2)->UseRealTime();

// A flood of never-seen ids against a full table: every check misses, sweeps, and falls back to
// the overflow bucket.
void BM_RateLimiterCheckNewIdsFlood(benchmark::State& state) {
  static RateLimiter limiter(
      {.requests = 10, .window = std::chrono::seconds(60), .max_clients = 1000});
  static const std::vector<std::string> ids = MakeClients(50000);
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 25000;
  for (auto _ : state) {
    auto decision = limiter.Check(ids[i++ % ids.size()]);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimiterCheckNewIdsFlood)->Threads(1)->Threads(2)->UseRealTime();

void BM_ConnectionLimiterAcquireRelease(benchmark::State& state) {
  static ConnectionLimiter limiter(1024);
  for (auto _ : state) {
    auto ticket = limiter.TryAcquire();
    benchmark::DoNotOptimize(ticket);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConnectionLimiterAcquireRelease)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace ferry::transport::http
