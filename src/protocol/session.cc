#include "protocol/session.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/log.h"
#include "protocol/server_core.h"
#include "runtime/cancellation.h"

namespace ferry::protocol {
namespace json = boost::json;
using jsonrpc::Id;

namespace {

constexpr std::string_view kLevelNames[] = {"debug",    "info",  "notice", "warning",
                                            "error",    "critical", "alert", "emergency"};

std::optional<LogLevel> ParseLevel(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

// The capability a client must declare before the server may send it `method`.
std::string_view CapabilityFor(std::string_view method) {
  if (method == "sampling/createMessage") return "sampling";
  if (method == "elicitation/create") return "elicitation";
  if (method == "roots/list") return "roots";
  return {};
}

// Returns params as an object; absent params count as an empty object.
Result<const json::object*> ParamsObject(const json::value& params) {
  static const json::object kEmpty;
  if (params.is_null()) return &kEmpty;
  if (const auto* o = params.if_object()) return o;
  return Fail(ErrorCode::kInvalidParams, "params must be an object");
}

Result<std::string> RequiredString(const json::object& params, std::string_view key) {
  const auto* v = params.if_contains(key);
  if (!v) return Fail(ErrorCode::kInvalidParams, "missing required parameter '" + std::string(key) + "'");
  if (!v->is_string()) {
    return Fail(ErrorCode::kInvalidParams, "parameter '" + std::string(key) + "' must be a string");
  }
  return std::string(v->get_string());
}

Result<std::string> OptionalCursor(const json::value& params) {
  auto obj = ParamsObject(params);
  if (!obj) return Fail(obj.error());
  const auto* c = (*obj)->if_contains("cursor");
  if (!c || c->is_null()) return std::string();
  if (!c->is_string()) return Fail(ErrorCode::kInvalidParams, "cursor must be a string");
  return std::string(c->get_string());
}

json::value PageResult(Page&& page, std::string_view key) {
  json::object out;
  out[key] = std::move(page.items);
  if (!page.next_cursor.empty()) out["nextCursor"] = std::move(page.next_cursor);
  return out;
}

json::object ContentsToJson(const ResourceContents& c) {
  json::object o;
  o["uri"] = c.uri;
  if (!c.mime_type.empty()) o["mimeType"] = c.mime_type;
  if (c.text) o["text"] = *c.text;
  if (c.blob) o["blob"] = *c.blob;
  if (!c.text && !c.blob) o["text"] = "";
  if (!c.meta.empty()) o["_meta"] = c.meta;
  return o;
}

// Whole numbers go out as JSON integers ("progress":3, not 3E0).
json::value Number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9.0e15) return static_cast<std::int64_t>(v);
  return v;
}

std::string JoinErrors(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e;
  }
  return out;
}

}  // namespace

// A batch being answered: collects the responses of its requests and sends them as one array
// when the last one is in.
struct Session::Batch {
  std::mutex mutex;  // guards every field
  std::vector<std::string> responses;
  std::size_t expected = 0;  // answers still to come in; cancelled requests are taken off
  bool answerable = false;   // the batch had requests, so its sink waits for an answer
  bool sealed = false;       // all items dispatched; `expected` only shrinks from here
  bool flushed = false;
};

// A request in flight on a pool: its id, cancellation, deadline and progress state.
struct Session::Call {
  Id id;
  Route route;
  runtime::CancellationSource cancel;
  std::optional<json::value> progress_token;
  std::atomic<bool> answered{false};
  std::shared_ptr<runtime::Timer> timer;
  std::chrono::steady_clock::time_point deadline;
  Execution execution = Execution::kCpu;
  std::mutex progress_mutex;  // guards last_progress
  double last_progress = -std::numeric_limits<double>::infinity();
};

class Session::CallContext final : public RequestContext {
 public:
  CallContext(Session& session, Call& call) : session_(session), call_(call) {}

  bool IsCancelled() const override { return call_.cancel.IsCancelled(); }
  std::chrono::steady_clock::time_point Deadline() const override { return call_.deadline; }

  void ReportProgress(double progress, std::optional<double> total,
                      std::string_view message) override {
    if (!call_.progress_token || call_.answered.load()) return;
    {
      std::lock_guard lock(call_.progress_mutex);
      if (!(progress > call_.last_progress)) return;  // the spec requires increasing values
      call_.last_progress = progress;
    }
    json::object params;
    params["progressToken"] = *call_.progress_token;
    params["progress"] = Number(progress);
    if (total) params["total"] = Number(*total);
    if (!message.empty()) params["message"] = message;
    call_.route.sink->Send(jsonrpc::SerializeNotification("notifications/progress", params));
  }

  void Log(LogLevel level, json::value data, std::string_view logger) override {
    if (static_cast<int>(level) < session_.log_level_.load()) return;
    json::object params;
    params["level"] = kLevelNames[static_cast<int>(level)];
    if (!logger.empty()) params["logger"] = logger;
    params["data"] = std::move(data);
    call_.route.sink->Send(jsonrpc::SerializeNotification("notifications/message", params));
  }

  Result<json::value> SendRequest(std::string_view method, json::object params,
                                  std::optional<std::chrono::milliseconds> timeout) override {
    return session_.SendClientRequest(call_, method, std::move(params), timeout);
  }

  const ClientInfo& Client() const override { return session_.client_; }

 private:
  Session& session_;
  Call& call_;
};

Session::Session(ServerCore& core, std::shared_ptr<Outbound> outbound,
                 telemetry::Transport transport)
    : core_(core),
      outbound_(std::move(outbound)),
      transport_(transport) {}

Session::~Session() {
  if (auto correlation = FindCorrelation()) {
    correlation->CancelAll(Error(ErrorCode::kCancelled, "the session ended"));
  }
}

std::shared_ptr<runtime::CorrelationManager> Session::Correlation() {
  std::lock_guard lock(correlation_mutex_);
  if (!correlation_) {
    correlation_ = std::make_shared<runtime::CorrelationManager>(
        core_.executors(), static_cast<std::size_t>(core_.config().protocol.max_pending_requests),
        core_.config().protocol.request_timeout);
  }
  return correlation_;
}

std::shared_ptr<runtime::CorrelationManager> Session::FindCorrelation() const {
  std::lock_guard lock(correlation_mutex_);
  return correlation_;
}

// ---- Reading ----

Session::Intake Session::HandleText(std::string_view text, const std::shared_ptr<Outbound>& sink) {
  const auto& out = sink ? sink : outbound_;
  // One parser per thread: it keeps its buffers between messages, and sessions share threads.
  thread_local jsonrpc::Parser parser;
  auto value = parser.Parse(text);
  if (!value) {
    core_.metrics()
        .Request(transport_, telemetry::Method::kUnknown)
        .Count(telemetry::Status::Of(ErrorCode::kParseError))
        .Inc();
    out->Respond(jsonrpc::SerializeError(std::nullopt, value.error().code, value.error().message));
    return Intake::kRejected;
  }
  if (value->is_array()) return HandleBatch(std::move(value->get_array()), out);
  return HandleValue(std::move(*value), Route{out, nullptr});
}

void Session::HandleOversized(std::size_t limit, const std::shared_ptr<Outbound>& sink) {
  core_.metrics().MessagesOversized(transport_).Inc();
  (sink ? sink : outbound_)
      ->Respond(jsonrpc::SerializeError(
          std::nullopt, jsonrpc::kInvalidRequest,
          "message exceeds protocol.max_message_size (" + std::to_string(limit) + " bytes)"));
}

void Session::InitializeImplicitly(std::string_view protocol_version) {
  client_.protocol_version = std::string(protocol_version);
  batches_allowed_.store(protocol_version == "2025-03-26" || protocol_version == "2024-11-05");
  initialized_.store(true, std::memory_order_release);
}

Session::Intake Session::HandleValue(json::value&& value, const Route& route) {
  auto message = jsonrpc::Decode(std::move(value));
  if (!message) {
    const auto& e = message.error();
    if (!e.answerable) {
      Log().warn("dropped a malformed response from the client: {}", e.message);
      return Intake::kNoAnswer;
    }
    ReplyError(e.id, route, Error(e.code == jsonrpc::kParseError ? ErrorCode::kParseError
                                                                 : ErrorCode::kInvalidRequest,
                                  e.message));
    return Intake::kRejected;
  }
  return std::visit(
      [&](auto&& m) -> Intake {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, jsonrpc::Request>) {
          HandleRequest(std::move(m), route);
          return Intake::kAnswer;
        } else if constexpr (std::is_same_v<T, jsonrpc::Notification>) {
          HandleNotification(std::move(m));
        } else if constexpr (std::is_same_v<T, jsonrpc::Response>) {
          HandleResponse(m.id, std::move(m.result));
        } else if (m.id) {
          HandleResponse(*m.id, Fail(ErrorCode::kInternal,
                                     "the client answered with error " +
                                         std::to_string(m.code) + ": " + m.message));
        }
        return Intake::kNoAnswer;
      },
      std::move(*message));
}

Session::Intake Session::HandleBatch(json::array&& items, const std::shared_ptr<Outbound>& sink) {
  if (!batches_allowed_.load()) {
    const std::string why =
        initialized() ? "JSON-RPC batches are not supported in protocol version " +
                            client_.protocol_version
                      : std::string("JSON-RPC batches are not accepted before initialize");
    ReplyError(std::nullopt, Route{sink, nullptr}, Error(ErrorCode::kInvalidRequest, why));
    return Intake::kRejected;
  }
  if (items.empty()) {
    ReplyError(std::nullopt, Route{sink, nullptr}, Error(ErrorCode::kInvalidRequest, "empty batch"));
    return Intake::kRejected;
  }
  auto batch = std::make_shared<Batch>();
  for (auto& item : items) {
    // Only requests (and unreadable items) are answered; notifications and responses are not.
    const auto* o = item.if_object();
    const bool answered = !o || !o->contains("method") || o->contains("id");
    const bool is_response = o && !o->contains("method") &&
                             (o->contains("result") || o->contains("error"));
    if (answered && !is_response) batch->expected++;
  }
  batch->answerable = batch->expected > 0;
  const Route route{sink, batch};
  for (auto& item : items) HandleValue(std::move(item), route);
  {
    std::lock_guard lock(batch->mutex);
    batch->sealed = true;
  }
  FlushBatch(*batch, *sink);
  return batch->answerable ? Intake::kAnswer : Intake::kNoAnswer;
}

void Session::FlushBatch(Batch& batch, Outbound& sink) {
  std::string out;
  {
    std::lock_guard lock(batch.mutex);
    if (!batch.answerable || !batch.sealed || batch.flushed ||
        batch.responses.size() < batch.expected) {
      return;
    }
    batch.flushed = true;
    for (std::size_t i = 0; i < batch.responses.size(); ++i) {
      out += i ? ',' : '[';
      out += batch.responses[i];
    }
    if (!out.empty()) out += ']';
    batch.responses.clear();
  }
  if (out.empty()) {
    sink.Unanswered();  // every request in it was cancelled
  } else {
    sink.Respond(std::move(out));
  }
}

void Session::Record(const Route& route, telemetry::Status status) {
  if (!route.metrics) return;
  route.metrics->Record(status, std::chrono::steady_clock::now() - route.start);
  core_.metrics().requests_in_flight().Dec();
}

void Session::Reply(const Route& route, std::string message, std::optional<ErrorCode> error) {
  Record(route, error ? telemetry::Status::Of(*error) : telemetry::Status::Ok());
  if (!route.batch) {
    route.sink->Respond(std::move(message));
    return;
  }
  {
    std::lock_guard lock(route.batch->mutex);
    route.batch->responses.push_back(std::move(message));
  }
  FlushBatch(*route.batch, *route.sink);
}

void Session::Unanswered(const Route& route) {
  Record(route, telemetry::Status::Of(ErrorCode::kCancelled));
  if (!route.batch) {
    route.sink->Unanswered();
    return;
  }
  {
    std::lock_guard lock(route.batch->mutex);
    route.batch->expected--;
  }
  FlushBatch(*route.batch, *route.sink);
}

void Session::ReplyError(const std::optional<Id>& id, const Route& route, const Error& error) {
  Reply(route, jsonrpc::SerializeError(id, jsonrpc::ToJsonRpcCode(error.code), error.message),
        error.code);
}

void Session::HandleRequest(jsonrpc::Request&& request, const Route& incoming) {
  const std::string& method = request.method;
  Route route = incoming;
  route.metrics = &core_.metrics().Request(transport_, method);
  route.start = std::chrono::steady_clock::now();
  core_.metrics().requests_in_flight().Inc();
  {
    std::lock_guard lock(mutex_);
    if (calls_.contains(request.id.Key())) {
      ReplyError(request.id, route,
                 Error(ErrorCode::kInvalidRequest,
                       "duplicate request id " + request.id.ToString() + ": a request with this "
                       "id is still in flight"));
      return;
    }
  }
  auto answer = [&](Result<json::value> result) {
    if (result) {
      Reply(route, jsonrpc::SerializeResult(request.id, *result));
    } else {
      ReplyError(request.id, route, result.error());
    }
  };

  if (method == "ping") return answer(json::object{});
  if (method == "initialize") {
    if (route.batch) {
      return answer(Fail(ErrorCode::kInvalidRequest, "initialize must not be part of a batch"));
    }
    return answer(Initialize(request.params));
  }
  if (!initialized()) {
    return answer(Fail(ErrorCode::kInvalidRequest,
                       "the session is not initialized: send initialize before '" + method + "'"));
  }
  if (method == "tools/call") return CallTool(std::move(request), route);
  if (method == "tools/list") return answer(ListTools(request.params));
  if (method == "resources/read") return ReadResource(std::move(request), route);
  if (method == "resources/list") return answer(ListResources(request.params));
  if (method == "resources/templates/list") return answer(ListTemplates(request.params));
  if (method == "resources/subscribe") return answer(Subscribe(request.params, true));
  if (method == "resources/unsubscribe") return answer(Subscribe(request.params, false));
  if (method == "prompts/list") return answer(ListPrompts(request.params));
  if (method == "prompts/get") return GetPrompt(std::move(request), route);
  if (method == "completion/complete") return Complete(std::move(request), route);
  if (method == "logging/setLevel") return answer(SetLevel(request.params));
  answer(Fail(ErrorCode::kMethodNotFound, "method not found: " + method));
}

void Session::HandleNotification(jsonrpc::Notification&& notification) {
  const std::string& method = notification.method;
  core_.metrics().Request(transport_, method).Count(telemetry::Status::Ok()).Inc();
  if (method == "notifications/initialized") return;  // initialize already enabled the session
  if (method == "notifications/cancelled") {
    const auto* params = notification.params.if_object();
    const auto* rid = params ? params->if_contains("requestId") : nullptr;
    std::optional<Id> id;
    if (rid && rid->is_string()) id = Id(std::string(rid->get_string()));
    if (rid && rid->is_int64()) id = Id(rid->get_int64());
    if (!id) return;
    std::shared_ptr<Call> call;
    {
      std::lock_guard lock(mutex_);
      if (auto it = calls_.find(id->Key()); it != calls_.end()) call = it->second;
    }
    if (!call) return;  // already finished: the spec says to ignore it
    // The spec: a cancelled request gets no response.
    if (!call->answered.exchange(true)) {
      {
        std::lock_guard lock(mutex_);
        calls_.erase(call->id.Key());
      }
      Unanswered(call->route);
    }
    call->cancel.Cancel(ErrorCode::kCancelled);
    return;
  }
  if (method == "notifications/roots/list_changed") {
    Log().debug("the client's roots changed");
    return;
  }
  // Unknown notifications are ignored, as JSON-RPC requires (no response is possible).
  Log().debug("ignored notification {}", method);
}

void Session::HandleResponse(const Id& id, Result<json::value> outcome) {
  core_.metrics()
      .Request(transport_, telemetry::Method::kResponse)
      .Count(outcome ? telemetry::Status::Ok() : telemetry::Status::Of(outcome.error().code))
      .Inc();
  const auto correlation = FindCorrelation();
  if (id.is_string() || !correlation || !correlation->Complete(id.integer(), std::move(outcome))) {
    Log().warn("dropped a response to unknown request id {}", id.ToString());
  }
}

// ---- Built-in methods ----

Result<json::value> Session::Initialize(const json::value& params) {
  if (initialized()) return Fail(ErrorCode::kInvalidRequest, "the session is already initialized");
  auto obj = ParamsObject(params);
  if (!obj) return Fail(obj.error());
  auto requested = RequiredString(**obj, "protocolVersion");
  if (!requested) return Fail(requested.error());
  const auto* caps = (*obj)->if_contains("capabilities");
  if (caps && !caps->is_object()) {
    return Fail(ErrorCode::kInvalidParams, "capabilities must be an object");
  }
  const auto* info = (*obj)->if_contains("clientInfo");
  if (info && !info->is_object()) {
    return Fail(ErrorCode::kInvalidParams, "clientInfo must be an object");
  }

  // Version negotiation: echo a version we support, otherwise offer our latest.
  std::string version(kLatestVersion);
  for (auto v : kSupportedVersions) {
    if (v == *requested) version = *requested;
  }
  client_.protocol_version = version;
  if (caps) client_.capabilities = caps->get_object();
  if (info) {
    const auto& i = info->get_object();
    auto str = [&](std::string_view k) {
      const auto* v = i.if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    client_.implementation = {str("name"), str("version"), str("title")};
  }
  // Batches were added in 2025-03-26 and removed in 2025-06-18; 2024-11-05 inherits JSON-RPC's.
  batches_allowed_.store(version == "2025-03-26" || version == "2024-11-05");
  initialized_.store(true, std::memory_order_release);

  json::object result;
  result["protocolVersion"] = version;
  result["capabilities"] = core_.Capabilities();
  json::object server_info{{"name", core_.info().name}, {"version", core_.info().version}};
  if (!core_.info().title.empty()) server_info["title"] = core_.info().title;
  result["serverInfo"] = std::move(server_info);
  if (!core_.config().server.instructions.empty()) {
    result["instructions"] = core_.config().server.instructions;
  }
  Log().debug("session initialized: client {} {}, protocol {}", client_.implementation.name,
             client_.implementation.version, version);
  return result;
}

Result<json::value> Session::ListTools(const json::value& params) {
  auto cursor = OptionalCursor(params);
  if (!cursor) return Fail(cursor.error());
  auto page = core_.registry().tools().List(*cursor, core_.config().protocol.page_size);
  if (!page) return Fail(page.error());
  return PageResult(std::move(*page), "tools");
}

Result<json::value> Session::ListResources(const json::value& params) {
  auto cursor = OptionalCursor(params);
  if (!cursor) return Fail(cursor.error());
  auto page = core_.registry().resources().List(*cursor, core_.config().protocol.page_size);
  if (!page) return Fail(page.error());
  return PageResult(std::move(*page), "resources");
}

Result<json::value> Session::ListTemplates(const json::value& params) {
  auto cursor = OptionalCursor(params);
  if (!cursor) return Fail(cursor.error());
  auto page = core_.registry().templates().List(*cursor, core_.config().protocol.page_size);
  if (!page) return Fail(page.error());
  return PageResult(std::move(*page), "resourceTemplates");
}

Result<json::value> Session::ListPrompts(const json::value& params) {
  auto cursor = OptionalCursor(params);
  if (!cursor) return Fail(cursor.error());
  auto page = core_.registry().prompts().List(*cursor, core_.config().protocol.page_size);
  if (!page) return Fail(page.error());
  return PageResult(std::move(*page), "prompts");
}

Result<json::value> Session::Subscribe(const json::value& params, bool subscribe) {
  auto obj = ParamsObject(params);
  if (!obj) return Fail(obj.error());
  auto uri = RequiredString(**obj, "uri");
  if (!uri) return Fail(uri.error());
  std::lock_guard lock(mutex_);
  if (subscribe) {
    subscriptions_.insert(std::move(*uri));
  } else {
    subscriptions_.erase(*uri);
  }
  return json::object{};
}

Result<json::value> Session::SetLevel(const json::value& params) {
  auto obj = ParamsObject(params);
  if (!obj) return Fail(obj.error());
  auto level = RequiredString(**obj, "level");
  if (!level) return Fail(level.error());
  auto parsed = ParseLevel(*level);
  if (!parsed) {
    return Fail(ErrorCode::kInvalidParams,
                "unknown level '" + *level +
                    "': use debug, info, notice, warning, error, critical, alert or emergency");
  }
  log_level_.store(static_cast<int>(*parsed));
  return json::object{};
}

// ---- Methods that run user handlers ----

void Session::CallTool(jsonrpc::Request&& request, const Route& route) {
  auto fail = [&](Error e) { ReplyError(request.id, route, e); };
  auto obj = ParamsObject(request.params);
  if (!obj) return fail(obj.error());
  auto name = RequiredString(**obj, "name");
  if (!name) return fail(name.error());
  auto tool = core_.registry().tools().Find(*name);
  if (!tool) return fail(Error(ErrorCode::kInvalidParams, "unknown tool: " + *name));
  const auto* args = (*obj)->if_contains("arguments");
  if (args && !args->is_object() && !args->is_null()) {
    return fail(Error(ErrorCode::kInvalidParams, "arguments must be an object"));
  }

  // Input validation failures are tool execution errors (isError), so the model can correct them.
  // Moved, not copied, out of the request: the arguments can be a whole document.
  json::object arguments = args && args->is_object()
                               ? json::object(std::move(request.params.as_object()["arguments"].as_object()))
                               : json::object{};
  if (auto errors = tool->input_schema.Validate(arguments); !errors.empty()) {
    json::object result;
    result["content"] = json::array{json::object{
        {"type", "text"},
        {"text", "invalid arguments for tool '" + *name + "': " + JoinErrors(errors)}}};
    result["isError"] = true;
    return Reply(route, jsonrpc::SerializeResult(request.id, result));
  }

  const auto timeout = tool->tool.timeout.value_or(core_.config().performance.tool_timeout);
  Start(std::move(request), route, tool->tool.execution, timeout, "tool '" + *name + "'",
        [tool, arguments = std::move(arguments),
         &tool_metrics = core_.metrics().FindTool(*name)](CallContext& ctx) -> Result<json::value> {
          const auto started = std::chrono::steady_clock::now();
          auto outcome = tool->handler(ctx, arguments);
          tool_metrics.Record(!outcome ? telemetry::Status::Of(outcome.error().code)
                              : outcome->is_error ? telemetry::Status::ToolError()
                                                  : telemetry::Status::Ok(),
                              std::chrono::steady_clock::now() - started);
          ToolResult result = outcome ? std::move(*outcome) : ToolResult::Failure(outcome.error().message);
          if (tool->output_schema && !result.is_error) {
            if (!result.structured_content) {
              return Fail(ErrorCode::kInternal, "tool '" + tool->tool.name +
                                                    "' declares an outputSchema but returned no "
                                                    "structuredContent");
            }
            if (auto errors = tool->output_schema->Validate(*result.structured_content);
                !errors.empty()) {
              return Fail(ErrorCode::kInternal, "tool '" + tool->tool.name +
                                                    "' returned structuredContent that does not "
                                                    "match its outputSchema: " +
                                                    JoinErrors(errors));
            }
          }
          json::object out;
          // Structured results also go out as text, for clients that only read content.
          if (result.content.empty() && result.structured_content) {
            result.AddText(json::serialize(*result.structured_content));
          }
          out["content"] = std::move(result.content);
          if (result.structured_content) out["structuredContent"] = std::move(*result.structured_content);
          if (result.is_error) out["isError"] = true;
          if (!result.meta.empty()) out["_meta"] = std::move(result.meta);
          return out;
        });
}

void Session::ReadResource(jsonrpc::Request&& request, const Route& route) {
  auto fail = [&](Error e) { ReplyError(request.id, route, e); };
  auto obj = ParamsObject(request.params);
  if (!obj) return fail(obj.error());
  auto uri = RequiredString(**obj, "uri");
  if (!uri) return fail(uri.error());

  ResourceHandler handler;
  UriVariables variables;
  if (auto resource = core_.registry().resources().Find(*uri)) {
    handler = resource->handler;
  } else if (auto [entry, vars] = core_.registry().MatchTemplate(*uri); entry) {
    handler = entry->handler;
    variables = std::move(vars);
  } else {
    return ReplyError(request.id, route,
                      Error(ErrorCode::kResourceNotFound, "resource not found: " + *uri));
  }
  Start(std::move(request), route, Execution::kCpu, core_.config().performance.tool_timeout,
        "resources/read of '" + *uri + "'",
        [handler = std::move(handler), uri = *uri,
         variables = std::move(variables)](CallContext& ctx) -> Result<json::value> {
          auto contents = handler(ctx, uri, variables);
          if (!contents) return Fail(contents.error());
          json::array list;
          for (const auto& c : *contents) list.push_back(ContentsToJson(c));
          return json::object{{"contents", std::move(list)}};
        });
}

void Session::GetPrompt(jsonrpc::Request&& request, const Route& route) {
  auto fail = [&](Error e) { ReplyError(request.id, route, e); };
  auto obj = ParamsObject(request.params);
  if (!obj) return fail(obj.error());
  auto name = RequiredString(**obj, "name");
  if (!name) return fail(name.error());
  auto prompt = core_.registry().prompts().Find(*name);
  if (!prompt) return fail(Error(ErrorCode::kInvalidParams, "unknown prompt: " + *name));
  std::map<std::string, std::string> arguments;
  if (const auto* args = (*obj)->if_contains("arguments"); args && !args->is_null()) {
    if (!args->is_object()) return fail(Error(ErrorCode::kInvalidParams, "arguments must be an object"));
    for (const auto& [k, v] : args->get_object()) {
      if (!v.is_string()) {
        return fail(Error(ErrorCode::kInvalidParams,
                          "prompt argument '" + std::string(k) + "' must be a string"));
      }
      arguments.emplace(k, v.get_string());
    }
  }
  for (const auto& a : prompt->prompt.arguments) {
    if (a.required && !arguments.contains(a.name)) {
      return fail(Error(ErrorCode::kInvalidParams,
                        "prompt '" + *name + "' needs argument '" + a.name + "'"));
    }
  }
  Start(std::move(request), route, Execution::kCpu, core_.config().performance.tool_timeout,
        "prompts/get of '" + *name + "'",
        [prompt, arguments = std::move(arguments)](CallContext& ctx) -> Result<json::value> {
          auto result = prompt->handler(ctx, arguments);
          if (!result) return Fail(result.error());
          json::object out;
          if (!result->description.empty()) out["description"] = result->description;
          out["messages"] = std::move(result->messages);
          return out;
        });
}

void Session::Complete(jsonrpc::Request&& request, const Route& route) {
  auto fail = [&](Error e) { ReplyError(request.id, route, e); };
  auto obj = ParamsObject(request.params);
  if (!obj) return fail(obj.error());
  const auto* ref = (*obj)->if_contains("ref");
  const auto* argument = (*obj)->if_contains("argument");
  if (!ref || !ref->is_object()) return fail(Error(ErrorCode::kInvalidParams, "ref must be an object"));
  if (!argument || !argument->is_object()) {
    return fail(Error(ErrorCode::kInvalidParams, "argument must be an object"));
  }
  CompletionRequest req;
  auto type = RequiredString(ref->get_object(), "type");
  if (!type) return fail(type.error());
  req.ref_type = *type;
  auto arg_name = RequiredString(argument->get_object(), "name");
  if (!arg_name) return fail(arg_name.error());
  auto arg_value = RequiredString(argument->get_object(), "value");
  if (!arg_value) return fail(arg_value.error());
  req.argument_name = *arg_name;
  req.argument_value = *arg_value;
  if (const auto* context = (*obj)->if_contains("context"); context && context->is_object()) {
    if (const auto* a = context->get_object().if_contains("arguments"); a && a->is_object()) {
      for (const auto& [k, v] : a->get_object()) {
        if (v.is_string()) req.context_arguments.emplace(k, v.get_string());
      }
    }
  }

  CompletionHandler handler;
  if (req.ref_type == "ref/prompt") {
    auto name = RequiredString(ref->get_object(), "name");
    if (!name) return fail(name.error());
    auto prompt = core_.registry().prompts().Find(*name);
    if (!prompt) return fail(Error(ErrorCode::kInvalidParams, "unknown prompt: " + *name));
    req.ref = *name;
    handler = prompt->complete;
  } else if (req.ref_type == "ref/resource") {
    auto uri = RequiredString(ref->get_object(), "uri");
    if (!uri) return fail(uri.error());
    auto entry = core_.registry().templates().Find(*uri);
    if (!entry) return fail(Error(ErrorCode::kInvalidParams, "unknown resource template: " + *uri));
    req.ref = *uri;
    handler = entry->complete;
  } else {
    return fail(Error(ErrorCode::kInvalidParams, "unknown ref type '" + req.ref_type + "'"));
  }

  Start(std::move(request), route, Execution::kCpu, core_.config().performance.tool_timeout,
        "completion/complete",
        [handler = std::move(handler), req = std::move(req)](CallContext& ctx) -> Result<json::value> {
          Completion completion;
          if (handler) {
            auto r = handler(ctx, req);
            if (!r) return Fail(r.error());
            completion = std::move(*r);
          }
          // The spec caps a completion at 100 values.
          constexpr std::size_t kMaxValues = 100;
          json::array values;
          for (std::size_t i = 0; i < completion.values.size() && i < kMaxValues; ++i) {
            values.push_back(json::value(completion.values[i]));
          }
          json::object c;
          c["values"] = std::move(values);
          if (completion.total) c["total"] = *completion.total;
          c["hasMore"] = completion.has_more || completion.values.size() > kMaxValues;
          return json::object{{"completion", std::move(c)}};
        });
}

// ---- Running handlers ----

void Session::Start(jsonrpc::Request&& request, const Route& route,
                    Execution execution, std::chrono::milliseconds timeout, std::string what,
                    Work work) {
  auto call = std::make_shared<Call>();
  call->id = std::move(request.id);
  call->route = route;
  call->execution = execution;
  call->deadline = std::chrono::steady_clock::now() + timeout;
  if (const auto* p = request.params.if_object()) {
    if (const auto* meta = p->if_contains("_meta"); meta && meta->is_object()) {
      if (const auto* token = meta->get_object().if_contains("progressToken");
          token && (token->is_string() || token->is_int64() || token->is_uint64())) {
        call->progress_token = *token;
      }
    }
  }

  if (execution == Execution::kInline) {
    // Inline handlers are microseconds of work: no registration, timer or thread hop.
    CallContext ctx(*this, *call);
    auto result = work(ctx);
    if (result) {
      Reply(route, jsonrpc::SerializeResult(call->id, *result));
    } else {
      ReplyError(call->id, route, result.error());
    }
    return;
  }

  bool registered;
  {
    std::lock_guard lock(mutex_);
    registered = calls_.emplace(call->id.Key(), call).second;
    if (registered) running_++;
  }
  if (!registered) {
    // HandleRequest checked for duplicates already; this closes the race with a request of the
    // same id arriving on another thread (HTTP) in between.
    ReplyError(call->id, route,
               Error(ErrorCode::kInvalidRequest, "duplicate request id " + call->id.ToString() +
                                                     ": a request with this id is still in flight"));
    return;
  }
  auto& pool = execution == Execution::kBlocking ? core_.executors().blocking()
                                                 : core_.executors().cpu();
  auto self = shared_from_this();
  // The timer exists before the work is posted, so RunCall never races its assignment.
  std::weak_ptr<Session> weak = self;
  call->timer = core_.executors().After(timeout, [weak, call, timeout, what = std::move(what)] {
    auto session = weak.lock();
    if (!session || call->answered.load()) return;
    call->cancel.Cancel(ErrorCode::kTimeout);
    session->Answer(call, jsonrpc::SerializeError(
                              call->id, jsonrpc::kRequestTimeout,
                              what + " timed out after " + std::to_string(timeout.count()) +
                                  " ms (performance.tool_timeout) and was cancelled"),
                    ErrorCode::kTimeout);
  });
  if (!pool.TryPost([self, call, work = std::move(work)] { self->RunCall(call, work); })) {
    call->timer->Cancel();
    core_.metrics()
        .PoolRejections(execution == Execution::kBlocking ? telemetry::Pool::kBlocking
                                                          : telemetry::Pool::kCpu)
        .Inc();
    Answer(call,
           jsonrpc::SerializeError(call->id, jsonrpc::kOverloaded,
                                   "server overloaded: the " + pool.name() + " queue is full "
                                   "(performance.queue_capacity = " +
                                       std::to_string(pool.capacity()) + "); retry later"),
           ErrorCode::kOverloaded);
    Finish(call);
  }
}

void Session::RunCall(const std::shared_ptr<Call>& call, const Work& work) {
  if (!call->cancel.IsCancelled()) {
    CallContext ctx(*this, *call);
    Result<json::value> result;
    try {
      result = work(ctx);
    } catch (const std::exception& e) {
      // User handlers may throw; that must not take the server down.
      result = Fail(ErrorCode::kInternal, std::string("handler threw: ") + e.what());
    } catch (...) {
      result = Fail(ErrorCode::kInternal, "handler threw an unknown exception");
    }
    if (result) {
      Answer(call, jsonrpc::SerializeResult(call->id, *result), std::nullopt);
    } else {
      Answer(call,
             jsonrpc::SerializeError(call->id, jsonrpc::ToJsonRpcCode(result.error().code),
                                     result.error().message),
             result.error().code);
    }
  }
  if (call->timer) call->timer->Cancel();
  Finish(call);
}

void Session::Answer(const std::shared_ptr<Call>& call, std::string message,
                     std::optional<ErrorCode> error) {
  if (call->answered.exchange(true)) return;  // cancelled, timed out or already answered
  {
    std::lock_guard lock(mutex_);
    calls_.erase(call->id.Key());
  }
  Reply(call->route, std::move(message), error);
}

void Session::Finish(const std::shared_ptr<Call>& call) {
  {
    std::lock_guard lock(mutex_);
    running_--;
  }
  changed_.notify_all();
}

Result<json::value> Session::SendClientRequest(Call& call, std::string_view method,
                                               json::object params,
                                               std::optional<std::chrono::milliseconds> timeout) {
  if (call.execution == Execution::kInline) {
    return Fail(ErrorCode::kUnsupported,
                "server-to-client requests need a handler on the CPU or blocking pool, "
                "not Execution::kInline");
  }
  if (auto cap = CapabilityFor(method); !cap.empty() && !client_.Supports(cap)) {
    return Fail(ErrorCode::kUnsupported,
                "the client did not declare the '" + std::string(cap) + "' capability");
  }
  if (call.cancel.IsCancelled()) return Fail(ErrorCode::kCancelled, "the request was cancelled");

  struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<Result<json::value>> outcome;
  };
  auto waiter = std::make_shared<Waiter>();
  const auto correlation = Correlation();
  auto id = correlation->Register(timeout, [waiter](Result<json::value> outcome) {
    {
      std::lock_guard lock(waiter->mutex);
      waiter->outcome = std::move(outcome);
    }
    waiter->done.notify_all();
  });
  if (!id) return Fail(id.error());
  const auto cancel_handle = call.cancel.OnCancel([correlation, id = *id] {
    correlation->Complete(id, Fail(ErrorCode::kCancelled, "the request was cancelled"));
  });
  call.route.sink->Send(jsonrpc::SerializeRequest(Id(*id), method, params));
  std::unique_lock lock(waiter->mutex);
  waiter->done.wait(lock, [&] { return waiter->outcome.has_value(); });
  call.cancel.Unregister(cancel_handle);
  return std::move(*waiter->outcome);
}

// ---- Lifetime ----

void Session::WaitForCapacity(std::size_t limit) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return running_ < limit; });
}

bool Session::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] { return running_ == 0; });
}

void Session::InputClosed() {
  if (auto correlation = FindCorrelation()) {
    correlation->CancelAll(Error(ErrorCode::kCancelled, "the client closed its input"));
  }
}

void Session::CancelAll(std::string_view reason) {
  std::vector<std::shared_ptr<Call>> calls;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, call] : calls_) calls.push_back(call);
  }
  for (auto& call : calls) call->cancel.Cancel(ErrorCode::kCancelled);
  if (auto correlation = FindCorrelation()) {
    correlation->CancelAll(Error(ErrorCode::kCancelled, std::string(reason)));
  }
}

std::size_t Session::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

bool Session::IsSubscribed(std::string_view uri) const {
  std::lock_guard lock(mutex_);
  return subscriptions_.contains(uri);
}

void Session::Notify(std::string_view method, const json::value& params) {
  if (!initialized() || !outbound_) return;
  outbound_->Send(jsonrpc::SerializeNotification(method, params));
}

}  // namespace ferry::protocol
