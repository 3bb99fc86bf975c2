#include "telemetry/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ferry::telemetry {
namespace {

constexpr std::string_view kMethodCode[] = {"method", "code"};
constexpr std::string_view kOp[] = {"op"};
constexpr std::string_view kPoolName[] = {"pool"};
constexpr std::string_view kValueLabel[] = {"value"};
constexpr double kSmallBuckets[] = {0.25, 1, 2};

// ---------------------------------------------------------------------------------------------
// A checker of the text format 0.0.4, strict about what Ferry emits: every family has # HELP then
// # TYPE before its samples, sample names belong to the family, label sets are distinct and well
// escaped, values parse, and histogram series have increasing le bounds ending in +Inf with
// non-decreasing cumulative counts equal to _count.

struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped values
  double value = 0;
};

bool ParseValue(std::string_view text, double& out) {
  if (text == "NaN") return out = std::numeric_limits<double>::quiet_NaN(), true;
  if (text == "+Inf") return out = std::numeric_limits<double>::infinity(), true;
  if (text == "-Inf") return out = -std::numeric_limits<double>::infinity(), true;
  const std::string s(text);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// Parses `name{a="x",b="y"} value`; returns an error description or "".
std::string ParseSample(std::string_view line, Sample& out) {
  std::size_t i = 0;
  while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
  if (i == 0) return "no metric name";
  out.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (true) {
      const std::size_t start = i;
      while (i < line.size() && IsNameChar(line[i], i == start) && line[i] != ':') ++i;
      if (i == start) return "no label name";
      std::string label(line.substr(start, i - start));
      if (line.substr(i, 2) != "=\"") return "no =\" after label";
      i += 2;
      std::string value;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\n') return "raw newline in label value";
        if (line[i] == '\\') {
          if (i + 1 >= line.size()) return "dangling backslash";
          const char e = line[i + 1];
          if (e == 'n') {
            value += '\n';
          } else if (e == '\\' || e == '"') {
            value += e;
          } else {
            return "bad escape";
          }
          i += 2;
        } else {
          value += line[i++];
        }
      }
      if (i >= line.size()) return "unterminated label value";
      ++i;  // closing quote
      out.labels.emplace_back(std::move(label), std::move(value));
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      return "expected , or }";
    }
  }
  if (i >= line.size() || line[i] != ' ') return "no space before the value";
  if (!ParseValue(line.substr(i + 1), out.value)) return "bad value";
  return "";
}

// Returns "" when `text` is valid, else the first problem found.
std::string CheckExposition(const std::string& text) {
  if (text.empty()) return "";
  if (text.back() != '\n') return "does not end in a newline";
  std::string family;
  std::string type;
  bool saw_help = false;
  std::set<std::string> families;
  std::set<std::string> series_seen;
  // Histogram state per label set (labels without le).
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;
  std::map<std::string, double> counts;
  auto finish_histograms = [&]() -> std::string {
    for (const auto& [key, list] : buckets) {
      if (list.empty() || !std::isinf(list.back().first)) return "no +Inf bucket for " + key;
      for (std::size_t i = 1; i < list.size(); ++i) {
        if (!(list[i - 1].first < list[i].first)) return "le not increasing for " + key;
        if (list[i - 1].second > list[i].second) return "bucket counts decrease for " + key;
      }
      if (!counts.contains(key) || counts[key] != list.back().second) {
        return "_count differs from +Inf bucket for " + key;
      }
    }
    buckets.clear();
    counts.clear();
    return "";
  };

  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) return "empty line";
    if (line.starts_with("# HELP ")) {
      if (auto e = finish_histograms(); !e.empty()) return e;
      const std::string_view rest = line.substr(7);
      family = std::string(rest.substr(0, rest.find(' ')));
      if (!families.insert(family).second) return "family twice: " + family;
      saw_help = true;
      type.clear();
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const std::string_view rest = line.substr(7);
      const std::size_t space = rest.find(' ');
      if (!saw_help || rest.substr(0, space) != family) return "TYPE without HELP: " + family;
      type = std::string(rest.substr(space + 1));
      if (type != "counter" && type != "gauge" && type != "histogram") return "bad type " + type;
      continue;
    }
    if (line.starts_with("#")) return "unexpected comment";
    if (type.empty()) return "sample before TYPE";
    Sample sample;
    if (auto e = ParseSample(line, sample); !e.empty()) return e + " in: " + std::string(line);
    std::string key;
    std::string le;
    for (const auto& [name, value] : sample.labels) {
      if (name == "le") {
        le = value;
      } else {
        key += name + "=" + value + ";";
      }
    }
    if (!series_seen.insert(sample.name + "{" + key + "le=" + le + "}").second) {
      return "duplicate series: " + std::string(line);
    }
    if (type == "histogram") {
      if (sample.name == family + "_bucket") {
        double bound = 0;
        if (le.empty() || !ParseValue(le, bound)) return "bucket without le";
        buckets[key].emplace_back(bound, sample.value);
      } else if (sample.name == family + "_count") {
        counts[key] = sample.value;
      } else if (sample.name != family + "_sum") {
        return "sample " + sample.name + " outside family " + family;
      }
    } else {
      if (sample.name != family) return "sample " + sample.name + " outside family " + family;
      if (type == "counter" && !(sample.value >= 0)) return "negative counter";
    }
  }
  return finish_histograms();
}

// ---------------------------------------------------------------------------------------------
// Exposition.

TEST(ExpositionTest, GoldenTextForASmallRegistry) {
  Registry registry;
  auto counter = registry.AddCounter({.name = "test_requests_total",
                                      .type = MetricType::kCounter,
                                      .help = "Requests.\nBy \\method\\ and code.",
                                      .labels = kMethodCode});
  ASSERT_TRUE(counter) << counter.error().message;
  auto gauge = registry.AddGauge(
      {.name = "test_temperature", .type = MetricType::kGauge, .help = "Degrees."});
  ASSERT_TRUE(gauge);
  auto histogram = registry.AddHistogram({.name = "test_latency_seconds",
                                          .type = MetricType::kHistogram,
                                          .help = "Latency.",
                                          .labels = kOp,
                                          .buckets = kSmallBuckets});
  ASSERT_TRUE(histogram);
  ASSERT_TRUE(registry.AddCallback(
      {.name = "test_queue", .type = MetricType::kGauge, .help = "Queue.", .labels = kPoolName},
      [](SampleSink& sink) {
        sink.Add({"cpu"}, 3);
        sink.Add({"blocking"}, 0.5);
      }));
  ASSERT_TRUE(registry.AddCallback(
      {.name = "test_empty_total", .type = MetricType::kCounter, .help = "Never sampled."},
      [](SampleSink&) {}));

  (*counter)->WithLabels({"post", "500"}).Inc();
  (*counter)->WithLabels({"get", "200"}).Add(3);
  (*gauge)->WithLabels({}).Add(-2);
  auto& read = (*histogram)->WithLabels({"read"});
  for (double v : {0.125, 0.25, 0.5, 1.0, 4.0}) read.Observe(v);

  const std::string expected =
      "# HELP test_requests_total Requests.\\nBy \\\\method\\\\ and code.\n"
      "# TYPE test_requests_total counter\n"
      "test_requests_total{method=\"get\",code=\"200\"} 3\n"
      "test_requests_total{method=\"post\",code=\"500\"} 1\n"
      "# HELP test_temperature Degrees.\n"
      "# TYPE test_temperature gauge\n"
      "test_temperature -2\n"
      "# HELP test_latency_seconds Latency.\n"
      "# TYPE test_latency_seconds histogram\n"
      "test_latency_seconds_bucket{op=\"read\",le=\"0.25\"} 2\n"
      "test_latency_seconds_bucket{op=\"read\",le=\"1\"} 4\n"
      "test_latency_seconds_bucket{op=\"read\",le=\"2\"} 4\n"
      "test_latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 5\n"
      "test_latency_seconds_sum{op=\"read\"} 5.875\n"
      "test_latency_seconds_count{op=\"read\"} 5\n"
      "# HELP test_queue Queue.\n"
      "# TYPE test_queue gauge\n"
      "test_queue{pool=\"cpu\"} 3\n"
      "test_queue{pool=\"blocking\"} 0.5\n";
  EXPECT_EQ(registry.Render(), expected);
  EXPECT_EQ(CheckExposition(registry.Render()), "");
}

TEST(ExpositionTest, UnlabeledHistogramAndEmptyFamilies) {
  Registry registry;
  auto h = registry.AddHistogram({.name = "x_seconds",
                                  .type = MetricType::kHistogram,
                                  .help = "X.",
                                  .buckets = kSmallBuckets});
  ASSERT_TRUE(h);
  auto labeled = registry.AddCounter(
      {.name = "y_total", .type = MetricType::kCounter, .help = "Y.", .labels = kOp});
  ASSERT_TRUE(labeled);
  // An unlabeled family is exposed as zero at once; a labeled one only once it has a series.
  EXPECT_EQ(registry.Render(),
            "# HELP x_seconds X.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.25\"} 0\n"
            "x_seconds_bucket{le=\"1\"} 0\n"
            "x_seconds_bucket{le=\"2\"} 0\n"
            "x_seconds_bucket{le=\"+Inf\"} 0\n"
            "x_seconds_sum 0\n"
            "x_seconds_count 0\n");
}

TEST(ExpositionTest, LabelValuesAreEscaped) {
  Registry registry;
  auto family = registry.AddCounter(
      {.name = "esc_total", .type = MetricType::kCounter, .help = "E.", .labels = kValueLabel});
  ASSERT_TRUE(family);
  (*family)->WithLabels({"a\\b\"c\nd"}).Inc();
  (*family)->WithLabels({"tab\there é"}).Inc();
  const std::string text = registry.Render();
  EXPECT_NE(text.find("esc_total{value=\"a\\\\b\\\"c\\nd\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("esc_total{value=\"tab\there é\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(CheckExposition(text), "");

  std::string out;
  AppendEscapedLabelValue(out, "\\\"\n");
  EXPECT_EQ(out, "\\\\\\\"\\n");
}

TEST(ExpositionTest, ValuesAreShortestRoundTrip) {
  auto format = [](double v) {
    std::string s;
    AppendValue(s, v);
    return s;
  };
  EXPECT_EQ(format(0.00001), "1e-05");
  EXPECT_EQ(format(0.25), "0.25");
  EXPECT_EQ(format(60), "60");
  EXPECT_EQ(format(1712345678.5), "1712345678.5");
  EXPECT_EQ(format(-3), "-3");
  EXPECT_EQ(format(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(ExpositionTest, CallbackSamplesWithTheWrongArityAreDropped) {
  Registry registry;
  ASSERT_TRUE(registry.AddCallback(
      {.name = "cb", .type = MetricType::kGauge, .help = "C.", .labels = kPoolName},
      [](SampleSink& sink) {
        sink.Add(1);              // no labels: dropped
        sink.Add({"a", "b"}, 2);  // two: dropped
        sink.Add({"cpu"}, 3);
      }));
  EXPECT_EQ(registry.Render(), "# HELP cb C.\n# TYPE cb gauge\ncb{pool=\"cpu\"} 3\n");
}

TEST(ExpositionTest, ScrapeHooksRunBeforeFamilies) {
  Registry registry;
  double value = 0;
  registry.AddScrapeHook([&] { value = 42; });
  ASSERT_TRUE(registry.AddCallback({.name = "hooked", .type = MetricType::kGauge, .help = "H."},
                                   [&](SampleSink& sink) { sink.Add(value); }));
  EXPECT_EQ(registry.Render(), "# HELP hooked H.\n# TYPE hooked gauge\nhooked 42\n");
}

// ---------------------------------------------------------------------------------------------
// Validation.

TEST(ValidationTest, RefusesBadDefinitions) {
  constexpr std::string_view kLe[] = {"le"};
  constexpr std::string_view kDup[] = {"a", "a"};
  constexpr std::string_view kReserved[] = {"__x"};
  constexpr std::string_view kBadLabel[] = {"a-b"};
  constexpr double kUnsorted[] = {1, 0.5};
  constexpr double kInf[] = {1, std::numeric_limits<double>::infinity()};
  const MetricDef bad[] = {
      {.name = "", .type = MetricType::kGauge, .help = "h"},
      {.name = "1abc", .type = MetricType::kGauge, .help = "h"},
      {.name = "a-b", .type = MetricType::kGauge, .help = "h"},
      {.name = "no_help", .type = MetricType::kGauge, .help = ""},
      {.name = "requests", .type = MetricType::kCounter, .help = "h"},
      {.name = "g", .type = MetricType::kGauge, .help = "h", .labels = kDup},
      {.name = "g", .type = MetricType::kGauge, .help = "h", .labels = kReserved},
      {.name = "g", .type = MetricType::kGauge, .help = "h", .labels = kBadLabel},
      {.name = "h",
       .type = MetricType::kHistogram,
       .help = "h",
       .labels = kLe,
       .buckets = kSmallBuckets},
      {.name = "h", .type = MetricType::kHistogram, .help = "h"},
      {.name = "h", .type = MetricType::kHistogram, .help = "h", .buckets = kUnsorted},
      {.name = "h", .type = MetricType::kHistogram, .help = "h", .buckets = kInf},
      {.name = "g", .type = MetricType::kGauge, .help = "h", .buckets = kSmallBuckets},
      {.name = "g", .type = MetricType::kGauge, .help = "h", .max_series = 0},
  };
  for (const auto& def : bad) {
    EXPECT_FALSE(ValidateMetricDef(def)) << def.name;
  }
  EXPECT_TRUE(
      ValidateMetricDef({.name = "ns:sub_total", .type = MetricType::kCounter, .help = "h"}));
}

TEST(ValidationTest, RefusesDuplicatesAndTypeMismatches) {
  Registry registry;
  const MetricDef def{.name = "dup_total", .type = MetricType::kCounter, .help = "D."};
  ASSERT_TRUE(registry.AddCounter(def));
  auto again = registry.AddCounter(def);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already registered"), std::string::npos);
  EXPECT_FALSE(registry.AddCallback(def, [](SampleSink&) {}));
  EXPECT_FALSE(registry.AddGauge({.name = "c_total", .type = MetricType::kCounter, .help = "C."}));
  EXPECT_FALSE(registry.AddCallback(
      {.name = "h", .type = MetricType::kHistogram, .help = "H.", .buckets = kSmallBuckets},
      [](SampleSink&) {}));
  EXPECT_FALSE(registry.AddCallback({.name = "g", .type = MetricType::kGauge, .help = "G."}, {}));
  EXPECT_EQ(registry.FamilyNames(), std::vector<std::string>{"dup_total"});
}

// ---------------------------------------------------------------------------------------------
// Histogram math.

TEST(HistogramTest, BucketsUseLessOrEqualAndIgnoreNaN) {
  Histogram h(kSmallBuckets);
  h.Observe(-1);    // below everything: first bucket
  h.Observe(0.25);  // on a bound: that bucket
  h.Observe(0.2500001);
  h.Observe(2);
  h.Observe(2.5);  // above the last bound: +Inf
  h.Observe(std::numeric_limits<double>::infinity());
  h.Observe(std::numeric_limits<double>::quiet_NaN());
  const HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{2, 1, 1, 2}));
  EXPECT_EQ(s.Count(), 6u);
  EXPECT_EQ(s.CumulativeCount(0), 2u);
  EXPECT_EQ(s.CumulativeCount(1), 3u);
  EXPECT_EQ(s.CumulativeCount(3), 6u);
  EXPECT_TRUE(std::isinf(s.sum));

  Histogram d(kSmallBuckets);
  d.ObserveDuration(std::chrono::milliseconds(500));
  EXPECT_DOUBLE_EQ(d.Snapshot().sum, 0.5);
  EXPECT_EQ(d.Snapshot().counts[1], 1u);
}

TEST(HistogramTest, QuantileInterpolatesLikeHistogramQuantile) {
  constexpr double kBounds[] = {1, 2, 4};
  Histogram h(kBounds);
  for (int i = 0; i < 10; ++i) h.Observe(0.5);  // (0, 1]
  for (int i = 0; i < 10; ++i) h.Observe(1.5);  // (1, 2]
  const HistogramSnapshot s = h.Snapshot();
  EXPECT_DOUBLE_EQ(s.Quantile(0.5), 1.0);   // rank 10: the top of the first bucket
  EXPECT_DOUBLE_EQ(s.Quantile(0.25), 0.5);  // rank 5 of 10 in (0, 1]
  EXPECT_DOUBLE_EQ(s.Quantile(0.75), 1.5);  // rank 15: 5 of 10 into (1, 2]
  EXPECT_DOUBLE_EQ(s.Quantile(1), 2.0);
  EXPECT_DOUBLE_EQ(s.Quantile(0), 0.0);
  EXPECT_TRUE(std::isnan(s.Quantile(1.5)));
  EXPECT_TRUE(std::isnan(HistogramSnapshot{}.Quantile(0.5)));

  Histogram tail(kBounds);
  tail.Observe(100);
  EXPECT_DOUBLE_EQ(tail.Snapshot().Quantile(0.99), 4.0);  // +Inf: the highest finite bound
}

TEST(HistogramTest, SnapshotsMerge) {
  Histogram a(kSmallBuckets);
  Histogram b(kSmallBuckets);
  a.Observe(0.1);
  b.Observe(1.5);
  b.Observe(9);
  HistogramSnapshot s = a.Snapshot();
  ASSERT_TRUE(s.Merge(b.Snapshot()));
  EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{1, 0, 1, 1}));
  EXPECT_DOUBLE_EQ(s.sum, 10.6);
  constexpr double kOther[] = {1};
  Histogram c(kOther);
  EXPECT_FALSE(s.Merge(c.Snapshot()));
  EXPECT_EQ(s.Count(), 3u);
}

// ---------------------------------------------------------------------------------------------
// Concurrency.

TEST(ConcurrencyTest, IncrementsFromManyThreadsSumExactly) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 200000;
  Counter counter;
  Gauge gauge;
  Histogram histogram(kSmallBuckets);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.Inc();
        auto tracked = gauge.Track();
        gauge.Add(t % 2 == 0 ? 2 : -2);
        histogram.Observe(i % 2 == 0 ? 0.5 : 4.0);  // exact in binary: the sum is exact
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.Value(), std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(gauge.Value(), 0);
  const HistogramSnapshot s = histogram.Snapshot();
  EXPECT_EQ(s.Count(), std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(s.counts[1], std::uint64_t{kThreads} * kPerThread / 2);
  EXPECT_EQ(s.counts[3], std::uint64_t{kThreads} * kPerThread / 2);
  EXPECT_EQ(s.sum, kThreads * (kPerThread / 2) * 4.5);
}

TEST(ConcurrencyTest, SeriesCreatedConcurrentlyAreOneSeries) {
  Registry registry;
  auto family = registry.AddCounter(
      {.name = "race_total", .type = MetricType::kCounter, .help = "R.", .labels = kOp});
  ASSERT_TRUE(family);
  LazySeries<Counter, 4> lazy;
  lazy.Bind(*family, [](std::size_t i) { return std::vector{std::to_string(i)}; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) lazy.Get(static_cast<std::size_t>(i % 4)).Inc();
    });
  }
  std::thread scraper([&] {
    for (int i = 0; i < 50; ++i) EXPECT_EQ(CheckExposition(registry.Render()), "");
  });
  for (auto& t : threads) t.join();
  scraper.join();
  EXPECT_EQ((*family)->series_count(), 4u);
  for (std::string_view op : {"0", "1", "2", "3"}) {
    EXPECT_EQ((*family)->WithLabels({op}).Value(), 10000u);
  }
}

// ---------------------------------------------------------------------------------------------
// Cardinality.

TEST(CardinalityTest, FamilyCapSendsNewLabelSetsToOther) {
  Registry registry;
  auto family = registry.AddCounter({.name = "capped_total",
                                     .type = MetricType::kCounter,
                                     .help = "C.",
                                     .labels = kOp,
                                     .max_series = 3});
  ASSERT_TRUE(family);
  for (int i = 0; i < 100; ++i) (*family)->WithLabels({"op" + std::to_string(i)}).Inc();
  (*family)->WithLabels({"too", "many"}).Inc();  // wrong arity
  EXPECT_EQ((*family)->series_count(), 4u);      // 3 + "other"
  EXPECT_EQ((*family)->overflow_count(), 98u);
  EXPECT_EQ((*family)->WithLabels({"op0"}).Value(), 1u);
  const std::string text = registry.Render();
  EXPECT_NE(text.find("capped_total{op=\"other\"} 98\n"), std::string::npos) << text;
  EXPECT_EQ(registry.Overflows(),
            (std::vector<std::pair<std::string, std::uint64_t>>{{"capped_total", 98}}));
}

std::unique_ptr<Metrics> NewMetrics(Metrics::Options options = {}) {
  options.process_metrics = false;
  auto metrics = Metrics::Create(std::move(options));
  EXPECT_TRUE(metrics) << metrics.error().message;
  return std::move(*metrics);
}

TEST(CardinalityTest, UnknownMethodsShareOneSeries) {
  auto metrics = NewMetrics();
  for (int i = 0; i < 5000; ++i) {
    metrics->Request(Transport::kHttp, "bogus/" + std::to_string(i))
        .Record(Status::Of(ErrorCode::kMethodNotFound), 0.001);
  }
  metrics->Request(Transport::kHttp, "tools/call").Record(Status::Ok(), 0.002);
  const std::string text = metrics->Render();
  EXPECT_NE(text.find("ferry_requests_total{transport=\"http\",method=\"unknown\","
                      "status=\"method_not_found\"} 5000\n"),
            std::string::npos);
  EXPECT_NE(text.find("ferry_request_duration_seconds_count{transport=\"http\","
                      "method=\"unknown\"} 5000\n"),
            std::string::npos);
  EXPECT_EQ(text.find("bogus"), std::string::npos);
  EXPECT_EQ(CheckExposition(text), "");
}

TEST(CardinalityTest, ToolsBeyondTheCapAreOtherAndUnregisteredAreUnknown) {
  Metrics::Options options;
  options.max_tools = 2;
  auto metrics = NewMetrics(options);
  ToolMetrics& echo = metrics->RegisterTool("echo");
  EXPECT_EQ(&metrics->RegisterTool("echo"), &echo);
  EXPECT_EQ(metrics->RegisterTool("convert").label(), "convert");
  EXPECT_EQ(metrics->RegisterTool("third").label(), "other");
  EXPECT_EQ(&metrics->FindTool("echo"), &echo);
  EXPECT_EQ(metrics->FindTool("nope").label(), "unknown");
  EXPECT_EQ(&metrics->FindTool("nope"), &metrics->UnknownTool());

  echo.Record(Status::Ok(), 0.00002);
  echo.Record(Status::ToolError(), 0.00003);
  metrics->RegisterTool("fourth").Record(Status::Of(ErrorCode::kTimeout), 120.0);
  metrics->UnknownTool().Record(Status::Of(ErrorCode::kNotFound), 0.00001);
  const std::string text = metrics->Render();
  EXPECT_NE(text.find("ferry_tool_duration_seconds_count{tool=\"echo\",status=\"ok\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("ferry_tool_duration_seconds_count{tool=\"echo\",status=\"tool_error\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("ferry_tool_duration_seconds_bucket{tool=\"other\",status=\"timeout\","
                      "le=\"120\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("ferry_tool_duration_seconds_count{tool=\"unknown\",status=\"not_found\"}"),
            std::string::npos);
  EXPECT_EQ(text.find("fourth"), std::string::npos);
  EXPECT_EQ(CheckExposition(text), "");
}

TEST(CardinalityTest, HttpCodesAreBounded) {
  auto metrics = NewMetrics();
  metrics->HttpResponse(200).Inc();
  metrics->HttpResponse(200).Inc();
  metrics->HttpResponse(429).Inc();
  metrics->HttpResponse(1000).Inc();
  metrics->HttpResponse(-5).Inc();
  EXPECT_EQ(&metrics->HttpResponse(7), &metrics->HttpResponse(600));
  const std::string text = metrics->Render();
  EXPECT_NE(text.find("ferry_http_responses_total{code=\"200\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("ferry_http_responses_total{code=\"429\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("ferry_http_responses_total{code=\"other\"} 2\n"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Ferry's table and vocabularies.

TEST(FerryMetricsTest, TableIsValidAndFollowsNamingConventions) {
  std::set<std::string_view> names;
  for (const MetricDef* def : FerryMetricTable()) {
    EXPECT_TRUE(ValidateMetricDef(*def)) << def->name;
    EXPECT_TRUE(names.insert(def->name).second) << def->name;
    const std::string_view n = def->name;
    EXPECT_TRUE(n.starts_with("ferry_") || n.starts_with("process_")) << n;
    if (def->type != MetricType::kCounter) {
      EXPECT_FALSE(n.ends_with("_total")) << n;
    }
    if (def->type == MetricType::kHistogram) {
      EXPECT_TRUE(n.ends_with("_seconds") || n.ends_with("_bytes")) << n;
    }
    EXPECT_TRUE(def->help.ends_with(".")) << n;
  }
}

TEST(FerryMetricsTest, RegistryFollowsTheTable) {
  auto with_process = Metrics::Create();
  ASSERT_TRUE(with_process);
  std::vector<std::string> table;
  for (const MetricDef* def : FerryMetricTable()) table.emplace_back(def->name);
  EXPECT_EQ((*with_process)->registry().FamilyNames(), table);
}

TEST(FerryMetricsTest, StatusNames) {
  EXPECT_EQ(Status::Ok().name(), "ok");
  EXPECT_EQ(Status::ToolError().name(), "tool_error");
  EXPECT_EQ(Status::Of(ErrorCode::kTimeout).name(), "timeout");
  EXPECT_EQ(Status::Of(ErrorCode::kOverloaded).name(), "overloaded");
  EXPECT_EQ(Status::HttpClass(204).name(), "2xx");
  EXPECT_EQ(Status::HttpClass(503).name(), "5xx");
  EXPECT_EQ(Status::HttpClass(42).name(), "1xx");
  EXPECT_EQ(Status::HttpClass(999).name(), "5xx");
  // kErrorCodeCount must follow ErrorCode: one past the last code has no name.
  EXPECT_EQ(ErrorCodeName(static_cast<ErrorCode>(kErrorCodeCount)), "unknown");
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < Status::kCount; ++i) {
    EXPECT_EQ(Status::FromIndex(i).index(), i);
    EXPECT_TRUE(names.insert(Status::FromIndex(i).name()).second) << i;
    EXPECT_NE(Status::FromIndex(i).name(), "unknown");
  }
}

TEST(FerryMetricsTest, ClassifyMethodKnowsEveryMcpMethod) {
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    const auto m = static_cast<Method>(i);
    const bool pseudo = m == Method::kResponse || m == Method::kNonMcp || m == Method::kUnknown;
    EXPECT_EQ(ClassifyMethod(MethodName(m)), pseudo ? Method::kUnknown : m) << MethodName(m);
  }
  EXPECT_EQ(ClassifyMethod("tools/call"), Method::kToolsCall);
  EXPECT_EQ(ClassifyMethod("tools/cal"), Method::kUnknown);
  EXPECT_EQ(ClassifyMethod("tools/calll"), Method::kUnknown);
  EXPECT_EQ(ClassifyMethod(""), Method::kUnknown);
  EXPECT_EQ(RejectReasonName(RejectReason::kRateLimited), "rate_limited");
  EXPECT_EQ(RejectReasonName(RejectReason::kBadRequest), "bad_request");
}

TEST(FerryMetricsTest, RecordsARequestEndToEnd) {
  Metrics::Options options;
  options.version = "0.1.0";
  auto metrics = NewMetrics(options);
  RequestMetrics& call = metrics->Request(Transport::kStdio, Method::kToolsCall);
  {
    auto in_flight = metrics->requests_in_flight().Track();
    EXPECT_EQ(metrics->requests_in_flight().Value(), 1);
    call.Record(Status::Ok(), std::chrono::microseconds(40));
  }
  EXPECT_EQ(metrics->requests_in_flight().Value(), 0);
  metrics->Request(Transport::kStdio, Method::kNotificationsInitialized).Count(Status::Ok()).Inc();
  metrics->MessageSize(Transport::kStdio, Direction::kIn).Observe(300);
  metrics->HttpRejection(RejectReason::kBodyTooLarge).Inc();
  metrics->HttpResponse(413).Inc();
  metrics->ConnectionsOpen(Transport::kHttp).Inc();
  metrics->BytesReceived(Transport::kHttp).Add(512);
  metrics->PoolRejections(Pool::kCpu).Inc();
  metrics->sse_events_dropped().Inc();
  int depth = 7;
  metrics->SetPoolSource(Pool::kCpu, {.queue_depth = [&] { return double(depth); },
                                      .queue_capacity = [] { return 1024.0; },
                                      .threads = [] { return 2.0; }});

  std::string text = metrics->Render();
  EXPECT_EQ(CheckExposition(text), "") << text;
  for (const char* line : {
           "ferry_build_info{version=\"0.1.0\"} 1\n",
           "ferry_requests_total{transport=\"stdio\",method=\"tools/call\",status=\"ok\"} 1\n",
           "ferry_requests_total{transport=\"stdio\",method=\"notifications/initialized\","
           "status=\"ok\"} 1\n",
           "ferry_request_duration_seconds_bucket{transport=\"stdio\",method=\"tools/call\","
           "le=\"2.5e-05\"} 0\n",
           "ferry_request_duration_seconds_bucket{transport=\"stdio\",method=\"tools/call\","
           "le=\"5e-05\"} 1\n",
           "ferry_requests_in_flight 0\n",
           "ferry_message_size_bytes_bucket{transport=\"stdio\",direction=\"in\",le=\"1024\"} 1\n",
           "ferry_http_rejections_total{reason=\"body_too_large\"} 1\n",
           "ferry_http_rejections_total{reason=\"max_connections\"} 0\n",
           "ferry_http_responses_total{code=\"413\"} 1\n",
           "ferry_connections_open{transport=\"http\"} 1\n",
           "ferry_transport_received_bytes_total{transport=\"http\"} 512\n",
           "ferry_pool_rejections_total{pool=\"cpu\"} 1\n",
           "ferry_pool_rejections_total{pool=\"blocking\"} 0\n",
           "ferry_queue_depth{pool=\"cpu\"} 7\n",
           "ferry_queue_capacity{pool=\"cpu\"} 1024\n",
           "ferry_pool_threads{pool=\"cpu\"} 2\n",
           "ferry_sse_events_dropped_total 1\n",
           "ferry_sessions_active 0\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(text.find("ferry_connections_open{transport=\"sse\"}"), std::string::npos);
  EXPECT_EQ(text.find("process_"), std::string::npos);  // process_metrics = false

  depth = 9;
  EXPECT_NE(metrics->Render().find("ferry_queue_depth{pool=\"cpu\"} 9\n"), std::string::npos);
  metrics->SetPoolSource(Pool::kCpu, {});
  EXPECT_EQ(metrics->Render().find("ferry_queue_depth"), std::string::npos);
}

TEST(FerryMetricsTest, ExposesProcessMetrics) {
  auto metrics = Metrics::Create();
  ASSERT_TRUE(metrics);
  const std::string text = (*metrics)->Render();
  EXPECT_EQ(CheckExposition(text), "") << text;
  for (const char* family : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                             "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                             "process_start_time_seconds", "process_threads"}) {
    const std::string type = std::string("# TYPE ") + family;
    EXPECT_NE(text.find(type), std::string::npos) << family;
    const std::size_t sample = text.find(std::string("\n") + family + " ");
    ASSERT_NE(sample, std::string::npos) << family;
    double value = 0;
    const std::size_t start = sample + 2 + std::string_view(family).size();
    ASSERT_TRUE(ParseValue(text.substr(start, text.find('\n', start) - start), value));
    if (std::string_view(family) != "process_cpu_seconds_total") {
      EXPECT_GT(value, 0) << family;
    }
  }
}

TEST(FerryMetricsTest, OverflowIsExposed) {
  auto metrics = NewMetrics();
  constexpr std::string_view kThing[] = {"thing"};
  auto extra = metrics->registry().AddCounter({.name = "ferry_extra_total",
                                               .type = MetricType::kCounter,
                                               .help = "Extra.",
                                               .labels = kThing,
                                               .max_series = 1});
  ASSERT_TRUE(extra);
  (*extra)->WithLabels({"a"}).Inc();
  (*extra)->WithLabels({"b"}).Inc();
  EXPECT_NE(metrics->Render().find("ferry_metric_label_overflow_total{metric=\"ferry_extra_total\"}"
                                   " 1\n"),
            std::string::npos);
}

TEST(FerryMetricsTest, RejectsZeroMaxTools) {
  Metrics::Options options;
  options.max_tools = 0;
  auto metrics = Metrics::Create(options);
  ASSERT_FALSE(metrics);
  EXPECT_EQ(metrics.error().code, ErrorCode::kInvalidConfig);
}

}  // namespace
}  // namespace ferry::telemetry
