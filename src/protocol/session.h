// Session: one MCP conversation with one client (a stdio process, later an HTTP session). It
// decodes incoming JSON-RPC text, runs the lifecycle (initialize, version negotiation), dispatches
// methods to the registry's handlers on the right executor, tracks requests in flight (duplicate
// ids, cancellation, tool_timeout), correlates server-to-client requests, and writes every outgoing
// message through its Outbound.
//
// Responses are routed by the session that received the request, never by id alone.
//
// Thread-safety: every method may be called from any thread, including HandleText from several
// threads at once (HTTP POSTs of one session arrive on different I/O threads; each thread parses
// with its own parser). Shared state is guarded by mutex_ (in-flight calls, subscriptions) or is
// atomic; client_ is written once, by initialize, before initialized_ is set.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/json.hpp>

#include "ferry/server.h"
#include "json/jsonrpc.h"
#include "runtime/correlation.h"
#include "telemetry/metrics.h"

namespace ferry::protocol {

class ServerCore;

// Where a session's outgoing messages go: the transport's stream for one incoming message (an HTTP
// POST's response), or the session's own stream (stdio, an HTTP GET stream). Each call takes one
// complete JSON-RPC message (no newline). Implementations must be safe to call from any thread.
class Outbound {
 public:
  virtual ~Outbound() = default;
  // A notification or a server-to-client request.
  virtual void Send(std::string message) = 0;
  // The answer to the incoming message (a response, an error, or a batch's array); the last
  // message for it.
  virtual void Respond(std::string message) { Send(std::move(message)); }
  // The incoming request was cancelled by the client: no answer will come.
  virtual void Unanswered() {}
};

// The protocol versions Ferry negotiates, newest first.
inline constexpr std::string_view kSupportedVersions[] = {"2025-11-25", "2025-06-18",
                                                          "2025-03-26", "2024-11-05"};
inline constexpr std::string_view kLatestVersion = kSupportedVersions[0];

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `transport` labels this session's requests in the metrics.
  Session(ServerCore& core, std::shared_ptr<Outbound> outbound,
          telemetry::Transport transport = telemetry::Transport::kStdio);
  ~Session();

  // What became of one incoming message, as far as its sink is concerned.
  enum class Intake {
    kNoAnswer,  // notifications and responses: `sink` gets nothing
    kAnswer,    // a request (or a batch with requests): `sink` gets Respond or Unanswered
    kRejected,  // not valid JSON-RPC (or a refused batch): `sink` gets the error via Respond
  };

  // One framed message (a JSON-RPC message or batch as text). Its answer and the messages sent
  // while serving it go to `sink` (the session's outbound when null).
  Intake HandleText(std::string_view text, const std::shared_ptr<Outbound>& sink = nullptr);
  // A message that was refused for exceeding protocol.max_message_size while being read.
  void HandleOversized(std::size_t limit, const std::shared_ptr<Outbound>& sink = nullptr);
  // Starts the session without an initialize request (stateless HTTP: every request stands
  // alone, its version from the MCP-Protocol-Version header).
  void InitializeImplicitly(std::string_view protocol_version);

  // Blocks while `limit` or more requests are running (backpressure for the reader).
  void WaitForCapacity(std::size_t limit);
  // Blocks until no request runs or `deadline` passes; true when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  // Input ended: fails pending server-to-client requests (nobody will answer them).
  void InputClosed();
  // Cancels every running request (no responses are sent for them) and pending client requests.
  void CancelAll(std::string_view reason);

  std::size_t running() const;
  bool initialized() const { return initialized_.load(std::memory_order_acquire); }
  bool IsSubscribed(std::string_view uri) const;

  // Sends a notification if the session is initialized (list_changed, resources/updated).
  void Notify(std::string_view method, const boost::json::value& params);

 private:
  struct Batch;
  struct Call;
  // Where the answer to one incoming message goes: its sink, and its batch when it is part of one.
  struct Route {
    std::shared_ptr<Outbound> sink;
    std::shared_ptr<Batch> batch;
    // Set once the message is known to be a request: where its outcome and duration are counted.
    telemetry::RequestMetrics* metrics = nullptr;
    std::chrono::steady_clock::time_point start;
  };
  class CallContext;
  friend class CallContext;

  Intake HandleValue(boost::json::value&& value, const Route& route);
  Intake HandleBatch(boost::json::array&& items, const std::shared_ptr<Outbound>& sink);
  // Sends a batch's responses as one array once all of them are in.
  void FlushBatch(Batch& batch, Outbound& sink);
  void HandleRequest(jsonrpc::Request&& request, const Route& incoming);
  // The request will get no answer (cancelled): tells its batch or its sink.
  void Unanswered(const Route& route);
  void HandleNotification(jsonrpc::Notification&& notification);
  void HandleResponse(const jsonrpc::Id& id, Result<boost::json::value> outcome);

  // Answers a request handled synchronously on the reader thread.
  // Sends (or collects into its batch) the answer to one request; `error` is its failure kind,
  // for the metrics.
  void Reply(const Route& route, std::string message,
             std::optional<ErrorCode> error = std::nullopt);
  void Record(const Route& route, telemetry::Status status);
  void ReplyError(const std::optional<jsonrpc::Id>& id, const Route& route,
                  const Error& error);

  // Built-in methods answered on the reader thread.
  Result<boost::json::value> Initialize(const boost::json::value& params);
  Result<boost::json::value> ListTools(const boost::json::value& params);
  Result<boost::json::value> ListResources(const boost::json::value& params);
  Result<boost::json::value> ListTemplates(const boost::json::value& params);
  Result<boost::json::value> ListPrompts(const boost::json::value& params);
  Result<boost::json::value> Subscribe(const boost::json::value& params, bool subscribe);
  Result<boost::json::value> SetLevel(const boost::json::value& params);

  // Methods that run user handlers: started here, answered when the handler finishes.
  void CallTool(jsonrpc::Request&& request, const Route& route);
  void ReadResource(jsonrpc::Request&& request, const Route& route);
  void GetPrompt(jsonrpc::Request&& request, const Route& route);
  void Complete(jsonrpc::Request&& request, const Route& route);

  // Registers `request` as in flight and runs `work` on `execution`; `work` returns the result
  // JSON or an error, which becomes the response. `what` names the work in timeout errors.
  using Work = std::function<Result<boost::json::value>(CallContext&)>;
  void Start(jsonrpc::Request&& request, const Route& route, Execution execution,
             std::chrono::milliseconds timeout, std::string what, Work work);
  void RunCall(const std::shared_ptr<Call>& call, const Work& work);
  void Answer(const std::shared_ptr<Call>& call, std::string message,
              std::optional<ErrorCode> error);
  void Finish(const std::shared_ptr<Call>& call);

  Result<boost::json::value> SendClientRequest(Call& call, std::string_view method,
                                               boost::json::object params,
                                               std::optional<std::chrono::milliseconds> timeout);


  ServerCore& core_;
  std::shared_ptr<Outbound> outbound_;
  const telemetry::Transport transport_;
  // Server-to-client requests, created on first use: most sessions (every stateless HTTP
  // request) never make one, and creating it per session measurably slowed stateless HTTP.
  std::shared_ptr<runtime::CorrelationManager> Correlation();
  std::shared_ptr<runtime::CorrelationManager> FindCorrelation() const;  // null until first use
  mutable std::mutex correlation_mutex_;  // guards correlation_
  std::shared_ptr<runtime::CorrelationManager> correlation_;

  std::atomic<bool> initialized_{false};
  std::atomic<bool> batches_allowed_{false};
  std::atomic<int> log_level_{static_cast<int>(LogLevel::kDebug)};
  ClientInfo client_;  // written once by initialize (reader thread) before initialized_ is set

  mutable std::mutex mutex_;  // guards calls_, running_, subscriptions_
  std::condition_variable changed_;
  std::unordered_map<std::string, std::shared_ptr<Call>> calls_;  // by Id::Key()
  std::size_t running_ = 0;  // handlers started and not yet returned
  std::set<std::string, std::less<>> subscriptions_;
};

}  // namespace ferry::protocol
