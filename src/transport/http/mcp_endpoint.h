// McpEndpoint: MCP over HTTP as the 2025-11-25 spec's Streamable HTTP transport describes (one
// endpoint, /mcp, for POST, GET and DELETE), its stateless variant, and the 2024-11-05 HTTP+SSE
// transport (GET /sse announces POST /messages?sessionId=...) for old clients.
//
// It turns one parsed HTTP request into a Reply: either a complete response, or an EventStream the
// connection drains (as JSON when the answer comes first, else as SSE). Sessions are keyed by a
// cryptographically random Mcp-Session-Id; DELETE, expiry (http.session_timeout) and shutdown end
// them and free everything they held.
//
// Thread-safety: Handle may be called from any I/O thread concurrently; sessions_mutex_ guards the
// session table. Sessions themselves are thread-safe (protocol::Session, EventStream).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "protocol/server_core.h"
#include "protocol/session.h"
#include "transport/http/event_store.h"
#include "transport/http/event_stream.h"
#include "transport/http/http_message.h"

namespace ferry::transport::http {

// What the connection should do with a request.
struct Reply {
  HttpResponse response;  // sent as is when `stream` is null; otherwise its headers lead the stream
  std::shared_ptr<EventStream> stream;
  std::string sse_event_name;  // "message" on the legacy transport
  std::string prelude;         // SSE text written right after the headers (priming, endpoint)
  std::function<void()> on_close;  // runs when the connection stops draining the stream
  std::shared_ptr<void> hold;      // kept alive until the reply is done (a stateless session)
};

class McpEndpoint {
 public:
  McpEndpoint(protocol::ServerCore& core, std::shared_ptr<EventStore> store);
  ~McpEndpoint();

  // `wake` is how streams wake the connection (it posts to the connection's executor).
  Reply Handle(const HttpRequest& request, const WakeFn& wake);

  // Ends sessions idle for longer than http.session_timeout. Returns how many ended.
  std::size_t ExpireIdle(std::chrono::steady_clock::time_point now);
  // Ends every session (shutdown): cancels their work and closes their streams.
  void CloseAll();

  std::size_t session_count() const;

 private:
  struct HttpSession;

  Reply Route(const HttpRequest& request, const WakeFn& wake);
  Reply Post(const HttpRequest& request, const WakeFn& wake);
  Reply Get(const HttpRequest& request, const WakeFn& wake);
  Reply Delete(const HttpRequest& request);
  Reply LegacyOpen(const HttpRequest& request, const WakeFn& wake);
  Reply LegacyPost(const HttpRequest& request);

  // Starts a request stream for one POST body on `session` and fills the reply.
  Reply Dispatch(const std::shared_ptr<HttpSession>& session, std::string_view body,
                 const WakeFn& wake, bool new_session);

  Result<std::shared_ptr<HttpSession>> CreateSession(bool legacy);
  std::shared_ptr<HttpSession> FindSession(std::string_view id);
  void EndSession(const std::string& id);

  protocol::ServerCore& core_;
  const Config& config_;
  std::shared_ptr<EventStore> store_;
  std::atomic<std::uint64_t> next_stream_{0};

  mutable std::mutex sessions_mutex_;  // guards sessions_
  std::unordered_map<std::string, std::shared_ptr<HttpSession>> sessions_;
};

// A JSON-RPC error as a complete HTTP response (for transport-level refusals).
HttpResponse JsonRpcErrorResponse(int status, int code, std::string_view message, bool keep_alive);

// 32 hex digits from the operating system's CSPRNG (getrandom).
std::string RandomSessionId();

}  // namespace ferry::transport::http
