// Ferry's metrics: lock-free counters, gauges and histograms; a Registry that renders them in the
// Prometheus text exposition format 0.0.4; and `Metrics`, the object the server owns, which
// registers every Ferry metric from one table (kFerryMetrics in metrics.cc, returned by
// FerryMetricTable()) and hands out pre-resolved handles for the hot path.
//
// Hot path. Counter::Inc, Gauge::Add and Histogram::Observe are a few relaxed atomic operations on
// cache lines striped per thread (kShardCount stripes, chosen once per thread), so threads on
// different cores rarely write the same line. No lock, no map lookup, no allocation. Handles
// (`Counter&`, `Histogram&`, `RequestMetrics&`, `ToolMetrics&`) stay valid as long as their
// Registry / Metrics object lives; resolve them once and cache them.
//
// Cardinality. A label set is created on first use and never removed. Every family has a cap on
// distinct label sets (MetricDef::max_series, default kDefaultMaxSeries); past the cap, and for a
// label-value list of the wrong length, the family hands out one overflow series whose label values
// are all "other" and counts the event (ferry_metric_label_overflow_total{metric}). Metrics' own
// label values come from closed sets: Transport, Method (ClassifyMethod maps any unknown method to
// "unknown"), Status, RejectReason, Pool, HTTP codes 100..599, and tool names registered with
// RegisterTool (at most Options::max_tools, then "other"; unregistered names are "unknown").
//
// Thread-safety. Counter, Gauge, Histogram, LazySeries::Get: every method is safe from any
// thread; the hot path takes no lock. Family: safe from any thread; series creation and rendering
// take Family::mutex_. Registry: safe from any thread; renders are serialized by
// Registry::render_mutex_, and scrape hooks and callback families run on the rendering thread while
// it is held (so they never run concurrently with each other); they must be thread-safe with
// respect to what they read, may add families, and must not render. Metrics: safe from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/result.h"

namespace ferry::telemetry {

// The Content-Type of the exposition text.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Stripes per counter, gauge and histogram (a counter is kShardCount cache lines). Threads take
// stripes round-robin on first use; a value is the sum of its stripes.
inline constexpr std::size_t kShardCount = 8;

// Default cap on distinct label sets per family.
inline constexpr std::size_t kDefaultMaxSeries = 1000;

namespace detail {

struct alignas(64) Cell {
  std::atomic<std::uint64_t> value{0};
};
struct alignas(64) Line {
  std::array<std::atomic<std::uint64_t>, 8> words{};
};

std::size_t AssignShard();

// The calling thread's stripe; the first call on a thread assigns it.
inline std::size_t ThisThreadShard() {
  thread_local std::size_t shard_plus_one = 0;
  if (shard_plus_one == 0) [[unlikely]] {
    shard_plus_one = AssignShard() + 1;
  }
  return shard_plus_one - 1;
}

}  // namespace detail

// A monotonically increasing integer count.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc() { Add(1); }
  void Add(std::uint64_t n) {
    cells_[detail::ThisThreadShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t Value() const;

 private:
  std::array<detail::Cell, kShardCount> cells_{};
};

// An integer that goes up and down (open connections, requests in flight). For values better read
// when scraped (queue depth, memory), register a callback family instead.
class Gauge {
 public:
  // Adds 1 now and subtracts it when destroyed: `auto in_flight = gauge.Track();`.
  class Tracker {
   public:
    explicit Tracker(Gauge* gauge) : gauge_(gauge) { gauge_->Inc(); }
    Tracker(Tracker&& other) noexcept : gauge_(std::exchange(other.gauge_, nullptr)) {}
    Tracker& operator=(Tracker&&) = delete;
    Tracker(const Tracker&) = delete;
    ~Tracker() {
      if (gauge_) gauge_->Dec();
    }

   private:
    Gauge* gauge_;
  };

  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Inc() { Add(1); }
  void Dec() { Add(-1); }
  void Add(std::int64_t delta) {
    cells_[detail::ThisThreadShard()].value.fetch_add(static_cast<std::uint64_t>(delta),
                                                      std::memory_order_relaxed);
  }
  std::int64_t Value() const;
  [[nodiscard]] Tracker Track() { return Tracker(this); }

 private:
  std::array<detail::Cell, kShardCount> cells_{};
};

// A histogram's state at one moment: per-bucket (not cumulative) counts.
struct HistogramSnapshot {
  std::vector<double> bounds;         // upper bounds, strictly increasing, +Inf implied
  std::vector<std::uint64_t> counts;  // bounds.size() + 1 entries; the last is the +Inf bucket
  double sum = 0;

  std::uint64_t Count() const;
  // Observations <= bounds[i] (i == bounds.size() means all of them).
  std::uint64_t CumulativeCount(std::size_t i) const;
  // The q-quantile (0 <= q <= 1) estimated like PromQL's histogram_quantile: linear interpolation
  // inside the bucket that holds the rank, 0 as the lower edge of the first bucket, the highest
  // finite bound when the rank falls in +Inf. NaN when empty or q is outside [0, 1].
  double Quantile(double q) const;
  // Adds `other` (same bounds) into this snapshot; false (and no change) if the bounds differ.
  bool Merge(const HistogramSnapshot& other);
};

// Distribution of observed values in fixed buckets. An observation v is counted in the first
// bucket whose upper bound is >= v (the `le` semantics); NaN observations are ignored.
class Histogram {
 public:
  // `bounds` should be finite and strictly increasing (ValidateMetricDef checks a family's).
  explicit Histogram(std::span<const double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value) {
    if (value != value) return;  // NaN
    const std::size_t shard = detail::ThisThreadShard();
    Word(shard, BucketIndex(value)).fetch_add(1, std::memory_order_relaxed);
    AddToSum(Word(shard, bounds_.size() + 1), value);
  }
  void ObserveDuration(std::chrono::nanoseconds d) {
    Observe(std::chrono::duration<double>(d).count());
  }
  HistogramSnapshot Snapshot() const;
  std::span<const double> bounds() const { return bounds_; }

 private:
  // The first bucket whose bound is >= value; bounds_.size() for +Inf.
  std::size_t BucketIndex(double value) const {
    return static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                    bounds_.begin());
  }
  static void AddToSum(std::atomic<std::uint64_t>& sum, double value) {
    std::uint64_t old_bits = sum.load(std::memory_order_relaxed);
    while (!sum.compare_exchange_weak(
        old_bits, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old_bits) + value),
        std::memory_order_relaxed)) {
    }
  }
  std::atomic<std::uint64_t>& Word(std::size_t shard, std::size_t index) const {
    const std::size_t line = shard * lines_per_shard_ + index / 8;
    return lines_[line].words[index % 8];
  }

  const std::vector<double> bounds_;
  const std::size_t lines_per_shard_;  // per shard: bounds+1 counts, then the sum's bits
  std::unique_ptr<detail::Line[]> lines_;
};

enum class MetricType { kCounter, kGauge, kHistogram };
std::string_view MetricTypeName(MetricType type);  // "counter", "gauge", "histogram"

// One metric family's declaration: everything the exposition needs besides values.
struct MetricDef {
  std::string_view name;
  MetricType type = MetricType::kCounter;
  std::string_view help;
  std::span<const std::string_view> labels = {};
  std::span<const double> buckets = {};  // histograms only
  std::size_t max_series = kDefaultMaxSeries;
};

// Checks names, labels, buckets and conventions: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label
// names [a-zA-Z_][a-zA-Z0-9_]* not starting with "__", distinct, no "le" on histograms; counters
// end in "_total"; non-empty help; histogram buckets non-empty, finite, strictly increasing;
// max_series >= 1.
Result<void> ValidateMetricDef(const MetricDef& def);

// The series of one metric family, one per label-value list.
template <typename T>
class Family {
 public:
  explicit Family(const MetricDef& def);
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The series for these label values (in MetricDef::labels order), created on first use. Cold
  // path: takes the family mutex and allocates on creation; cache the returned reference.
  T& WithLabels(std::span<const std::string_view> values);
  T& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }

  const std::string& name() const { return name_; }
  std::size_t series_count() const;
  std::uint64_t overflow_count() const { return overflows_.load(std::memory_order_relaxed); }

 private:
  friend class Registry;
  struct Series {
    std::string label_text;  // `a="x",b="y"`, escaped; empty without labels
    std::unique_ptr<T> metric;
  };

  Series MakeSeries(std::span<const std::string_view> values) const;

  const std::string name_;
  const MetricType type_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;
  const std::size_t max_series_;
  std::atomic<std::uint64_t> overflows_{0};
  mutable std::mutex mutex_;  // guards series_
  std::map<std::vector<std::string>, Series> series_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Receives the samples of a callback family at scrape time.
class SampleSink {
 public:
  // A sample with these label values (MetricDef::labels order); a list of the wrong length is
  // dropped. NaN and infinities are written as NaN, +Inf, -Inf.
  void Add(std::initializer_list<std::string_view> label_values, double value);
  void Add(double value) { Add({}, value); }

 private:
  friend class Registry;
  SampleSink(const std::string& name, const std::vector<std::string>& labels, std::string& out)
      : name_(name), labels_(labels), out_(out) {}
  const std::string& name_;
  const std::vector<std::string>& labels_;
  std::string& out_;
};

// The metric families of one process (or one test) and their exposition.
class Registry {
 public:
  using Collect = std::function<void(SampleSink&)>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds a family; fails on an invalid definition (ValidateMetricDef), a type that does not match
  // the call, or a name already registered. A family without labels gets its one series now, so
  // it is exposed (as zero) before first use.
  Result<CounterFamily*> AddCounter(const MetricDef& def);
  Result<GaugeFamily*> AddGauge(const MetricDef& def);
  Result<HistogramFamily*> AddHistogram(const MetricDef& def);
  // A counter or gauge family whose samples `collect` produces at each scrape.
  Result<void> AddCallback(const MetricDef& def, Collect collect);
  // Runs before every scrape, before any family renders (to read /proc once, for example).
  void AddScrapeHook(std::function<void()> hook);

  // The exposition: families in registration order, each with # HELP and # TYPE, label sets sorted
  // by value. Families with no samples are left out.
  std::string Render() const;
  void RenderTo(std::string& out) const;

  // The registered family names, in registration (= exposition) order.
  std::vector<std::string> FamilyNames() const;

  // Overflow events per family (families with none are omitted), for the overflow metric.
  std::vector<std::pair<std::string, std::uint64_t>> Overflows() const;

 private:
  struct Entry {
    std::string name;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
    MetricType callback_type = MetricType::kGauge;
    std::string callback_help;
    std::vector<std::string> callback_labels;
    Collect collect;
  };
  Result<Entry*> Publish(std::unique_ptr<Entry> entry);
  template <typename T>
  static void RenderFamily(const Family<T>& family, std::string& out);

  // Lock order: render_mutex_, then entries_mutex_ (never held while hooks or callbacks run).
  mutable std::mutex render_mutex_;   // serializes renders; held while hooks and callbacks run
  mutable std::mutex entries_mutex_;  // guards entries_ and hooks_; published entries never change
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::function<void()>> hooks_;
};

// Appends `value` escaped for a label value: backslash, double quote and newline.
void AppendEscapedLabelValue(std::string& out, std::string_view value);
// Appends a sample value: shortest round-trip decimal, NaN, +Inf or -Inf.
void AppendValue(std::string& out, double value);

// ---------------------------------------------------------------------------------------------
// Ferry's metrics.

// The transport a message came in on: label `transport`.
enum class Transport : std::uint8_t { kStdio, kHttp, kSse };
inline constexpr std::size_t kTransportCount = 3;
std::string_view TransportName(Transport t);  // "stdio", "http", "sse" (legacy HTTP+SSE)

// The MCP methods a client sends (both protocol eras), and three pseudo-methods: kResponse (a
// client's response to a server-to-client request), kNonMcp (an HTTP request carrying no MCP
// message, such as /health), kUnknown (anything else a client sends).
enum class Method : std::uint8_t {
  kInitialize,
  kPing,
  kToolsList,
  kToolsCall,
  kResourcesList,
  kResourcesTemplatesList,
  kResourcesRead,
  kResourcesSubscribe,
  kResourcesUnsubscribe,
  kPromptsList,
  kPromptsGet,
  kCompletionComplete,
  kLoggingSetLevel,
  kTasksGet,
  kTasksResult,
  kTasksList,
  kTasksCancel,
  kServerDiscover,
  kSubscriptionsListen,
  kNotificationsInitialized,
  kNotificationsCancelled,
  kNotificationsProgress,
  kNotificationsRootsListChanged,
  kNotificationsTasksStatus,
  kResponse,
  kNonMcp,
  kUnknown,
};
inline constexpr std::size_t kMethodCount = static_cast<std::size_t>(Method::kUnknown) + 1;
// The label value: the MCP method name, or "response", "non_mcp", "unknown".
std::string_view MethodName(Method m);
// The Method of an MCP method name; kUnknown for anything that is not one (including the
// pseudo-method labels). A hash of the length and three bytes, then one string compare.
Method ClassifyMethod(std::string_view method);

// The number of ErrorCode values (ErrorCode::kUnsupported is the last one).
inline constexpr std::size_t kErrorCodeCount =
    static_cast<std::size_t>(ErrorCode::kUnsupported) + 1;

// An outcome: label `status`. "ok"; "tool_error" (a tool result with isError); an ErrorCode's
// name (ErrorCodeName); or an HTTP status class "1xx".."5xx" for responses that carry no MCP
// result.
class Status {
 public:
  static constexpr std::size_t kCount = 2 + kErrorCodeCount + 5;

  static constexpr Status Ok() { return Status(0); }
  static constexpr Status ToolError() { return Status(1); }
  static constexpr Status Of(ErrorCode code) {
    const auto i = static_cast<std::size_t>(code);
    return Status(i < kErrorCodeCount ? 2 + i : 2 + static_cast<std::size_t>(ErrorCode::kInternal));
  }
  // 100..199 -> "1xx", ..., 500..599 -> "5xx"; codes below 100 count as 1xx, above 599 as 5xx.
  static constexpr Status HttpClass(int http_status) {
    const int c = http_status < 100 ? 1 : http_status > 599 ? 5 : http_status / 100;
    return Status(2 + kErrorCodeCount + static_cast<std::size_t>(c - 1));
  }

  // The Status with index() == i (i < kCount).
  static constexpr Status FromIndex(std::size_t i) { return Status(i < kCount ? i : 0); }

  std::string_view name() const;
  constexpr std::size_t index() const { return index_; }
  friend constexpr bool operator==(Status, Status) = default;

 private:
  constexpr explicit Status(std::size_t index) : index_(index) {}
  std::size_t index_;
};

// Why the HTTP transport refused a request before it reached a session: label `reason`.
enum class RejectReason : std::uint8_t {
  kMaxConnections,        // 503: max_connections reached
  kRateLimited,           // 429: per-client rate limit
  kBodyTooLarge,          // 413: request body over the limit
  kHeadersTooLarge,       // 431
  kOriginForbidden,       // 403: Origin not allowed (DNS rebinding protection)
  kHostForbidden,         // 403 / 421: Host not allowed
  kUnauthorized,          // 401
  kBadProtocolVersion,    // 400: unsupported MCP-Protocol-Version
  kUnknownSession,        // 404: Mcp-Session-Id not found
  kOverloaded,            // 503: queue full or too much in flight
  kMethodNotAllowed,      // 405
  kNotAcceptable,         // 406: Accept lacks application/json or text/event-stream
  kUnsupportedMediaType,  // 415
  kBadRequest,            // 400: malformed HTTP
};
inline constexpr std::size_t kRejectReasonCount =
    static_cast<std::size_t>(RejectReason::kBadRequest) + 1;
std::string_view RejectReasonName(RejectReason r);  // "max_connections", "rate_limited", ...

// A worker pool: label `pool`.
enum class Pool : std::uint8_t { kCpu, kBlocking };
inline constexpr std::size_t kPoolCount = 2;
std::string_view PoolName(Pool p);  // "cpu", "blocking"

// Direction of a message: label `direction`.
enum class Direction : std::uint8_t { kIn, kOut };
std::string_view DirectionName(Direction d);  // "in", "out"

// Every Ferry metric family, in exposition order (the table lives in metrics.cc).
std::span<const MetricDef* const> FerryMetricTable();

// A fixed-size set of series of one family, created on first use and then reached without a lock.
// Slot i's label values come from the labeler, called once, when slot i is first used.
template <typename T, std::size_t N>
class LazySeries {
 public:
  using Labeler = std::function<std::vector<std::string>(std::size_t index)>;

  LazySeries() = default;
  LazySeries(const LazySeries&) = delete;
  LazySeries& operator=(const LazySeries&) = delete;

  // Before first use.
  void Bind(Family<T>* family, Labeler labeler) {
    family_ = family;
    labeler_ = std::move(labeler);
  }

  // `index` < N.
  T& Get(std::size_t index) {
    T* series = slots_[index].load(std::memory_order_acquire);
    if (series == nullptr) [[unlikely]] {
      series = Create(index);
    }
    return *series;
  }

 private:
  T* Create(std::size_t index) {
    const std::vector<std::string> labels = labeler_(index);
    const std::vector<std::string_view> values(labels.begin(), labels.end());
    T* series = &family_->WithLabels(values);  // concurrent creators get the same series
    slots_[index].store(series, std::memory_order_release);
    return series;
  }

  Family<T>* family_ = nullptr;
  Labeler labeler_;
  std::array<std::atomic<T*>, N> slots_{};
};

// The per-(transport, method) handle: ferry_requests_total and ferry_request_duration_seconds.
// Series are created on first use.
class RequestMetrics {
 public:
  // One finished request: counts it under `status` and observes its duration.
  void Record(Status status, double seconds) {
    Count(status).Inc();
    Duration().Observe(seconds);
  }
  void Record(Status status, std::chrono::nanoseconds d) {
    Record(status, std::chrono::duration<double>(d).count());
  }
  // The counter alone, for messages without a duration (notifications, client responses).
  Counter& Count(Status status) { return counts_.Get(status.index()); }
  Histogram& Duration() { return duration_.Get(0); }

 private:
  friend class Metrics;
  LazySeries<Counter, Status::kCount> counts_;
  LazySeries<Histogram, 1> duration_;
};

// The per-tool handle: ferry_tool_duration_seconds{tool,status}. Series are created on first use.
class ToolMetrics {
 public:
  void Record(Status status, double seconds) { Duration(status).Observe(seconds); }
  void Record(Status status, std::chrono::nanoseconds d) {
    Record(status, std::chrono::duration<double>(d).count());
  }
  Histogram& Duration(Status status) { return duration_.Get(status.index()); }
  // The `tool` label value: the registered name, "unknown" or "other".
  const std::string& label() const { return label_; }

 private:
  friend class Metrics;
  std::string label_;
  LazySeries<Histogram, Status::kCount> duration_;
};

// Scrape-time readers of one worker pool; any may be empty.
struct PoolSource {
  std::function<double()> queue_depth;
  std::function<double()> queue_capacity;
  std::function<double()> threads;
};

// Every Ferry metric, registered from the table, with handles for the hot path. Handle accessors
// are inline array indexing plus, the first time a series is used, its creation.
class Metrics {
 public:
  struct Options {
    std::size_t max_tools = 256;      // distinct `tool` label values before "other"
    std::string version = "unknown";  // ferry_build_info{version}
    bool process_metrics = true;      // process_* from /proc/self, read at scrape time
  };

  static Result<std::unique_ptr<Metrics>> Create(Options options);
  static Result<std::unique_ptr<Metrics>> Create() { return Create(Options{}); }
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The exposition text for /metrics (Content-Type kExpositionContentType). RenderTo appends.
  std::string Render() const { return registry_.Render(); }
  void RenderTo(std::string& out) const { registry_.RenderTo(out); }
  // For families a component adds beyond the table (cache statistics, say).
  Registry& registry() { return registry_; }

  // Requests.
  RequestMetrics& Request(Transport t, Method m) {
    return requests_[static_cast<std::size_t>(t)][static_cast<std::size_t>(m)];
  }
  RequestMetrics& Request(Transport t, std::string_view method) {
    return Request(t, ClassifyMethod(method));
  }
  Gauge& requests_in_flight() { return *requests_in_flight_; }
  Histogram& MessageSize(Transport t, Direction d) {
    return message_size_.Get(static_cast<std::size_t>(t) * 2 + static_cast<std::size_t>(d));
  }
  Counter& MessagesOversized(Transport t) { return oversized_.Get(static_cast<std::size_t>(t)); }

  // Tools. RegisterTool is idempotent (the same handle for the same name); cache the handle with
  // the tool's definition. Past Options::max_tools distinct names it returns the "other" handle.
  // FindTool takes a mutex (not for every call) and returns a registered tool's handle or the
  // "unknown" handle, which UnknownTool() also returns (for calls naming no registered tool). A
  // tool registered as "unknown" or "other" shares that label's series.
  ToolMetrics& RegisterTool(std::string_view name);
  ToolMetrics& FindTool(std::string_view name);
  ToolMetrics& UnknownTool() { return *unknown_tool_; }

  // Worker pools. The source is read at scrape time; an empty PoolSource removes it. When
  // SetPoolSource returns, the previous functions are not running and will not run again.
  void SetPoolSource(Pool pool, PoolSource source);
  Counter& PoolRejections(Pool pool) { return *pool_rejections_[static_cast<std::size_t>(pool)]; }

  // Connections, sessions, SSE.
  Gauge& ConnectionsOpen(Transport t) { return connections_open_.Get(static_cast<std::size_t>(t)); }
  Counter& ConnectionsAccepted(Transport t) {
    return connections_accepted_.Get(static_cast<std::size_t>(t));
  }
  Gauge& sessions_active() { return *sessions_active_; }
  Counter& sessions_created() { return *sessions_created_; }
  Gauge& sse_streams_open() { return *sse_streams_open_; }
  Counter& sse_events_sent() { return *sse_events_sent_; }
  Counter& sse_events_dropped() { return *sse_events_dropped_; }

  // HTTP. Every limit the transport enforces is counted here (and its response in HttpResponse).
  Counter& HttpRejection(RejectReason r) { return *rejections_[static_cast<std::size_t>(r)]; }
  // ferry_http_responses_total{code}; codes outside 100..599 count as code "other".
  Counter& HttpResponse(int code) {
    return http_responses_.Get(code >= 100 && code <= 599 ? static_cast<std::size_t>(code - 100)
                                                          : kOtherCode);
  }

  // Bytes moved by a transport (count them per read()/write(), not per message).
  Counter& BytesReceived(Transport t) { return bytes_received_.Get(static_cast<std::size_t>(t)); }
  Counter& BytesSent(Transport t) { return bytes_sent_.Get(static_cast<std::size_t>(t)); }

 private:
  static constexpr std::size_t kOtherCode = 500;  // slot of code "other"
  struct ProcessSample;

  explicit Metrics(Options options);
  Result<void> Init();
  Result<void> InitTransportFamilies();
  Result<void> InitConnectionFamilies();
  Result<void> InitProcessFamilies();
  ToolMetrics& NewTool(std::string label);  // needs tools_mutex_

  const Options options_;
  Registry registry_;
  std::array<std::array<RequestMetrics, kMethodCount>, kTransportCount> requests_;
  Gauge* requests_in_flight_ = nullptr;
  HistogramFamily* tool_duration_ = nullptr;
  LazySeries<Histogram, kTransportCount * 2> message_size_;
  LazySeries<Counter, kTransportCount> oversized_;
  std::array<Counter*, kPoolCount> pool_rejections_{};
  LazySeries<Gauge, kTransportCount> connections_open_;
  LazySeries<Counter, kTransportCount> connections_accepted_;
  Gauge* sessions_active_ = nullptr;
  Counter* sessions_created_ = nullptr;
  Gauge* sse_streams_open_ = nullptr;
  Counter* sse_events_sent_ = nullptr;
  Counter* sse_events_dropped_ = nullptr;
  LazySeries<Counter, 501> http_responses_;
  std::array<Counter*, kRejectReasonCount> rejections_{};
  LazySeries<Counter, kTransportCount> bytes_received_;
  LazySeries<Counter, kTransportCount> bytes_sent_;

  std::mutex tools_mutex_;  // guards tools_ and tool_handles_
  std::map<std::string, ToolMetrics*, std::less<>> tools_;
  std::vector<std::unique_ptr<ToolMetrics>> tool_handles_;
  ToolMetrics* unknown_tool_ = nullptr;
  ToolMetrics* other_tool_ = nullptr;

  std::mutex sources_mutex_;  // guards pool_sources_; held while they run
  std::array<PoolSource, kPoolCount> pool_sources_;

  // Read by the scrape hook and the process_* callbacks, which all run under the registry's
  // render mutex.
  std::unique_ptr<ProcessSample> process_;
};

}  // namespace ferry::telemetry
