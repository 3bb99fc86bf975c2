// HttpServer: Ferry's HTTP/1.1 server (Asio on C++20 coroutines, its own parser in
// http_message.h). It owns the listening socket and the event-loop threads (http.io_threads, one
// io_context each, connections spread round-robin), applies admission control and security checks
// to every request, serves /health, /ready and /metrics itself, and hands MCP traffic to
// McpEndpoint.
//
// Per connection: keep-alive; limits on header size (http.max_header_size) and body size
// (protocol.max_message_size); timeouts for receiving headers (http.header_timeout, against
// slowloris), for idle keep-alive connections (http.connection_timeout) and for each write
// (http.write_timeout). Requests on one connection are served one after another; a client that
// pipelines has its next request read only after the current answer is written, so responses never
// queue up unboundedly.
//
// Stop() shuts down gracefully: stops accepting, ends idle connections, lets in-flight requests
// finish within performance.shutdown_timeout, then closes what is left.
//
// Thread-safety: Start/Stop/Wait from the owning thread; connection handling runs on the I/O
// threads; the counters are atomics.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ferry/result.h"

namespace ferry::protocol {
class ServerCore;
}

namespace ferry::transport::http {

class HttpServer {
 public:
  explicit HttpServer(protocol::ServerCore& core);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds server.host:server.port (port 0 picks a free one) and starts the I/O threads.
  Result<void> Start();
  // The port actually bound (after Start).
  int port() const;
  // Blocks until Stop() completes.
  void Wait();
  // Graceful shutdown; safe from any thread, idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Serves MCP over HTTP until RequestStop() (or a signal routed to it), then shuts down.
Result<void> ServeHttp(protocol::ServerCore& core);

}  // namespace ferry::transport::http
