// Metrics hot-path micro-benchmarks: what one request costs to record, from one thread and from
// two threads hammering the same series (the worst case for cache-line sharing).
//
// BM_Ferry*: Ferry's striped counters and histograms. BM_SharedAtomic*: one std::atomic shared by
// all threads, the unstriped baseline. BM_PrometheusCpp*: prometheus-cpp 1.0 (Debian's
// prometheus-cpp-dev), built only with -DFERRY_HAVE_PROMETHEUS_CPP and -lprometheus-cpp-core; it
// is the alternative Ferry measured before choosing its own implementation.
#include <benchmark/benchmark.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "telemetry/metrics.h"

#ifdef FERRY_HAVE_PROMETHEUS_CPP
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#endif

namespace ferry::telemetry {
namespace {

constexpr double kBounds[] = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                              0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25,
                              0.5,     1,        2.5,     5,      10,      30,     60};

// 1024 latencies spread log-uniformly over 5 us .. 2 s, so the bucket search is not trivially
// predicted.
const std::vector<double>& Latencies() {
  static const std::vector<double> values = [] {
    std::vector<double> v;
    std::uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 1024; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const double u = static_cast<double>(x >> 11) / 9007199254740992.0;
      v.push_back(5e-6 * std::pow(4e5, u));
    }
    return v;
  }();
  return values;
}

Metrics& SharedMetrics() {
  static const auto metrics = [] {
    Metrics::Options options;
    options.process_metrics = false;
    return std::move(*Metrics::Create(options));
  }();
  return *metrics;
}

void BM_FerryCounterInc(benchmark::State& state) {
  static Counter counter;
  for (auto _ : state) counter.Inc();
  benchmark::DoNotOptimize(counter.Value());
}
BENCHMARK(BM_FerryCounterInc)->Threads(1)->Threads(2)->UseRealTime();

void BM_SharedAtomicInc(benchmark::State& state) {
  alignas(64) static std::atomic<std::uint64_t> counter{0};
  for (auto _ : state) counter.fetch_add(1, std::memory_order_relaxed);
  benchmark::DoNotOptimize(counter.load());
}
BENCHMARK(BM_SharedAtomicInc)->Threads(1)->Threads(2)->UseRealTime();

void BM_FerryHistogramObserve(benchmark::State& state) {
  static Histogram histogram(kBounds);
  const auto& values = Latencies();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 512;
  for (auto _ : state) histogram.Observe(values[i++ & 1023]);
}
BENCHMARK(BM_FerryHistogramObserve)->Threads(1)->Threads(2)->UseRealTime();

// The same bucket search and updates with the bucket counts and sum in one shared block: what the
// stripes buy.
void BM_SharedAtomicHistogramObserve(benchmark::State& state) {
  alignas(64) static std::atomic<std::uint64_t> counts[std::size(kBounds) + 1];
  alignas(64) static std::atomic<std::uint64_t> sum{0};
  const auto& values = Latencies();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 512;
  for (auto _ : state) {
    const double v = values[i++ & 1023];
    const auto b = std::lower_bound(std::begin(kBounds), std::end(kBounds), v) - kBounds;
    counts[b].fetch_add(1, std::memory_order_relaxed);
    std::uint64_t old = sum.load(std::memory_order_relaxed);
    while (!sum.compare_exchange_weak(old,
                                      std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + v),
                                      std::memory_order_relaxed)) {
    }
  }
}
BENCHMARK(BM_SharedAtomicHistogramObserve)->Threads(1)->Threads(2)->UseRealTime();

// Everything a request records: in flight up and down, the counter by status, the duration.
void BM_FerryRecordRequest(benchmark::State& state) {
  Metrics& metrics = SharedMetrics();
  RequestMetrics& call = metrics.Request(Transport::kHttp, Method::kToolsCall);
  const auto& values = Latencies();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 512;
  for (auto _ : state) {
    auto in_flight = metrics.requests_in_flight().Track();
    call.Record(Status::Ok(), values[i++ & 1023]);
  }
}
BENCHMARK(BM_FerryRecordRequest)->Threads(1)->Threads(2)->UseRealTime();

// The same, resolving the handle from the method name on every request, plus the tool histogram.
void BM_FerryRecordToolCallByName(benchmark::State& state) {
  Metrics& metrics = SharedMetrics();
  ToolMetrics& echo = metrics.RegisterTool("echo");
  const std::string method = "tools/call";
  const auto& values = Latencies();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 512;
  for (auto _ : state) {
    auto in_flight = metrics.requests_in_flight().Track();
    const double seconds = values[i++ & 1023];
    echo.Record(Status::Ok(), seconds);
    metrics.Request(Transport::kHttp, method).Record(Status::Ok(), seconds);
  }
}
BENCHMARK(BM_FerryRecordToolCallByName)->Threads(1)->Threads(2)->UseRealTime();

void BM_ClassifyMethod(benchmark::State& state) {
  const std::string methods[4] = {"tools/call", "notifications/cancelled", "resources/read",
                                  "bogus/method"};
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ClassifyMethod(methods[i++ & 3]));
}
BENCHMARK(BM_ClassifyMethod);

// A scrape of a busy server: 2 transports x 12 methods x 3 statuses, 40 tools x 2 statuses.
void BM_FerryRender(benchmark::State& state) {
  Metrics::Options options;
  options.process_metrics = state.range(0) != 0;
  auto metrics = std::move(*Metrics::Create(options));
  for (Transport t : {Transport::kStdio, Transport::kHttp}) {
    for (std::size_t m = 0; m < 12; ++m) {
      for (Status s : {Status::Ok(), Status::Of(ErrorCode::kTimeout), Status::HttpClass(429)}) {
        metrics->Request(t, static_cast<Method>(m)).Record(s, 0.001);
      }
    }
  }
  for (int tool = 0; tool < 40; ++tool) {
    auto& handle = metrics->RegisterTool("tool_" + std::to_string(tool));
    handle.Record(Status::Ok(), 0.01);
    handle.Record(Status::ToolError(), 0.01);
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    metrics->RenderTo(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_FerryRender)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

#ifdef FERRY_HAVE_PROMETHEUS_CPP

prometheus::Registry& PromRegistry() {
  static prometheus::Registry registry;
  return registry;
}

void BM_PrometheusCppCounterInc(benchmark::State& state) {
  static prometheus::Counter& counter = prometheus::BuildCounter()
                                            .Name("bench_requests_total")
                                            .Help("Requests.")
                                            .Register(PromRegistry())
                                            .Add({{"method", "tools/call"}});
  for (auto _ : state) counter.Increment();
  benchmark::DoNotOptimize(counter.Value());
}
BENCHMARK(BM_PrometheusCppCounterInc)->Threads(1)->Threads(2)->UseRealTime();

void BM_PrometheusCppHistogramObserve(benchmark::State& state) {
  static prometheus::Histogram& histogram =
      prometheus::BuildHistogram()
          .Name("bench_duration_seconds")
          .Help("Duration.")
          .Register(PromRegistry())
          .Add({{"method", "tools/call"}},
               prometheus::Histogram::BucketBoundaries(std::begin(kBounds), std::end(kBounds)));
  const auto& values = Latencies();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 512;
  for (auto _ : state) histogram.Observe(values[i++ & 1023]);
}
BENCHMARK(BM_PrometheusCppHistogramObserve)->Threads(1)->Threads(2)->UseRealTime();

// The same scrape shape as BM_FerryRender/0, through prometheus-cpp's Collect + TextSerializer.
void BM_PrometheusCppRender(benchmark::State& state) {
  prometheus::Registry registry;
  auto& requests =
      prometheus::BuildCounter().Name("ferry_requests_total").Help("Requests.").Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name("ferry_request_duration_seconds")
                        .Help("Duration.")
                        .Register(registry);
  auto& tools = prometheus::BuildHistogram()
                    .Name("ferry_tool_duration_seconds")
                    .Help("Tools.")
                    .Register(registry);
  const prometheus::Histogram::BucketBoundaries bounds(std::begin(kBounds), std::end(kBounds));
  for (std::string t : {"stdio", "http"}) {
    for (std::size_t m = 0; m < 12; ++m) {
      const std::string method(MethodName(static_cast<Method>(m)));
      durations.Add({{"transport", t}, {"method", method}}, bounds).Observe(0.001);
      for (std::string s : {"ok", "timeout", "4xx"}) {
        requests.Add({{"transport", t}, {"method", method}, {"status", s}}).Increment();
      }
    }
  }
  for (int tool = 0; tool < 40; ++tool) {
    for (std::string s : {"ok", "tool_error"}) {
      tools.Add({{"tool", "tool_" + std::to_string(tool)}, {"status", s}}, bounds).Observe(0.01);
    }
  }
  const prometheus::TextSerializer serializer;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string out = serializer.Serialize(registry.Collect());
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_PrometheusCppRender)->Unit(benchmark::kMicrosecond);

#endif  // FERRY_HAVE_PROMETHEUS_CPP

}  // namespace
}  // namespace ferry::telemetry
