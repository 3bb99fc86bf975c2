#include "transport/http/http_server.h"

#include <malloc.h>
#include <pthread.h>

#include <charconv>
#include <condition_variable>
#include <cstring>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>

#include "common/log.h"
#include "protocol/server_core.h"
#include "transport/http/admission.h"
#include "transport/http/event_store.h"
#include "transport/http/http_message.h"
#include "transport/http/mcp_endpoint.h"
#include "transport/http/security.h"
#include "runtime/stop_signal.h"

namespace ferry::transport::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Read buffers start this small (10,000 idle SSE clients) and grow for large requests.
constexpr std::size_t kInitialReadBuffer = 4 * 1024;
constexpr std::size_t kReadChunk = 4 * 1024;

bool IsMcpPath(std::string_view path) {
  return path == "/mcp" || path == "/sse" || path == "/messages";
}

std::vector<std::string> OrDefault(const std::vector<std::string>& configured,
                                   const std::vector<std::string>& fallback) {
  return configured.empty() ? fallback : configured;
}

// A connection's received bytes: [0, used) is the current request and whatever followed it.
struct ReadBuffer {
  std::vector<char> data = std::vector<char>(kInitialReadBuffer);
  std::size_t used = 0;

  std::string_view view() const { return {data.data(), used}; }
  // Room for at least kReadChunk more bytes, within `cap` in total; false when at the cap.
  bool Reserve(std::size_t cap) {
    if (data.size() - used >= kReadChunk) return true;
    if (data.size() >= cap) return used < data.size();
    data.resize(std::min(cap, std::max(data.size() * 2, used + kReadChunk)));
    return true;
  }
  asio::mutable_buffer free_space() { return asio::buffer(data.data() + used, data.size() - used); }
  // Drops the first `n` bytes (a finished request), keeping what a pipelining client sent next.
  void Consume(std::size_t n) {
    std::memmove(data.data(), data.data() + n, used - n);
    used -= n;
    // A large request grew the buffer; idle connections keep it small.
    if (used == 0 && data.size() > 16 * kInitialReadBuffer) {
      data = std::vector<char>(kInitialReadBuffer);
    }
  }
};

}  // namespace

// One connection's socket and timers, shared with the threads that wake it. Everything but
// wake-ups (posted) runs on the connection's I/O thread.
//
// Timeouts use one lazily re-armed timer: setting a deadline only stores a time, and the timer is
// re-armed only when the new deadline is earlier than the one it waits for. A request answered
// in one read and one write therefore touches no timer at all (per-operation timers cost about
// 4% of the CPU of a small request).
struct ConnectionState : std::enable_shared_from_this<ConnectionState> {
  explicit ConnectionState(tcp::socket s)
      : socket(std::move(s)),
        wake_timer(socket.get_executor()),
        deadline_timer(socket.get_executor()) {}

  void SetDeadline(std::chrono::milliseconds timeout) {
    deadline = Clock::now() + timeout;
    if (deadline < armed) Arm();
  }
  void ClearDeadline() { deadline = Clock::time_point::max(); }

  void Arm() {
    armed = deadline;
    deadline_timer.expires_at(armed);
    deadline_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted || self->closed) return;
      self->armed = Clock::time_point::max();
      if (self->deadline == Clock::time_point::max()) return;
      if (Clock::now() < self->deadline) {
        self->Arm();  // the deadline moved later while the timer waited
        return;
      }
      self->timed_out = true;
      boost::system::error_code ignored;
      self->socket.cancel(ignored);
    });
  }

  void Close() {
    closed = true;
    boost::system::error_code ignored;
    deadline_timer.cancel();
    wake_timer.cancel();
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  tcp::socket socket;
  asio::steady_timer wake_timer;  // cancelled to wake the connection's coroutine
  asio::steady_timer deadline_timer;
  Clock::time_point deadline = Clock::time_point::max();  // when the current operation must end
  Clock::time_point armed = Clock::time_point::max();     // when deadline_timer fires
  bool timed_out = false;
  bool closed = false;
  bool idle = true;  // waiting for a request (I/O thread only)
  // Set while the connection waits for its stream (Drain), before it checks the stream for work,
  // so a producer that queues after the check sees it and wakes the connection.
  std::atomic<bool> waiting{false};
};

class HttpServer::Impl {
 public:
  explicit Impl(protocol::ServerCore& core)
      : core_(core),
        config_(core.config()),
        store_(MakeStore(core.config())),
        endpoint_(core, store_),
        connections_(config_.performance.max_connections),
        rate_limiter_(RateLimitOptions{config_.performance.rate_limit_requests,
                                       config_.performance.rate_limit_window}) {
    origin_.allowed_hosts = OrDefault(config_.security.allowed_hosts, origin_.allowed_hosts);
    origin_.allowed_origins = OrDefault(config_.security.allowed_origins, origin_.allowed_origins);
    cors_.enabled = config_.security.cors;
    cors_.allowed_origins = origin_.allowed_origins;
    cors_.max_age_seconds = static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(config_.security.cors_max_age).count());
  }

  Result<void> Start();
  void Stop();
  void Wait();
  int port() const { return port_; }

 private:
  static std::shared_ptr<EventStore> MakeStore(const Config& config) {
    if (config.sse.event_store_size <= 0) return nullptr;
    InMemoryEventStoreOptions options;
    options.max_total_bytes = static_cast<std::size_t>(config.sse.event_store_size);
    options.max_stream_bytes = std::min<std::size_t>(options.max_total_bytes,
                                                     options.max_stream_bytes);
    return std::make_shared<InMemoryEventStore>(options);
  }

  asio::awaitable<void> Accept();
  asio::awaitable<void> Refuse(tcp::socket socket);
  asio::awaitable<void> Serve(tcp::socket socket, ConnectionLimiter::Ticket ticket);
  // Reads one request into `request`; false when the connection must close without an answer
  // (closed by the peer, timed out, shutting down). A malformed request comes back as true with
  // parser.error_status() set.
  asio::awaitable<bool> ReadRequest(ConnectionState& state, ReadBuffer& in, RequestParser& parser,
                                    HttpRequest& request);
  // Writes all of `data`: at once when the socket takes it (the usual case: no timer, no
  // suspension), else asynchronously within http.write_timeout.
  asio::awaitable<bool> Send(ConnectionState& state, std::string_view data);
  // Admission and security for one request: a response when it is refused. `allowed_host` is
  // the Host value this connection last passed the check with (the check is skipped while the
  // client sends the same one: the policy never changes).
  std::optional<HttpResponse> Screen(const HttpRequest& request, std::string_view client,
                                     std::string& allowed_host);
  HttpResponse Builtin(const HttpRequest& request, std::string_view path);
  struct StreamContext {
    int minor_version;
    bool keep_alive;
  };
  asio::awaitable<bool> Drain(ConnectionState& state, ReadBuffer& in, Reply& reply,
                              StreamContext request);
  // Drain's body: writes the stream, waiting with `wait`; stops when `closed` turns true.
  using WaitFn = std::function<asio::awaitable<bool>(std::chrono::milliseconds)>;
  asio::awaitable<bool> Stream(ConnectionState& state, Reply& reply, StreamContext request,
                               const bool& closed, const WaitFn& wait);
  // A request stream whose answer is ready and came first: one JSON response.
  asio::awaitable<bool> SendJson(ConnectionState& state, Reply& reply, StreamContext request,
                                 EventStream::Batch batch);
  asio::awaitable<void> Housekeeping();

  protocol::ServerCore& core_;
  const Config& config_;
  std::shared_ptr<EventStore> store_;
  McpEndpoint endpoint_;
  ConnectionLimiter connections_;
  RateLimiter rate_limiter_;
  OriginPolicy origin_;
  CorsPolicy cors_;
  std::optional<BearerAuth> auth_;

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::atomic<std::size_t> next_context_{0};
  int port_ = 0;

  std::atomic<bool> stopping_{false};
  std::atomic<int> busy_{0};  // requests being answered (not idle keep-alive, not GET streams)
  std::mutex live_mutex_;     // guards live_
  std::unordered_set<std::shared_ptr<ConnectionState>> live_;
  std::mutex stopped_mutex_;  // guards stopped_
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
};

Result<void> HttpServer::Impl::Start() {
  if (auto ok = ValidateOriginPolicy(origin_); !ok) return ok;
  if (auto ok = ValidateCorsPolicy(cors_); !ok) return ok;
  if (!config_.security.auth_tokens.empty() || !config_.security.auth_token_file.empty()) {
    auto auth = BearerAuth::Create(config_.security.auth_tokens,
                                   config_.security.auth_token_file.empty()
                                       ? std::nullopt
                                       : std::optional(config_.security.auth_token_file));
    if (!auth) return Fail(auth.error());
    auth_ = std::move(*auth);
  }

  std::size_t threads = config_.http.io_threads > 0
                            ? static_cast<std::size_t>(config_.http.io_threads)
                            : std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.server.host, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidConfig,
                "server.host = " + config_.server.host + ": not an IP address (" + ec.message() + ")");
  }
  const tcp::endpoint where(address, static_cast<unsigned short>(config_.server.port));
  acceptor_ = std::make_unique<tcp::acceptor>(*contexts_[0]);
  acceptor_->open(where.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(where, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(ErrorCode::kIo, "cannot listen on " + config_.server.host + ":" +
                                    std::to_string(config_.server.port) + ": " + ec.message());
  }
  port_ = acceptor_->local_endpoint().port();

  asio::co_spawn(*contexts_[0], Accept(), asio::detached);
  asio::co_spawn(*contexts_[0], Housekeeping(), asio::detached);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] {
      const std::string name = "ferry-http-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      contexts_[i]->run();
    });
  }
  Log().info("serving MCP over HTTP on http://{}:{}/mcp ({} I/O threads{}{})",
             config_.server.host, port_, threads, config_.http.stateless ? ", stateless" : "",
             auth_ ? ", bearer authentication" : "");
  return {};
}

asio::awaitable<void> HttpServer::Impl::Accept() {
  for (;;) {
    auto& target = *contexts_[next_context_.fetch_add(1) % contexts_.size()];
    auto [ec, socket] = co_await acceptor_->async_accept(target, kTuple);
    if (ec) {
      if (stopping_.load() || ec == asio::error::operation_aborted) co_return;
      Log().warn("http: accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto ticket = connections_.TryAcquire();
    auto executor = socket.get_executor();
    if (!ticket) {
      asio::co_spawn(executor, Refuse(std::move(socket)), asio::detached);
    } else {
      asio::co_spawn(executor, Serve(std::move(socket), std::move(*ticket)), asio::detached);
    }
  }
}

asio::awaitable<void> HttpServer::Impl::Refuse(tcp::socket socket) {
  core_.metrics().HttpRejection(telemetry::RejectReason::kMaxConnections).Inc();
  core_.metrics().HttpResponse(503).Inc();
  auto state = std::make_shared<ConnectionState>(std::move(socket));
  boost::system::error_code ec;
  state->socket.non_blocking(true, ec);  // Send must never block the I/O thread
  HttpResponse r(503);
  r.Set("Retry-After", "1");
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.body() = "too many connections (performance.max_connections = " +
             std::to_string(config_.performance.max_connections) + ")\n";
  r.set_keep_alive(false);
  std::string out;
  r.SerializeTo(out, 1);
  co_await Send(*state, out);
  state->Close();
}

asio::awaitable<bool> HttpServer::Impl::Send(ConnectionState& state, std::string_view data) {
  boost::system::error_code ec;
  std::size_t n = state.socket.write_some(asio::buffer(data), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    n = 0;
  } else if (ec) {
    co_return false;
  }
  if (n == data.size()) co_return true;
  state.SetDeadline(config_.http.write_timeout);
  auto [write_ec, written] = co_await asio::async_write(state.socket, asio::buffer(data.substr(n)),
                                                        kTuple);
  state.ClearDeadline();
  co_return !write_ec;
}

asio::awaitable<bool> HttpServer::Impl::ReadRequest(ConnectionState& state, ReadBuffer& in,
                                                    RequestParser& parser, HttpRequest& request) {
  // Raw bytes may exceed the body limit by the chunked framing; past this the request is refused.
  const std::size_t cap = 2 * (static_cast<std::size_t>(config_.http.max_header_size) +
                               static_cast<std::size_t>(config_.protocol.max_message_size)) +
                          64 * 1024;
  parser.Reset();
  state.idle = true;
  // From its first byte a request counts as in flight (graceful shutdown waits for it).
  auto mark_busy = [&] {
    if (state.idle) {
      state.idle = false;
      busy_.fetch_add(1);
    }
  };
  auto status = RequestParser::Status::kNeedMore;
  if (in.used > 0) {
    mark_busy();  // a pipelined request is already here
    status = parser.Parse(in.view(), request);
  }
  state.SetDeadline(state.idle ? config_.http.connection_timeout : config_.http.header_timeout);
  bool deadline_for_head = !state.idle;
  bool deadline_for_body = false;
  bool continued = false;
  while (status == RequestParser::Status::kNeedMore) {
    if (!in.Reserve(cap)) co_return false;  // unreachable with the parser's own limits
    auto [ec, n] = co_await state.socket.async_read_some(in.free_space(), kTuple);
    if (ec) co_return false;  // closed, reset, timed out or shutting down
    in.used += n;
    mark_busy();
    status = parser.Parse(in.view(), request);
    if (status != RequestParser::Status::kNeedMore) break;
    // A request that needs more than one read gets http.header_timeout for its head (against
    // slowloris), then again for its body.
    if (!deadline_for_head) {
      deadline_for_head = true;
      state.SetDeadline(config_.http.header_timeout);
    }
    if (parser.headers_done() && !deadline_for_body) {
      deadline_for_body = true;
      state.SetDeadline(config_.http.header_timeout);
      if (request.expect_continue && !continued) {
        continued = true;
        if (!co_await Send(state, "HTTP/1.1 100 Continue\r\n\r\n")) co_return false;
      }
    }
  }
  state.ClearDeadline();
  co_return true;
}

std::optional<HttpResponse> HttpServer::Impl::Screen(const HttpRequest& request,
                                                     std::string_view client,
                                                     std::string& allowed_host) {
  const bool ka = request.keep_alive;
  auto refuse = [&](int code, std::string text) {
    HttpResponse r(code);
    r.set_keep_alive(ka);
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.body() = std::move(text) + "\n";
    return r;
  };
  // DNS rebinding: a web page must not reach a loopback server through a name it controls.
  auto& metrics = core_.metrics();
  const auto host_header = request.Header("Host").value_or("");
  if (allowed_host.empty() || host_header != allowed_host) {
    if (auto host = CheckHost(host_header, origin_); !host) {
      metrics.HttpRejection(telemetry::RejectReason::kHostForbidden).Inc();
      return refuse(403, host.error().message);
    }
    allowed_host.assign(host_header);
  }
  const auto origin = request.Header("Origin");
  if (request.method == Method::kOptions) {
    auto acrm = request.Header("Access-Control-Request-Method");
    if (IsPreflight("OPTIONS", origin, acrm)) {
      auto pre = CorsPreflight(cors_, origin, acrm,
                               request.Header("Access-Control-Request-Headers"));
      HttpResponse r(pre.allowed ? 204 : 403);
      r.set_keep_alive(ka);
      for (auto& [name, value] : pre.headers) r.Set(name, value);
      return r;
    }
    HttpResponse r(204);
    r.set_keep_alive(ka);
    r.Set("Allow", "GET, POST, DELETE, OPTIONS");
    return r;
  }
  if (auto ok = CheckOrigin(origin, origin_); !ok) {
    metrics.HttpRejection(telemetry::RejectReason::kOriginForbidden).Inc();
    return refuse(403, ok.error().message);
  }
  if (auth_) {
    if (auto ok = auth_->Check(request.Header("Authorization")); !ok) {
      metrics.HttpRejection(telemetry::RejectReason::kUnauthorized).Inc();
      const auto kind = BearerErrorOf(ok.error());
      HttpResponse r = refuse(HttpStatusFor(kind), ok.error().message);
      r.Set("WWW-Authenticate", WwwAuthenticate(kind));
      return r;
    }
  }
  if (config_.performance.rate_limit_requests > 0) {
    auto decision = rate_limiter_.Check(client);
    if (!decision.allowed) {
      metrics.HttpRejection(telemetry::RejectReason::kRateLimited).Inc();
      HttpResponse r = refuse(429, "rate limit exceeded (performance.rate_limit_requests = " +
                                       std::to_string(config_.performance.rate_limit_requests) +
                                       ")");
      r.Set("Retry-After", std::to_string(decision.retry_after_seconds));
      return r;
    }
  }
  return std::nullopt;
}

HttpResponse HttpServer::Impl::Builtin(const HttpRequest& request, std::string_view path) {
  HttpResponse r(200);
  r.set_keep_alive(request.keep_alive);
  r.Set("Cache-Control", "no-store");
  if (path == "/health") {
    r.Set("Content-Type", "application/json");
    r.body() = R"({"status":"ok"})";
  } else if (path == "/metrics") {
    r.Set("Content-Type", telemetry::kExpositionContentType);
    core_.metrics().RenderTo(r.body());
  } else if (path == "/ready") {
    // Ready means new work would be taken: not shutting down and room in the pools' queues (a
    // load balancer should send the next request elsewhere otherwise). A server out of connection
    // slots answers the probe itself with 503 at accept.
    auto& executors = core_.executors();
    const char* why = nullptr;
    if (stopping_.load()) {
      why = "stopping";
    } else if (executors.cpu().queue_depth() >= executors.cpu().capacity() ||
               executors.blocking().queue_depth() >= executors.blocking().capacity()) {
      why = "work queues full";
    }
    r.set_status(why ? 503 : 200);
    r.Set("Content-Type", "application/json");
    r.body() = why ? std::string(R"({"status":"not ready","reason":")") + why + R"("})"
                   : std::string(R"({"status":"ready"})");
  } else {
    r.set_status(404);
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.body() = "not found\n";
  }
  return r;
}

asio::awaitable<void> HttpServer::Impl::Serve(tcp::socket socket,
                                              ConnectionLimiter::Ticket ticket) {
  auto& metrics = core_.metrics();
  metrics.ConnectionsAccepted(telemetry::Transport::kHttp).Inc();
  auto open = metrics.ConnectionsOpen(telemetry::Transport::kHttp).Track();
  auto state = std::make_shared<ConnectionState>(std::move(socket));
  {
    std::lock_guard lock(live_mutex_);
    live_.insert(state);
  }
  boost::system::error_code ec;
  state->socket.non_blocking(true, ec);
  const auto peer = state->socket.remote_endpoint(ec);
  const std::string client =
      ec ? std::string("unknown") : RateLimitKeyForAddress(peer.address().to_string());
  std::weak_ptr<ConnectionState> weak = state;
  const auto executor = state->socket.get_executor();
  // Posts only while the connection waits for its stream: a tool answered inline, before the
  // connection looked, needs no wake-up (and a post per request costs measurable CPU).
  const WakeFn wake = MakeWake([weak, executor] {
    auto s = weak.lock();
    if (!s || !s->waiting.load()) return;
    asio::post(executor, [weak] {
      if (auto s = weak.lock()) s->wake_timer.cancel();
    });
  });

  ReadBuffer in;
  RequestParser parser({.max_header_bytes = static_cast<std::size_t>(config_.http.max_header_size),
                        .max_body_bytes = static_cast<std::size_t>(config_.protocol.max_message_size)});
  HttpRequest request;
  std::string out;           // the serialized response, reused
  std::string allowed_host;  // see Screen
  struct BusyGuard {
    std::atomic<int>& busy;
    bool held = false;
    void Release() {
      if (std::exchange(held, false)) busy.fetch_sub(1);
    }
    ~BusyGuard() { Release(); }
  };

  while (!stopping_.load()) {
    if (!co_await ReadRequest(*state, in, parser, request)) {
      if (!state->idle) busy_.fetch_sub(1);
      break;
    }
    BusyGuard busy_guard{busy_, true};

    if (parser.error_status() != 0) {
      const int code = parser.error_status();
      metrics.HttpResponse(code).Inc();
      if (code == 413) metrics.HttpRejection(telemetry::RejectReason::kBodyTooLarge).Inc();
      if (code == 431) metrics.HttpRejection(telemetry::RejectReason::kHeadersTooLarge).Inc();
      if (code == 400) metrics.HttpRejection(telemetry::RejectReason::kBadRequest).Inc();
      const auto r = JsonRpcErrorResponse(code, jsonrpc::kInvalidRequest,
                                          (code == 400 ? "malformed HTTP request: " : "") +
                                              parser.error(),
                                          false);
      out.clear();
      r.SerializeTo(out, 1);
      co_await Send(*state, out);
      break;
    }

    const std::string_view path = request.Path();
    const StreamContext context{request.minor_version,
                                request.keep_alive && !stopping_.load()};
    const bool head_only = request.method == Method::kHead;
    Reply reply;
    if (!IsMcpPath(path)) {
      reply.response = Builtin(request, path);
    } else if (auto refused = Screen(request, client, allowed_host)) {
      reply.response = std::move(*refused);
    } else {
      reply = endpoint_.Handle(request, wake);
    }
    for (const auto& [name, value] : CorsActual(cors_, request.Header("Origin")).headers) {
      reply.response.Set(name, value);
    }
    // The request is answered from here on; its bytes go (a pipelined next request stays).
    in.Consume(parser.consumed());

    if (reply.stream && reply.stream->kind() == EventStream::Kind::kRequest &&
        reply.stream->Decide() == EventStream::Mode::kJson) {
      // The usual case for quick tools: the answer is ready and came first.
      const bool reusable = co_await SendJson(*state, reply, context, reply.stream->Take());
      if (reply.on_close) reply.on_close();
      if (!reusable) break;
      continue;
    }
    if (!reply.stream) {
      reply.response.set_keep_alive(context.keep_alive && reply.response.keep_alive() &&
                                    !stopping_.load());
      metrics.HttpResponse(reply.response.status()).Inc();
      out.clear();
      reply.response.SerializeTo(out, context.minor_version, head_only);
      if (!co_await Send(*state, out) || !reply.response.keep_alive()) break;
      continue;
    }
    // A GET stream may stay open for the session's life: it is not a request in flight.
    if (reply.stream->kind() != EventStream::Kind::kRequest) busy_guard.Release();
    const bool reusable = co_await Drain(*state, in, reply, context);
    metrics.HttpResponse(200).Inc();
    if (reply.on_close) reply.on_close();
    if (!reusable || !context.keep_alive) break;
  }

  state->Close();
  {
    std::lock_guard lock(live_mutex_);
    live_.erase(state);
  }
}

asio::awaitable<bool> HttpServer::Impl::SendJson(ConnectionState& state, Reply& reply,
                                                 StreamContext request, EventStream::Batch batch) {
  HttpResponse& r = reply.response;
  if (batch.items.empty()) {
    r.set_status(202);  // cancelled: nothing to answer
  } else {
    r.Set("Content-Type", "application/json");
    r.body() = std::move(batch.items.front().data);
  }
  r.set_keep_alive(request.keep_alive && !stopping_.load());
  core_.metrics().HttpResponse(r.status()).Inc();
  std::string out;
  r.SerializeTo(out, request.minor_version);
  co_return co_await Send(state, out) && r.keep_alive();
}

// Writes a stream's messages: one JSON response when the answer comes first, else SSE events
// until the answer (request streams) or the end of the session (standalone streams). Returns
// whether the connection can carry another request.
asio::awaitable<bool> HttpServer::Impl::Drain(ConnectionState& state, ReadBuffer& in,
                                              Reply& reply, StreamContext request) {
  auto& es = *reply.stream;

  // A read kept pending while we only write notices a client that hangs up, so its stream is
  // released at once rather than at the next keepalive. Bytes it reads (a pipelined request)
  // stay in `in` for the next request.
  struct Watch {
    bool done = false;
    bool closed = false;
  };
  auto watch = std::make_shared<Watch>();
  const std::size_t cap = 2 * (static_cast<std::size_t>(config_.http.max_header_size) +
                               static_cast<std::size_t>(config_.protocol.max_message_size)) +
                          64 * 1024;
  if (in.Reserve(cap)) {
    asio::co_spawn(
        state.socket.get_executor(),
        [&state, &in, watch]() -> asio::awaitable<void> {
          auto [ec, n] = co_await state.socket.async_read_some(in.free_space(), kTuple);
          if (!ec) in.used += n;
          watch->closed = (ec && ec != asio::error::operation_aborted) || (!ec && n == 0);
          watch->done = true;
          state.wake_timer.cancel();
        },
        asio::detached);
  } else {
    watch->done = true;  // a client that sent this much ahead is not watched; writes still fail
  }

  // Waits for a wake-up or `timeout`; true when woken. Never waits while the stream has work:
  // a wake-up posted while this coroutine was writing found no wait to cancel.
  auto wait = [&](std::chrono::milliseconds timeout) -> asio::awaitable<bool> {
    state.waiting.store(true);
    if (!es.Idle() || watch->done) {
      state.waiting.store(false);
      co_return true;
    }
    state.wake_timer.expires_after(timeout);
    auto [ec] = co_await state.wake_timer.async_wait(kTuple);
    state.waiting.store(false);
    co_return static_cast<bool>(ec);
  };
  const bool reusable = co_await Stream(state, reply, request, watch->closed, wait);
  // Ends the watch read before the connection reads its next request.
  if (!watch->done) {
    boost::system::error_code ignored;
    state.socket.cancel(ignored);
    while (!watch->done) {
      state.wake_timer.expires_after(std::chrono::seconds(1));
      co_await state.wake_timer.async_wait(kTuple);
    }
  }
  co_return reusable && !watch->closed;
}

asio::awaitable<bool> HttpServer::Impl::Stream(ConnectionState& state, Reply& reply,
                                               StreamContext request, const bool& closed,
                                               const WaitFn& wait) {
  auto& es = *reply.stream;
  const bool request_stream = es.kind() == EventStream::Kind::kRequest;

  // Request streams in auto mode: wait for the first message to choose JSON or SSE.
  if (request_stream) {
    for (;;) {
      const auto mode = es.Decide();
      if (mode == EventStream::Mode::kSse) break;
      if (mode == EventStream::Mode::kJson) {
        co_return co_await SendJson(state, reply, request, es.Take());
      }
      if (closed) co_return false;
      co_await wait(config_.sse.keepalive_interval);
    }
  }

  HttpResponse& head = reply.response;
  head.set_status(200);
  head.Set("Content-Type", "text/event-stream");
  head.Set("Cache-Control", "no-cache");
  head.set_keep_alive(request.keep_alive);
  auto& metrics = core_.metrics();
  auto open_stream = metrics.sse_streams_open().Track();
  std::string out;
  head.SerializeChunkedHeadTo(out, request.minor_version);
  if (!co_await Send(state, out)) co_return false;

  auto write_chunk = [&](std::string_view text) -> asio::awaitable<bool> {
    char size[20];
    const auto [end, ec] = std::to_chars(size, size + sizeof(size), text.size(), 16);
    out.assign(size, end);
    out.append("\r\n");
    out.append(text);
    out.append("\r\n");
    co_return co_await Send(state, out);
  };
  // The endpoint's prelude (legacy `endpoint` event), then the priming event, before any message.
  std::string prelude = std::move(reply.prelude) + es.TakePriming();
  if (!prelude.empty() && !co_await write_chunk(prelude)) co_return false;

  for (;;) {
    auto batch = es.Take();
    if (!batch.items.empty()) {
      std::string text;
      for (const auto& item : batch.items) {
        text += FormatSseEvent(item.id, item.data, reply.sse_event_name);
      }
      metrics.sse_events_sent().Add(batch.items.size());
      if (!co_await write_chunk(text)) co_return false;
    }
    if (batch.overflowed) {
      Log().warn("http: a client too slow for its SSE stream was disconnected; it can resume "
                 "with Last-Event-ID");
      co_return false;
    }
    if (batch.finished) break;
    if (closed) co_return false;
    if (stopping_.load() && !request_stream) break;
    if (!co_await wait(config_.sse.keepalive_interval)) {
      if (!co_await write_chunk(": keepalive\n\n")) co_return false;
    }
  }
  co_return co_await Send(state, "0\r\n\r\n");
}

asio::awaitable<void> HttpServer::Impl::Housekeeping() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  // Often enough that a session outlives its timeout by at most a tenth of it.
  const auto period = std::clamp<std::chrono::milliseconds>(config_.http.session_timeout / 10,
                                                            std::chrono::milliseconds(100),
                                                            std::chrono::milliseconds(60000));
  while (!stopping_.load()) {
    timer.expires_after(period);
    auto [ec] = co_await timer.async_wait(kTuple);
    if (ec) co_return;
    if (auto n = endpoint_.ExpireIdle(std::chrono::steady_clock::now())) {
      Log().info("http: ended {} idle sessions (http.session_timeout)", n);
    }
    // glibc keeps freed memory in its per-thread arenas; after a crowd of sessions or streams has
    // gone, give it back to the system (measured: 183 MB -> 42 MB after 10,000 SSE streams).
    malloc_trim(0);
  }
}

void HttpServer::Impl::Stop() {
  if (contexts_.empty()) return;  // never started
  if (stopping_.exchange(true)) {
    Wait();
    return;
  }
  Log().info("http: shutting down: no new connections, draining in-flight requests");
  asio::post(*contexts_[0], [this] {
    boost::system::error_code ec;
    acceptor_->close(ec);
  });
  // Idle keep-alive connections end now; busy ones end after their answer.
  auto close_idle = [this] {
    std::lock_guard lock(live_mutex_);
    for (const auto& state : live_) {
      asio::post(state->wake_timer.get_executor(), [state] {
        boost::system::error_code ignored;
        if (state->idle && !state->closed) state->socket.cancel(ignored);
        state->wake_timer.cancel();
      });
    }
  };
  close_idle();
  const auto deadline = std::chrono::steady_clock::now() + config_.performance.shutdown_timeout;
  while (busy_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    close_idle();
  }
  // Sessions end: their work is cancelled and GET streams close.
  endpoint_.CloseAll();
  const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (busy_.load() > 0 && std::chrono::steady_clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard lock(stopped_mutex_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
  Log().info("http: stopped");
}

void HttpServer::Impl::Wait() {
  std::unique_lock lock(stopped_mutex_);
  stopped_cv_.wait(lock, [this] { return stopped_; });
}

HttpServer::HttpServer(protocol::ServerCore& core) : impl_(std::make_unique<Impl>(core)) {}
HttpServer::~HttpServer() { Stop(); }
Result<void> HttpServer::Start() { return impl_->Start(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Wait() { impl_->Wait(); }
void HttpServer::Stop() {
  if (impl_) impl_->Stop();
}

}  // namespace ferry::transport::http

namespace ferry::transport::http {

Result<void> ServeHttp(protocol::ServerCore& core) {
  HttpServer server(core);
  if (auto started = server.Start(); !started) return started;
  runtime::WaitForStop();
  server.Stop();
  return {};
}

}  // namespace ferry::transport::http
