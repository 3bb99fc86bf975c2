#include "telemetry/metrics.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "telemetry/process_stats.h"

namespace ferry::telemetry {

// ---------------------------------------------------------------------------------------------
// The table: every Ferry metric family, declared once, in exposition order. Label values are
// bounded by the enums in metrics.h; max_series is the cap on distinct label sets of each family
// (ferry_tool_duration_seconds: (Options::max_tools + 2) x Status::kCount, set by Metrics).

namespace {

constexpr std::string_view kVersion[] = {"version"};
constexpr std::string_view kTransportMethodStatus[] = {"transport", "method", "status"};
constexpr std::string_view kTransportMethod[] = {"transport", "method"};
constexpr std::string_view kToolStatus[] = {"tool", "status"};
constexpr std::string_view kTransportDirection[] = {"transport", "direction"};
constexpr std::string_view kTransport[] = {"transport"};
constexpr std::string_view kPoolLabel[] = {"pool"};
constexpr std::string_view kCode[] = {"code"};
constexpr std::string_view kReason[] = {"reason"};
constexpr std::string_view kMetricLabel[] = {"metric"};

// 10 us .. 60 s: inline tools answer in microseconds, the queue and slow tools in seconds.
constexpr double kDurationBuckets[] = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                       0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25,
                                       0.5,     1,        2.5,     5,      10,      30,     60};
// Tools: the same, up to the longest tool_timeout of the profiles (2 min) and beyond.
constexpr double kToolDurationBuckets[] = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,     0.25,     0.5,     1,      2.5,     5,      10,    30,     60,    120,  300};
// 64 B .. 64 MiB by powers of 4.
constexpr double kMessageSizeBuckets[] = {64,     256,     1024,    4096,     16384,   65536,
                                          262144, 1048576, 4194304, 16777216, 67108864};

constexpr std::size_t kMaxRequestSeries = kTransportCount * kMethodCount * Status::kCount;

constexpr MetricDef kBuildInfo{.name = "ferry_build_info",
                               .type = MetricType::kGauge,
                               .help = "Always 1; the label carries the Ferry version.",
                               .labels = kVersion,
                               .max_series = 1};
constexpr MetricDef kRequests{
    .name = "ferry_requests_total",
    .type = MetricType::kCounter,
    .help =
        "MCP messages handled (requests, client notifications and client responses), by "
        "transport, method and outcome: ok, tool_error, an error kind, or an HTTP status "
        "class.",
    .labels = kTransportMethodStatus,
    .max_series = kMaxRequestSeries};
constexpr MetricDef kRequestDuration{
    .name = "ferry_request_duration_seconds",
    .type = MetricType::kHistogram,
    .help = "Time from receiving an MCP request to handing its response to the transport.",
    .labels = kTransportMethod,
    .buckets = kDurationBuckets,
    .max_series = kTransportCount * kMethodCount};
constexpr MetricDef kRequestsInFlight{.name = "ferry_requests_in_flight",
                                      .type = MetricType::kGauge,
                                      .help = "MCP requests received and not yet answered.",
                                      .max_series = 1};
constexpr MetricDef kToolDuration{
    .name = "ferry_tool_duration_seconds",
    .type = MetricType::kHistogram,
    .help =
        "Run time of tool calls, by tool and outcome: ok, tool_error (a result with isError), "
        "or an error kind such as timeout, cancelled or overloaded.",
    .labels = kToolStatus,
    .buckets = kToolDurationBuckets};
constexpr MetricDef kMessageSize{.name = "ferry_message_size_bytes",
                                 .type = MetricType::kHistogram,
                                 .help = "Size of MCP messages received (in) and sent (out).",
                                 .labels = kTransportDirection,
                                 .buckets = kMessageSizeBuckets,
                                 .max_series = kTransportCount * 2};
constexpr MetricDef kOversized{.name = "ferry_messages_oversized_total",
                               .type = MetricType::kCounter,
                               .help = "Messages refused for crossing protocol.max_message_size.",
                               .labels = kTransport,
                               .max_series = kTransportCount};
constexpr MetricDef kQueueDepth{.name = "ferry_queue_depth",
                                .type = MetricType::kGauge,
                                .help = "Tasks waiting in a worker pool's queue.",
                                .labels = kPoolLabel,
                                .max_series = kPoolCount};
constexpr MetricDef kQueueCapacity{
    .name = "ferry_queue_capacity",
    .type = MetricType::kGauge,
    .help = "Tasks a worker pool's queue holds before new work is refused as overloaded.",
    .labels = kPoolLabel,
    .max_series = kPoolCount};
constexpr MetricDef kPoolThreads{.name = "ferry_pool_threads",
                                 .type = MetricType::kGauge,
                                 .help = "Worker threads of a pool.",
                                 .labels = kPoolLabel,
                                 .max_series = kPoolCount};
constexpr MetricDef kPoolRejections{.name = "ferry_pool_rejections_total",
                                    .type = MetricType::kCounter,
                                    .help = "Tasks refused because a worker pool's queue was full.",
                                    .labels = kPoolLabel,
                                    .max_series = kPoolCount};
constexpr MetricDef kConnectionsOpen{.name = "ferry_connections_open",
                                     .type = MetricType::kGauge,
                                     .help = "Open client connections.",
                                     .labels = kTransport,
                                     .max_series = kTransportCount};
constexpr MetricDef kConnectionsAccepted{.name = "ferry_connections_accepted_total",
                                         .type = MetricType::kCounter,
                                         .help = "Client connections accepted.",
                                         .labels = kTransport,
                                         .max_series = kTransportCount};
constexpr MetricDef kSessionsActive{.name = "ferry_sessions_active",
                                    .type = MetricType::kGauge,
                                    .help = "MCP sessions that exist now.",
                                    .max_series = 1};
constexpr MetricDef kSessionsCreated{.name = "ferry_sessions_created_total",
                                     .type = MetricType::kCounter,
                                     .help = "MCP sessions created.",
                                     .max_series = 1};
constexpr MetricDef kSseStreamsOpen{.name = "ferry_sse_streams_open",
                                    .type = MetricType::kGauge,
                                    .help = "Open server-sent-event streams.",
                                    .max_series = 1};
constexpr MetricDef kSseEventsSent{.name = "ferry_sse_events_sent_total",
                                   .type = MetricType::kCounter,
                                   .help = "Server-sent events written to streams.",
                                   .max_series = 1};
constexpr MetricDef kSseEventsDropped{
    .name = "ferry_sse_events_dropped_total",
    .type = MetricType::kCounter,
    .help = "Server-sent events dropped because a stream's queue was full (max_queue_size).",
    .max_series = 1};
constexpr MetricDef kHttpResponses{.name = "ferry_http_responses_total",
                                   .type = MetricType::kCounter,
                                   .help = "HTTP responses sent, by status code.",
                                   .labels = kCode,
                                   .max_series = 501};
constexpr MetricDef kHttpRejections{
    .name = "ferry_http_rejections_total",
    .type = MetricType::kCounter,
    .help = "HTTP requests refused before reaching a session, by reason.",
    .labels = kReason,
    .max_series = kRejectReasonCount};
constexpr MetricDef kBytesReceived{.name = "ferry_transport_received_bytes_total",
                                   .type = MetricType::kCounter,
                                   .help = "Bytes read from clients.",
                                   .labels = kTransport,
                                   .max_series = kTransportCount};
constexpr MetricDef kBytesSent{.name = "ferry_transport_sent_bytes_total",
                               .type = MetricType::kCounter,
                               .help = "Bytes written to clients.",
                               .labels = kTransport,
                               .max_series = kTransportCount};
constexpr MetricDef kLabelOverflow{
    .name = "ferry_metric_label_overflow_total",
    .type = MetricType::kCounter,
    .help =
        "Lookups that exceeded a metric's cap on label sets (or gave the wrong number of "
        "label values) and were counted under label values \"other\".",
    .labels = kMetricLabel};
constexpr MetricDef kProcessCpu{.name = "process_cpu_seconds_total",
                                .type = MetricType::kCounter,
                                .help = "Total user and system CPU time spent in seconds.",
                                .max_series = 1};
constexpr MetricDef kProcessResident{.name = "process_resident_memory_bytes",
                                     .type = MetricType::kGauge,
                                     .help = "Resident memory size in bytes.",
                                     .max_series = 1};
constexpr MetricDef kProcessVirtual{.name = "process_virtual_memory_bytes",
                                    .type = MetricType::kGauge,
                                    .help = "Virtual memory size in bytes.",
                                    .max_series = 1};
constexpr MetricDef kProcessOpenFds{.name = "process_open_fds",
                                    .type = MetricType::kGauge,
                                    .help = "Number of open file descriptors.",
                                    .max_series = 1};
constexpr MetricDef kProcessMaxFds{.name = "process_max_fds",
                                   .type = MetricType::kGauge,
                                   .help = "Maximum number of open file descriptors.",
                                   .max_series = 1};
constexpr MetricDef kProcessStartTime{
    .name = "process_start_time_seconds",
    .type = MetricType::kGauge,
    .help = "Start time of the process since unix epoch in seconds.",
    .max_series = 1};
constexpr MetricDef kProcessThreads{.name = "process_threads",
                                    .type = MetricType::kGauge,
                                    .help = "Number of OS threads in the process.",
                                    .max_series = 1};

constexpr const MetricDef* kFerryMetrics[] = {
    &kBuildInfo,           &kRequests,         &kRequestDuration, &kRequestsInFlight,
    &kToolDuration,        &kMessageSize,      &kOversized,       &kQueueDepth,
    &kQueueCapacity,       &kPoolThreads,      &kPoolRejections,  &kConnectionsOpen,
    &kConnectionsAccepted, &kSessionsActive,   &kSessionsCreated, &kSseStreamsOpen,
    &kSseEventsSent,       &kSseEventsDropped, &kHttpResponses,   &kHttpRejections,
    &kBytesReceived,       &kBytesSent,        &kLabelOverflow,   &kProcessCpu,
    &kProcessResident,     &kProcessVirtual,   &kProcessOpenFds,  &kProcessMaxFds,
    &kProcessStartTime,    &kProcessThreads,
};

}  // namespace

std::span<const MetricDef* const> FerryMetricTable() { return kFerryMetrics; }

// ---------------------------------------------------------------------------------------------
// Primitives.

namespace detail {

std::size_t AssignShard() {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kShardCount;
}

}  // namespace detail

std::uint64_t Counter::Value() const {
  std::uint64_t total = 0;
  for (const auto& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
  return total;
}

std::int64_t Gauge::Value() const {
  std::uint64_t total = 0;  // two's complement: the wrapped sum is the signed sum
  for (const auto& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
  return static_cast<std::int64_t>(total);
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      lines_per_shard_((bounds.size() + 2 + 7) / 8),
      lines_(std::make_unique<detail::Line[]>(kShardCount * lines_per_shard_)) {}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot snap;
  snap.bounds = bounds_;
  snap.counts.assign(bounds_.size() + 1, 0);
  for (std::size_t shard = 0; shard < kShardCount; ++shard) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      snap.counts[i] += Word(shard, i).load(std::memory_order_relaxed);
    }
    snap.sum +=
        std::bit_cast<double>(Word(shard, bounds_.size() + 1).load(std::memory_order_relaxed));
  }
  return snap;
}

std::uint64_t HistogramSnapshot::Count() const {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  return total;
}

std::uint64_t HistogramSnapshot::CumulativeCount(std::size_t i) const {
  std::uint64_t total = 0;
  for (std::size_t b = 0; b <= i && b < counts.size(); ++b) total += counts[b];
  return total;
}

double HistogramSnapshot::Quantile(double q) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::uint64_t total = Count();
  if (!(q >= 0 && q <= 1) || total == 0 || counts.size() != bounds.size() + 1) return nan;
  const double rank = q * static_cast<double>(total);
  std::uint64_t below = 0;  // observations in the buckets before i
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const std::uint64_t in = counts[i];
    if (in > 0 && static_cast<double>(below + in) >= rank) {
      if (i == bounds.size()) return bounds.empty() ? nan : bounds.back();
      const double upper = bounds[i];
      const double lower = i == 0 ? std::min(0.0, upper) : bounds[i - 1];
      const double within = std::max(0.0, rank - static_cast<double>(below));
      return lower + (upper - lower) * (within / static_cast<double>(in));
    }
    below += in;
  }
  return nan;
}

bool HistogramSnapshot::Merge(const HistogramSnapshot& other) {
  if (other.bounds != bounds || other.counts.size() != counts.size()) return false;
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  sum += other.sum;
  return true;
}

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// ---------------------------------------------------------------------------------------------
// Validation and text.

namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  return IsMetricName(name) && name.find(':') == std::string_view::npos &&
         name.substr(0, 2) != "__";
}

Error BadDef(std::string_view name, std::string_view what) {
  return Error(ErrorCode::kInvalidParams,
               "metric '" + std::string(name) + "': " + std::string(what));
}

void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendHeader(std::string& out, std::string_view name, std::string_view help, MetricType type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscapedHelp(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += MetricTypeName(type);
  out += '\n';
}

void AppendInteger(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

void AppendSigned(std::string& out, std::int64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

// `name{labels}` or `name{labels,extra}`; no braces when both are empty.
void AppendSeriesName(std::string& out, std::string_view name, std::string_view suffix,
                      std::string_view labels, std::string_view extra = {}) {
  out += name;
  out += suffix;
  if (labels.empty() && extra.empty()) {
    out += ' ';
    return;
  }
  out += '{';
  out += labels;
  if (!labels.empty() && !extra.empty()) out += ',';
  out += extra;
  out += "} ";
}

std::string LabelText(const std::vector<std::string>& names,
                      std::span<const std::string_view> values) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += ',';
    text += names[i];
    text += "=\"";
    AppendEscapedLabelValue(text, values[i]);
    text += '"';
  }
  return text;
}

}  // namespace

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, result.ptr);
  }
}

Result<void> ValidateMetricDef(const MetricDef& def) {
  if (!IsMetricName(def.name)) return Fail(BadDef(def.name, "invalid metric name"));
  if (def.help.empty()) return Fail(BadDef(def.name, "help text is empty"));
  if (def.max_series == 0) return Fail(BadDef(def.name, "max_series must be at least 1"));
  if (def.type == MetricType::kCounter &&
      (def.name.size() <= 6 || def.name.substr(def.name.size() - 6) != "_total")) {
    return Fail(BadDef(def.name, "a counter's name must end in _total"));
  }
  std::set<std::string_view> seen;
  for (const auto label : def.labels) {
    if (!IsLabelName(label))
      return Fail(BadDef(def.name, "invalid label name '" + std::string(label) + "'"));
    if (!seen.insert(label).second) {
      return Fail(BadDef(def.name, "label '" + std::string(label) + "' appears twice"));
    }
    if (def.type == MetricType::kHistogram && label == "le") {
      return Fail(BadDef(def.name, "a histogram may not have a label named le"));
    }
  }
  if (def.type == MetricType::kHistogram) {
    if (def.buckets.empty()) return Fail(BadDef(def.name, "a histogram needs buckets"));
    for (std::size_t i = 0; i < def.buckets.size(); ++i) {
      if (!std::isfinite(def.buckets[i])) {
        return Fail(BadDef(def.name, "bucket bounds must be finite (+Inf is implied)"));
      }
      if (i > 0 && !(def.buckets[i - 1] < def.buckets[i])) {
        return Fail(BadDef(def.name, "bucket bounds must increase strictly"));
      }
    }
  } else if (!def.buckets.empty()) {
    return Fail(BadDef(def.name, "only histograms have buckets"));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Families and the registry.

template <typename T>
Family<T>::Family(const MetricDef& def)
    : name_(def.name),
      type_(def.type),
      help_(def.help),
      label_names_(def.labels.begin(), def.labels.end()),
      buckets_(def.buckets.begin(), def.buckets.end()),
      max_series_(def.max_series) {}

template <typename T>
typename Family<T>::Series Family<T>::MakeSeries(std::span<const std::string_view> values) const {
  Series series;
  series.label_text = LabelText(label_names_, values);
  if constexpr (std::is_same_v<T, Histogram>) {
    series.metric = std::make_unique<Histogram>(buckets_);
  } else {
    series.metric = std::make_unique<T>();
  }
  return series;
}

template <typename T>
T& Family<T>::WithLabels(std::span<const std::string_view> values) {
  std::lock_guard lock(mutex_);
  if (values.size() == label_names_.size()) {
    std::vector<std::string> key(values.begin(), values.end());
    if (auto it = series_.find(key); it != series_.end()) return *it->second.metric;
    if (series_.size() < max_series_) {
      auto [it, inserted] = series_.emplace(std::move(key), MakeSeries(values));
      return *it->second.metric;
    }
  }
  // Over the cap or the wrong arity: the series whose label values are all "other", kept in the
  // same map (beyond the cap) so a legitimate all-"other" series is the same one.
  overflows_.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::string> key(label_names_.size(), "other");
  if (auto it = series_.find(key); it != series_.end()) return *it->second.metric;
  const std::vector<std::string_view> others(label_names_.size(), "other");
  auto [it, inserted] = series_.emplace(std::move(key), MakeSeries(others));
  return *it->second.metric;
}

template <typename T>
std::size_t Family<T>::series_count() const {
  std::lock_guard lock(mutex_);
  return series_.size();
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void SampleSink::Add(std::initializer_list<std::string_view> label_values, double value) {
  if (label_values.size() != labels_.size()) return;
  AppendSeriesName(out_, name_, {},
                   LabelText(labels_, std::span<const std::string_view>(label_values.begin(),
                                                                        label_values.size())));
  AppendValue(out_, value);
  out_ += '\n';
}

namespace {

Result<void> CheckType(const MetricDef& def, MetricType expected) {
  if (auto valid = ValidateMetricDef(def); !valid) return Fail(valid.error());
  if (def.type != expected) {
    return Fail(BadDef(def.name, "declared as a " + std::string(MetricTypeName(def.type)) +
                                     ", registered as a " + std::string(MetricTypeName(expected))));
  }
  return {};
}

// A family, with its one series when it has no labels (so it is exposed, as zero, at once).
template <typename T>
std::unique_ptr<Family<T>> NewFamily(const MetricDef& def) {
  auto family = std::make_unique<Family<T>>(def);
  if (def.labels.empty()) family->WithLabels({});
  return family;
}

}  // namespace

Result<Registry::Entry*> Registry::Publish(std::unique_ptr<Entry> entry) {
  std::lock_guard lock(entries_mutex_);
  for (const auto& e : entries_) {
    if (e->name == entry->name) return Fail(BadDef(entry->name, "already registered"));
  }
  entries_.push_back(std::move(entry));
  return entries_.back().get();
}

Result<CounterFamily*> Registry::AddCounter(const MetricDef& def) {
  if (auto ok = CheckType(def, MetricType::kCounter); !ok) return Fail(ok.error());
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(def.name);
  entry->counter = NewFamily<Counter>(def);
  auto published = Publish(std::move(entry));
  if (!published) return Fail(published.error());
  return (*published)->counter.get();
}

Result<GaugeFamily*> Registry::AddGauge(const MetricDef& def) {
  if (auto ok = CheckType(def, MetricType::kGauge); !ok) return Fail(ok.error());
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(def.name);
  entry->gauge = NewFamily<Gauge>(def);
  auto published = Publish(std::move(entry));
  if (!published) return Fail(published.error());
  return (*published)->gauge.get();
}

Result<HistogramFamily*> Registry::AddHistogram(const MetricDef& def) {
  if (auto ok = CheckType(def, MetricType::kHistogram); !ok) return Fail(ok.error());
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(def.name);
  entry->histogram = NewFamily<Histogram>(def);
  auto published = Publish(std::move(entry));
  if (!published) return Fail(published.error());
  return (*published)->histogram.get();
}

Result<void> Registry::AddCallback(const MetricDef& def, Collect collect) {
  if (auto valid = ValidateMetricDef(def); !valid) return Fail(valid.error());
  if (def.type == MetricType::kHistogram) {
    return Fail(BadDef(def.name, "a callback family is a counter or a gauge"));
  }
  if (!collect) return Fail(BadDef(def.name, "the collect function is empty"));
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(def.name);
  entry->callback_type = def.type;
  entry->callback_help = std::string(def.help);
  entry->callback_labels.assign(def.labels.begin(), def.labels.end());
  entry->collect = std::move(collect);
  auto published = Publish(std::move(entry));
  if (!published) return Fail(published.error());
  return {};
}

void Registry::AddScrapeHook(std::function<void()> hook) {
  std::lock_guard lock(entries_mutex_);
  hooks_.push_back(std::move(hook));
}

std::vector<std::string> Registry::FamilyNames() const {
  std::lock_guard lock(entries_mutex_);
  std::vector<std::string> names;
  for (const auto& e : entries_) names.push_back(e->name);
  return names;
}

std::vector<std::pair<std::string, std::uint64_t>> Registry::Overflows() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  std::lock_guard lock(entries_mutex_);
  for (const auto& e : entries_) {
    std::uint64_t n = 0;
    if (e->counter) n = e->counter->overflow_count();
    if (e->gauge) n = e->gauge->overflow_count();
    if (e->histogram) n = e->histogram->overflow_count();
    if (n > 0) out.emplace_back(e->name, n);
  }
  return out;
}

std::string Registry::Render() const {
  std::string out;
  RenderTo(out);
  return out;
}

void Registry::RenderTo(std::string& out) const {
  std::lock_guard render_lock(render_mutex_);
  std::vector<const Entry*> entries;  // published entries never change and are never removed
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(entries_mutex_);
    entries.reserve(entries_.size());
    for (const auto& e : entries_) entries.push_back(e.get());
    hooks = hooks_;
  }
  for (const auto& hook : hooks) hook();

  std::string body;
  for (const Entry* e : entries) {
    if (e->counter) {
      RenderFamily(*e->counter, out);
    } else if (e->gauge) {
      RenderFamily(*e->gauge, out);
    } else if (e->histogram) {
      RenderFamily(*e->histogram, out);
    } else {
      body.clear();
      SampleSink sink(e->name, e->callback_labels, body);
      e->collect(sink);
      if (body.empty()) continue;
      AppendHeader(out, e->name, e->callback_help, e->callback_type);
      out += body;
    }
  }
}

template <typename T>
void Registry::RenderFamily(const Family<T>& family, std::string& out) {
  std::lock_guard lock(family.mutex_);
  if (family.series_.empty()) return;
  AppendHeader(out, family.name_, family.help_, family.type_);
  if constexpr (std::is_same_v<T, Histogram>) {
    std::vector<std::string> le;
    le.reserve(family.buckets_.size() + 1);
    for (const double bound : family.buckets_) {
      std::string text = "le=\"";
      AppendValue(text, bound);
      text += '"';
      le.push_back(std::move(text));
    }
    le.push_back("le=\"+Inf\"");
    for (const auto& [key, series] : family.series_) {
      const HistogramSnapshot snap = series.metric->Snapshot();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < snap.counts.size(); ++i) {
        cumulative += snap.counts[i];
        AppendSeriesName(out, family.name_, "_bucket", series.label_text, le[i]);
        AppendInteger(out, cumulative);
        out += '\n';
      }
      AppendSeriesName(out, family.name_, "_sum", series.label_text);
      AppendValue(out, snap.sum);
      out += '\n';
      AppendSeriesName(out, family.name_, "_count", series.label_text);
      AppendInteger(out, cumulative);
      out += '\n';
    }
  } else {
    for (const auto& [key, series] : family.series_) {
      AppendSeriesName(out, family.name_, {}, series.label_text);
      if constexpr (std::is_same_v<T, Gauge>) {
        AppendSigned(out, series.metric->Value());
      } else {
        AppendInteger(out, series.metric->Value());
      }
      out += '\n';
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Label vocabularies.

namespace {

constexpr std::string_view kMethodNames[kMethodCount] = {
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "tasks/get",
    "tasks/result",
    "tasks/list",
    "tasks/cancel",
    "server/discover",
    "subscriptions/listen",
    "notifications/initialized",
    "notifications/cancelled",
    "notifications/progress",
    "notifications/roots/list_changed",
    "notifications/tasks/status",
    "response",
    "non_mcp",
    "unknown",
};
// Real MCP method names: the ones before the pseudo-methods.
constexpr std::size_t kMcpMethodCount = static_cast<std::size_t>(Method::kResponse);

// An open-addressing table of the MCP method names, built at compile time.
constexpr std::size_t kMethodSlots = 64;
constexpr std::uint8_t kEmptySlot = 0xFF;

constexpr std::size_t MethodHash(std::string_view s) {  // s.size() >= 2
  const auto byte = [&](std::size_t i) { return static_cast<std::size_t>(s[i]); };
  return (s.size() * 31 + byte(1) * 7 + byte(s.size() / 2) * 3 + byte(s.size() - 1)) % kMethodSlots;
}

constexpr std::array<std::uint8_t, kMethodSlots> BuildMethodSlots() {
  std::array<std::uint8_t, kMethodSlots> slots{};
  for (auto& s : slots) s = kEmptySlot;
  for (std::size_t i = 0; i < kMcpMethodCount; ++i) {
    std::size_t slot = MethodHash(kMethodNames[i]);
    while (slots[slot] != kEmptySlot) slot = (slot + 1) % kMethodSlots;
    slots[slot] = static_cast<std::uint8_t>(i);
  }
  return slots;
}
constexpr auto kMethodSlotTable = BuildMethodSlots();
static_assert(kMcpMethodCount <= kMethodSlots / 2, "keep the method table at most half full");

constexpr std::string_view kRejectReasonNames[kRejectReasonCount] = {
    "max_connections",        "rate_limited",   "body_too_large",     "headers_too_large",
    "origin_forbidden",       "host_forbidden", "unauthorized",       "bad_protocol_version",
    "unknown_session",        "overloaded",     "method_not_allowed", "not_acceptable",
    "unsupported_media_type", "bad_request",
};

constexpr std::string_view kHttpClassNames[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

}  // namespace

std::string_view TransportName(Transport t) {
  switch (t) {
    case Transport::kStdio:
      return "stdio";
    case Transport::kHttp:
      return "http";
    case Transport::kSse:
      return "sse";
  }
  return "unknown";
}

std::string_view MethodName(Method m) {
  const auto i = static_cast<std::size_t>(m);
  return i < kMethodCount ? kMethodNames[i] : "unknown";
}

Method ClassifyMethod(std::string_view method) {
  if (method.size() < 2) return Method::kUnknown;
  for (std::size_t slot = MethodHash(method);; slot = (slot + 1) % kMethodSlots) {
    const std::uint8_t index = kMethodSlotTable[slot];
    if (index == kEmptySlot) return Method::kUnknown;
    if (kMethodNames[index] == method) return static_cast<Method>(index);
  }
}

std::string_view Status::name() const {
  if (index_ == 0) return "ok";
  if (index_ == 1) return "tool_error";
  if (index_ < 2 + kErrorCodeCount) return ErrorCodeName(static_cast<ErrorCode>(index_ - 2));
  if (index_ < kCount) return kHttpClassNames[index_ - 2 - kErrorCodeCount];
  return "unknown";
}

std::string_view RejectReasonName(RejectReason r) {
  const auto i = static_cast<std::size_t>(r);
  return i < kRejectReasonCount ? kRejectReasonNames[i] : "unknown";
}

std::string_view PoolName(Pool p) { return p == Pool::kCpu ? "cpu" : "blocking"; }

std::string_view DirectionName(Direction d) { return d == Direction::kIn ? "in" : "out"; }

// ---------------------------------------------------------------------------------------------
// Metrics.

struct Metrics::ProcessSample {
  Result<ProcessStats> stats = Fail(ErrorCode::kIo, "not read yet");
};

Metrics::Metrics(Options options) : options_(std::move(options)) {}

Metrics::~Metrics() = default;

Result<std::unique_ptr<Metrics>> Metrics::Create(Options options) {
  if (options.max_tools == 0) {
    return Fail(ErrorCode::kInvalidConfig, "metrics: max_tools must be at least 1");
  }
  std::unique_ptr<Metrics> metrics(new Metrics(std::move(options)));
  if (auto ok = metrics->Init(); !ok) return Fail(ok.error());
  return metrics;
}

namespace {

std::string Name(Transport t) { return std::string(TransportName(t)); }
std::string NameOfTransport(std::size_t i) { return Name(static_cast<Transport>(i)); }

}  // namespace

// Registers the families in table order; the table test checks the order matches.
Result<void> Metrics::Init() {
  Registry& r = registry_;
  if (auto ok = r.AddCallback(kBuildInfo, [this](SampleSink& s) { s.Add({options_.version}, 1); });
      !ok) {
    return Fail(ok.error());
  }

  auto requests = r.AddCounter(kRequests);
  if (!requests) return Fail(requests.error());
  auto duration = r.AddHistogram(kRequestDuration);
  if (!duration) return Fail(duration.error());
  for (std::size_t t = 0; t < kTransportCount; ++t) {
    const std::string transport = NameOfTransport(t);
    for (std::size_t m = 0; m < kMethodCount; ++m) {
      const std::string method(kMethodNames[m]);
      requests_[t][m].counts_.Bind(*requests, [transport, method](std::size_t status) {
        return std::vector<std::string>{transport, method,
                                        std::string(Status::FromIndex(status).name())};
      });
      requests_[t][m].duration_.Bind(*duration, [transport, method](std::size_t) {
        return std::vector<std::string>{transport, method};
      });
    }
  }
  auto in_flight = r.AddGauge(kRequestsInFlight);
  if (!in_flight) return Fail(in_flight.error());
  requests_in_flight_ = &(*in_flight)->WithLabels({});

  MetricDef tool_def = kToolDuration;
  tool_def.max_series = (options_.max_tools + 2) * Status::kCount;
  auto tools = r.AddHistogram(tool_def);
  if (!tools) return Fail(tools.error());
  tool_duration_ = *tools;
  {
    std::lock_guard lock(tools_mutex_);
    unknown_tool_ = &NewTool("unknown");
    other_tool_ = &NewTool("other");
  }

  if (auto ok = InitTransportFamilies(); !ok) return ok;
  if (auto ok = InitConnectionFamilies(); !ok) return ok;
  if (options_.process_metrics) {
    if (auto ok = InitProcessFamilies(); !ok) return ok;
  }
  return {};
}

Result<void> Metrics::InitTransportFamilies() {
  Registry& r = registry_;
  auto sizes = r.AddHistogram(kMessageSize);
  if (!sizes) return Fail(sizes.error());
  message_size_.Bind(*sizes, [](std::size_t i) {
    return std::vector<std::string>{NameOfTransport(i / 2),
                                    std::string(DirectionName(static_cast<Direction>(i % 2)))};
  });
  auto oversized = r.AddCounter(kOversized);
  if (!oversized) return Fail(oversized.error());
  oversized_.Bind(*oversized, [](std::size_t i) { return std::vector{NameOfTransport(i)}; });

  // Pool gauges: one collect per family; each reads its function of every pool's source.
  using Reader = std::function<double()> PoolSource::*;
  const std::pair<const MetricDef*, Reader> pool_gauges[] = {
      {&kQueueDepth, &PoolSource::queue_depth},
      {&kQueueCapacity, &PoolSource::queue_capacity},
      {&kPoolThreads, &PoolSource::threads}};
  for (const auto& [def, reader] : pool_gauges) {
    auto ok = r.AddCallback(*def, [this, reader = reader](SampleSink& sink) {
      std::lock_guard lock(sources_mutex_);
      for (std::size_t p = 0; p < kPoolCount; ++p) {
        const auto& fn = pool_sources_[p].*reader;
        if (fn) sink.Add({PoolName(static_cast<Pool>(p))}, fn());
      }
    });
    if (!ok) return ok;
  }
  auto pool_rejections = r.AddCounter(kPoolRejections);
  if (!pool_rejections) return Fail(pool_rejections.error());
  for (std::size_t p = 0; p < kPoolCount; ++p) {
    pool_rejections_[p] = &(*pool_rejections)->WithLabels({PoolName(static_cast<Pool>(p))});
  }
  return {};
}

Result<void> Metrics::InitConnectionFamilies() {
  Registry& r = registry_;
  auto open = r.AddGauge(kConnectionsOpen);
  if (!open) return Fail(open.error());
  connections_open_.Bind(*open, [](std::size_t i) { return std::vector{NameOfTransport(i)}; });
  auto accepted = r.AddCounter(kConnectionsAccepted);
  if (!accepted) return Fail(accepted.error());
  connections_accepted_.Bind(*accepted,
                             [](std::size_t i) { return std::vector{NameOfTransport(i)}; });

  auto sessions_active = r.AddGauge(kSessionsActive);
  if (!sessions_active) return Fail(sessions_active.error());
  sessions_active_ = &(*sessions_active)->WithLabels({});
  auto sessions_created = r.AddCounter(kSessionsCreated);
  if (!sessions_created) return Fail(sessions_created.error());
  sessions_created_ = &(*sessions_created)->WithLabels({});
  auto streams = r.AddGauge(kSseStreamsOpen);
  if (!streams) return Fail(streams.error());
  sse_streams_open_ = &(*streams)->WithLabels({});
  auto sent = r.AddCounter(kSseEventsSent);
  if (!sent) return Fail(sent.error());
  sse_events_sent_ = &(*sent)->WithLabels({});
  auto dropped = r.AddCounter(kSseEventsDropped);
  if (!dropped) return Fail(dropped.error());
  sse_events_dropped_ = &(*dropped)->WithLabels({});

  auto responses = r.AddCounter(kHttpResponses);
  if (!responses) return Fail(responses.error());
  http_responses_.Bind(*responses, [](std::size_t i) {
    return std::vector{i == kOtherCode ? std::string("other") : std::to_string(100 + i)};
  });
  auto rejections = r.AddCounter(kHttpRejections);
  if (!rejections) return Fail(rejections.error());
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    rejections_[i] = &(*rejections)->WithLabels({kRejectReasonNames[i]});
  }

  auto received = r.AddCounter(kBytesReceived);
  if (!received) return Fail(received.error());
  bytes_received_.Bind(*received, [](std::size_t i) { return std::vector{NameOfTransport(i)}; });
  auto sent_bytes = r.AddCounter(kBytesSent);
  if (!sent_bytes) return Fail(sent_bytes.error());
  bytes_sent_.Bind(*sent_bytes, [](std::size_t i) { return std::vector{NameOfTransport(i)}; });

  return r.AddCallback(kLabelOverflow, [this](SampleSink& sink) {
    for (const auto& [name, count] : registry_.Overflows()) {
      sink.Add({name}, static_cast<double>(count));
    }
  });
}

Result<void> Metrics::InitProcessFamilies() {
  process_ = std::make_unique<ProcessSample>();
  registry_.AddScrapeHook([this] { process_->stats = ReadProcessStats(); });
  using Field = double (*)(const ProcessStats&);
  const std::pair<const MetricDef*, Field> fields[] = {
      {&kProcessCpu, [](const ProcessStats& s) { return s.cpu_seconds; }},
      {&kProcessResident,
       [](const ProcessStats& s) { return static_cast<double>(s.resident_memory_bytes); }},
      {&kProcessVirtual,
       [](const ProcessStats& s) { return static_cast<double>(s.virtual_memory_bytes); }},
      {&kProcessOpenFds, [](const ProcessStats& s) { return static_cast<double>(s.open_fds); }},
      {&kProcessMaxFds, [](const ProcessStats& s) { return s.max_fds; }},
      {&kProcessStartTime, [](const ProcessStats& s) { return s.start_time_seconds; }},
      {&kProcessThreads, [](const ProcessStats& s) { return static_cast<double>(s.threads); }},
  };
  for (const auto& [def, field] : fields) {
    auto ok = registry_.AddCallback(*def, [this, field = field](SampleSink& sink) {
      if (process_->stats) sink.Add(field(*process_->stats));  // a failed read: no sample
    });
    if (!ok) return ok;
  }
  return {};
}

ToolMetrics& Metrics::NewTool(std::string label) {
  auto handle = std::make_unique<ToolMetrics>();
  handle->label_ = std::move(label);
  handle->duration_.Bind(tool_duration_, [tool = handle->label_](std::size_t status) {
    return std::vector<std::string>{tool, std::string(Status::FromIndex(status).name())};
  });
  tool_handles_.push_back(std::move(handle));
  return *tool_handles_.back();
}

ToolMetrics& Metrics::RegisterTool(std::string_view name) {
  std::lock_guard lock(tools_mutex_);
  if (auto it = tools_.find(name); it != tools_.end()) return *it->second;
  if (tools_.size() >= options_.max_tools) return *other_tool_;
  ToolMetrics& handle = NewTool(std::string(name));
  tools_.emplace(std::string(name), &handle);
  return handle;
}

ToolMetrics& Metrics::FindTool(std::string_view name) {
  std::lock_guard lock(tools_mutex_);
  if (auto it = tools_.find(name); it != tools_.end()) return *it->second;
  return *unknown_tool_;
}

void Metrics::SetPoolSource(Pool pool, PoolSource source) {
  std::lock_guard lock(sources_mutex_);
  pool_sources_[static_cast<std::size_t>(pool)] = std::move(source);
}

}  // namespace ferry::telemetry
