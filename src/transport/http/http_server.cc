#include "transport/http/http_server.h"

#include <malloc.h>
#include <pthread.h>

#include <condition_variable>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/log.h"
#include "protocol/server_core.h"
#include "transport/http/admission.h"
#include "transport/http/event_store.h"
#include "transport/http/mcp_endpoint.h"
#include "transport/http/security.h"
#include "runtime/stop_signal.h"

namespace ferry::transport::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using beast_http::field;
using beast_http::status;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool IsMcpPath(std::string_view path) {
  return path == "/mcp" || path == "/sse" || path == "/messages";
}

std::optional<std::string_view> HeaderOf(const Request& r, field f) {
  auto it = r.find(f);
  if (it == r.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

std::vector<std::string> OrDefault(const std::vector<std::string>& configured,
                                   const std::vector<std::string>& fallback) {
  return configured.empty() ? fallback : configured;
}

}  // namespace

// State one connection shares with the threads that wake it.
struct ConnectionState {
  explicit ConnectionState(asio::any_io_executor executor) : wake_timer(executor) {}
  asio::steady_timer wake_timer;  // cancelled to wake the connection's coroutine
  beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for a request (I/O thread only)
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
  // Admission and security for one request: a response when it is refused.
  std::optional<Response> Screen(const Request& request, std::string_view client);
  Response Builtin(const Request& request, std::string_view path);
  asio::awaitable<bool> Drain(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                              ConnectionState& state, Reply& reply, const Request& request);
  // Drain's body: writes the stream, waiting with `wait`; stops when `closed` turns true.
  using WaitFn = std::function<asio::awaitable<bool>(std::chrono::milliseconds)>;
  asio::awaitable<bool> Stream(beast::tcp_stream& stream, ConnectionState& state, Reply& reply,
                               const Request& request, const bool& closed, const WaitFn& wait);
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
  beast::tcp_stream stream(std::move(socket));
  Response r{status::service_unavailable, 11};
  r.set(field::retry_after, "1");
  r.set(field::content_type, "text/plain; charset=utf-8");
  r.body() = "too many connections (performance.max_connections = " +
             std::to_string(config_.performance.max_connections) + ")\n";
  r.keep_alive(false);
  r.prepare_payload();
  stream.expires_after(config_.http.write_timeout);
  co_await beast_http::async_write(stream, r, kTuple);
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

std::optional<Response> HttpServer::Impl::Screen(const Request& request,
                                                 std::string_view client) {
  const unsigned v = request.version();
  const bool ka = request.keep_alive();
  auto refuse = [&](status code, std::string text) {
    Response r{code, v};
    r.keep_alive(ka);
    r.set(field::content_type, "text/plain; charset=utf-8");
    r.body() = std::move(text) + "\n";
    return r;
  };
  // DNS rebinding: a web page must not reach a loopback server through a name it controls.
  auto& metrics = core_.metrics();
  if (auto host = CheckHost(HeaderOf(request, field::host).value_or(""), origin_); !host) {
    metrics.HttpRejection(telemetry::RejectReason::kHostForbidden).Inc();
    return refuse(status::forbidden, host.error().message);
  }
  const auto origin = HeaderOf(request, field::origin);
  if (request.method() == beast_http::verb::options) {
    auto acrm = HeaderOf(request, field::access_control_request_method);
    if (IsPreflight("OPTIONS", origin, acrm)) {
      auto pre = CorsPreflight(cors_, origin, acrm,
                               HeaderOf(request, field::access_control_request_headers));
      Response r{pre.allowed ? status::no_content : status::forbidden, v};
      r.keep_alive(ka);
      for (auto& [name, value] : pre.headers) r.set(name, value);
      return r;
    }
    Response r{status::no_content, v};
    r.keep_alive(ka);
    r.set(field::allow, "GET, POST, DELETE, OPTIONS");
    return r;
  }
  if (auto ok = CheckOrigin(origin, origin_); !ok) {
    metrics.HttpRejection(telemetry::RejectReason::kOriginForbidden).Inc();
    return refuse(status::forbidden, ok.error().message);
  }
  if (auth_) {
    if (auto ok = auth_->Check(HeaderOf(request, field::authorization)); !ok) {
      metrics.HttpRejection(telemetry::RejectReason::kUnauthorized).Inc();
      const auto kind = BearerErrorOf(ok.error());
      Response r = refuse(static_cast<status>(HttpStatusFor(kind)), ok.error().message);
      r.set(field::www_authenticate, WwwAuthenticate(kind));
      return r;
    }
  }
  if (config_.performance.rate_limit_requests > 0) {
    auto decision = rate_limiter_.Check(client);
    if (!decision.allowed) {
      metrics.HttpRejection(telemetry::RejectReason::kRateLimited).Inc();
      Response r = refuse(status::too_many_requests,
                          "rate limit exceeded (performance.rate_limit_requests = " +
                              std::to_string(config_.performance.rate_limit_requests) + ")");
      r.set(field::retry_after, std::to_string(decision.retry_after_seconds));
      return r;
    }
  }
  return std::nullopt;
}

Response HttpServer::Impl::Builtin(const Request& request, std::string_view path) {
  Response r{status::ok, request.version()};
  r.keep_alive(request.keep_alive());
  r.set(field::cache_control, "no-store");
  if (path == "/health") {
    r.set(field::content_type, "application/json");
    r.body() = R"({"status":"ok"})";
  } else if (path == "/metrics") {
    r.set(field::content_type, telemetry::kExpositionContentType);
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
    r.result(why ? status::service_unavailable : status::ok);
    r.set(field::content_type, "application/json");
    r.body() = why ? std::string(R"({"status":"not ready","reason":")") + why + R"("})"
                   : std::string(R"({"status":"ready"})");
  } else {
    r.result(status::not_found);
    r.set(field::content_type, "text/plain; charset=utf-8");
    r.body() = "not found\n";
  }
  r.prepare_payload();
  return r;
}

asio::awaitable<void> HttpServer::Impl::Serve(tcp::socket socket,
                                              ConnectionLimiter::Ticket ticket) {
  beast::tcp_stream stream(std::move(socket));
  auto& metrics = core_.metrics();
  metrics.ConnectionsAccepted(telemetry::Transport::kHttp).Inc();
  auto open = metrics.ConnectionsOpen(telemetry::Transport::kHttp).Track();
  auto state = std::make_shared<ConnectionState>(stream.get_executor());
  state->stream = &stream;
  {
    std::lock_guard lock(live_mutex_);
    live_.insert(state);
  }
  boost::system::error_code ec;
  const auto peer = stream.socket().remote_endpoint(ec);
  const std::string client =
      ec ? std::string("unknown") : RateLimitKeyForAddress(peer.address().to_string());
  beast::flat_buffer buffer;
  std::weak_ptr<ConnectionState> weak = state;
  const auto executor = stream.get_executor();
  std::function<void()> wake = [weak, executor] {
    asio::post(executor, [weak] {
      if (auto s = weak.lock()) s->wake_timer.cancel();
    });
  };

  while (!stopping_.load()) {
    // Idle keep-alive: wait for the first byte of the next request.
    state->idle = true;
    if (buffer.size() == 0) {
      // A large request grew the buffer; idle connections (10,000 SSE clients) keep it small.
      if (buffer.capacity() > 64 * 1024) buffer.shrink_to_fit();
      stream.expires_after(config_.http.connection_timeout);
      auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(4 * 1024), kTuple);
      if (read_ec) break;
      buffer.commit(n);
    }
    state->idle = false;
    busy_.fetch_add(1);
    struct BusyGuard {
      std::atomic<int>& busy;
      ~BusyGuard() { busy.fetch_sub(1); }
    } busy_guard{busy_};

    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.http.max_header_size));
    parser.body_limit(static_cast<std::uint64_t>(config_.protocol.max_message_size));
    stream.expires_after(config_.http.header_timeout);
    auto [header_ec, header_n] = co_await beast_http::async_read_header(stream, buffer, parser, kTuple);
    std::optional<Response> early;
    if (header_ec == beast_http::error::body_limit) {
      // Content-Length alone already exceeds the limit: refuse before reading the body.
      early = JsonRpcErrorResponse(status::payload_too_large, jsonrpc::kInvalidRequest,
                                   "request body exceeds protocol.max_message_size (" +
                                       std::to_string(config_.protocol.max_message_size) +
                                       " bytes)",
                                   11, false);
    } else if (header_ec == beast_http::error::header_limit) {
      early = JsonRpcErrorResponse(status::request_header_fields_too_large,
                                   jsonrpc::kInvalidRequest,
                                   "request headers exceed http.max_header_size", 11, false);
    } else if (header_ec == beast::error::timeout) {
      break;  // slowloris: headers did not arrive in time; just close
    } else if (header_ec) {
      if (header_ec == beast_http::error::end_of_stream || header_ec == asio::error::eof) break;
      early = JsonRpcErrorResponse(status::bad_request, jsonrpc::kInvalidRequest,
                                   "malformed HTTP request: " + header_ec.message(), 11, false);
    }
    if (!early) {
      auto& head = parser.get();
      if (beast::iequals(head[field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> cont{status::continue_, head.version()};
        stream.expires_after(config_.http.write_timeout);
        auto [cont_ec, cont_n] = co_await beast_http::async_write(stream, cont, kTuple);
        if (cont_ec) break;
      }
    }
    if (!early) {
      stream.expires_after(config_.http.header_timeout);
      auto [body_ec, body_n] = co_await beast_http::async_read(stream, buffer, parser, kTuple);
      if (body_ec == beast_http::error::body_limit) {
        early = JsonRpcErrorResponse(status::payload_too_large, jsonrpc::kInvalidRequest,
                                     "request body exceeds protocol.max_message_size", 11, false);
      } else if (body_ec) {
        break;  // timeout or a client that went away mid-body
      }
    }
    if (early) {
      const int code = early->result_int();
      metrics.HttpResponse(code).Inc();
      if (code == 413) metrics.HttpRejection(telemetry::RejectReason::kBodyTooLarge).Inc();
      if (code == 431) metrics.HttpRejection(telemetry::RejectReason::kHeadersTooLarge).Inc();
      if (code == 400) metrics.HttpRejection(telemetry::RejectReason::kBadRequest).Inc();
      stream.expires_after(config_.http.write_timeout);
      co_await beast_http::async_write(stream, *early, kTuple);
      break;
    }

    Request request = parser.release();
    const std::string_view target(request.target().data(), request.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    bool keep_alive = request.keep_alive();

    Reply reply;
    if (!IsMcpPath(path)) {
      reply.response = Builtin(request, path);
    } else if (auto refused = Screen(request, client)) {
      reply.response = std::move(*refused);
    } else {
      reply = endpoint_.Handle(request, wake);
    }
    const auto cors = CorsActual(cors_, HeaderOf(request, field::origin));
    for (const auto& [name, value] : cors.headers) reply.response.set(name, value);

    if (!reply.stream) {
      reply.response.keep_alive(keep_alive && !stopping_.load());
      if (reply.response.body().size() || reply.response.result() != status::no_content) {
        reply.response.prepare_payload();
      }
      metrics.HttpResponse(reply.response.result_int()).Inc();
      stream.expires_after(config_.http.write_timeout);
      auto [write_ec, write_n] = co_await beast_http::async_write(stream, reply.response, kTuple);
      if (write_ec || !reply.response.keep_alive()) break;
      continue;
    }
    const bool reusable = co_await Drain(stream, buffer, *state, reply, request);
    metrics.HttpResponse(200).Inc();
    if (reply.on_close) reply.on_close();
    if (!reusable || !keep_alive) break;
  }

  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
  state->stream = nullptr;  // posted shutdown lambdas may still hold `state`
  {
    std::lock_guard lock(live_mutex_);
    live_.erase(state);
  }
}

// Writes a stream's messages: one JSON response when the answer comes first, else SSE events
// until the answer (request streams) or the end of the session (standalone streams). Returns
// whether the connection can carry another request.
asio::awaitable<bool> HttpServer::Impl::Drain(beast::tcp_stream& stream,
                                              beast::flat_buffer& buffer, ConnectionState& state,
                                              Reply& reply, const Request& request) {
  auto& es = *reply.stream;

  // A read kept pending on the raw socket (no tcp_stream deadline) notices a client that hangs up
  // while we only write, so its stream is released at once rather than at the next keepalive.
  // Bytes it reads (a pipelined request) stay in `buffer` for the next request.
  struct Watch {
    bool done = false;
    bool closed = false;
  };
  auto watch = std::make_shared<Watch>();
  asio::co_spawn(
      stream.get_executor(),
      [&socket = stream.socket(), &buffer, &state, watch]() -> asio::awaitable<void> {
        auto [ec, n] = co_await socket.async_read_some(buffer.prepare(4096), kTuple);
        if (!ec) buffer.commit(n);
        watch->closed = ec && ec != asio::error::operation_aborted;
        watch->done = true;
        state.wake_timer.cancel();
      },
      asio::detached);

  // Waits for a wake-up or `timeout`; true when woken. Never waits while the stream has work:
  // a wake-up posted while this coroutine was writing found no wait to cancel.
  auto wait = [&](std::chrono::milliseconds timeout) -> asio::awaitable<bool> {
    if (!es.Idle() || watch->done) co_return true;
    state.wake_timer.expires_after(timeout);
    auto [ec] = co_await state.wake_timer.async_wait(kTuple);
    co_return static_cast<bool>(ec);
  };
  // Ends the watch read before the connection reads its next request.
  auto end_watch = [&]() -> asio::awaitable<void> {
    if (!watch->done) {
      boost::system::error_code ignored;
      stream.socket().cancel(ignored);
      while (!watch->done) {
        state.wake_timer.expires_after(std::chrono::seconds(1));
        co_await state.wake_timer.async_wait(kTuple);
      }
    }
  };
  const bool reusable = co_await Stream(stream, state, reply, request, watch->closed, wait);
  co_await end_watch();
  co_return reusable && !watch->closed;
}

asio::awaitable<bool> HttpServer::Impl::Stream(beast::tcp_stream& stream, ConnectionState& state,
                                               Reply& reply, const Request& request,
                                               const bool& closed, const WaitFn& wait) {
  auto& es = *reply.stream;
  const bool request_stream = es.kind() == EventStream::Kind::kRequest;

  // Request streams in auto mode: wait for the first message to choose JSON or SSE.
  if (request_stream) {
    for (;;) {
      const auto mode = es.Decide();
      if (mode == EventStream::Mode::kSse) break;
      if (mode == EventStream::Mode::kJson) {
        auto batch = es.Take();
        Response& r = reply.response;
        if (batch.items.empty()) {
          r.result(status::accepted);  // cancelled: nothing to answer
        } else {
          r.set(field::content_type, "application/json");
          r.body() = std::move(batch.items.front().data);
        }
        r.keep_alive(request.keep_alive() && !stopping_.load());
        r.prepare_payload();
        stream.expires_after(config_.http.write_timeout);
        auto [ec, n] = co_await beast_http::async_write(stream, r, kTuple);
        co_return !ec && r.keep_alive();
      }
      if (closed) co_return false;
      co_await wait(config_.sse.keepalive_interval);
    }
  }

  beast_http::response<beast_http::empty_body> head{status::ok, request.version()};
  for (const auto& h : reply.response) head.set(h.name_string(), h.value());
  head.result(status::ok);
  head.set(field::content_type, "text/event-stream");
  head.set(field::cache_control, "no-cache");
  head.keep_alive(request.keep_alive());
  head.chunked(true);
  beast_http::response_serializer<beast_http::empty_body> serializer(head);
  auto& metrics = core_.metrics();
  auto open_stream = metrics.sse_streams_open().Track();
  stream.expires_after(config_.http.write_timeout);
  auto [head_ec, head_n] = co_await beast_http::async_write_header(stream, serializer, kTuple);
  if (head_ec) co_return false;

  auto write_chunk = [&](const std::string& text) -> asio::awaitable<bool> {
    stream.expires_after(config_.http.write_timeout);
    auto [ec, n] = co_await asio::async_write(stream, beast_http::make_chunk(asio::buffer(text)),
                                              kTuple);
    co_return !ec;
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
  stream.expires_after(config_.http.write_timeout);
  auto [end_ec, end_n] = co_await asio::async_write(stream, beast_http::make_chunk_last(), kTuple);
  co_return !end_ec;
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
        if (state->idle && state->stream) state->stream->cancel();
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
